// search.cpp - SEARCH program parser (RFC 9051 §6.4.4, §9 search-key, search-return-opts;
// RFC 3501 §6.4.4; RFC 4731 §3.1; RFC 5182 §2; RFC 7162 §3.1.5; RFC 5032 §3).
// Security: recursion (parentheses, NOT, OR) is bounded by kMaxDepth and the key count by
// kMaxSearchKeys.
#include "imap/proto/search.hpp"

#include <array>

#include "common/ascii.hpp"

namespace hermod::imap::proto {

namespace {

enum class Arg : std::uint8_t { None, String, Date, Number, Keyword, Header, Set, Not, Or, ModSeq };

struct KeyEntry {
    std::string_view name;
    SearchKeyKind kind;
    Arg arg;
    bool rev1_only;
};

constexpr std::array<KeyEntry, 39> kKeys{{
    {"ALL", SearchKeyKind::All, Arg::None, false},
    {"ANSWERED", SearchKeyKind::Answered, Arg::None, false},
    {"BCC", SearchKeyKind::Bcc, Arg::String, false},
    {"BEFORE", SearchKeyKind::Before, Arg::Date, false},
    {"BODY", SearchKeyKind::Body, Arg::String, false},
    {"CC", SearchKeyKind::Cc, Arg::String, false},
    {"DELETED", SearchKeyKind::Deleted, Arg::None, false},
    {"DRAFT", SearchKeyKind::Draft, Arg::None, false},
    {"FLAGGED", SearchKeyKind::Flagged, Arg::None, false},
    {"FROM", SearchKeyKind::From, Arg::String, false},
    {"HEADER", SearchKeyKind::Header, Arg::Header, false},
    {"KEYWORD", SearchKeyKind::Keyword, Arg::Keyword, false},
    {"LARGER", SearchKeyKind::Larger, Arg::Number, false},
    {"NEW", SearchKeyKind::New, Arg::None, true},
    {"NOT", SearchKeyKind::Not, Arg::Not, false},
    {"OLD", SearchKeyKind::Old, Arg::None, true},
    {"ON", SearchKeyKind::On, Arg::Date, false},
    {"OR", SearchKeyKind::Or, Arg::Or, false},
    {"RECENT", SearchKeyKind::Recent, Arg::None, true},
    {"SEEN", SearchKeyKind::Seen, Arg::None, false},
    {"SENTBEFORE", SearchKeyKind::SentBefore, Arg::Date, false},
    {"SENTON", SearchKeyKind::SentOn, Arg::Date, false},
    {"SENTSINCE", SearchKeyKind::SentSince, Arg::Date, false},
    {"SINCE", SearchKeyKind::Since, Arg::Date, false},
    {"SMALLER", SearchKeyKind::Smaller, Arg::Number, false},
    {"SUBJECT", SearchKeyKind::Subject, Arg::String, false},
    {"TEXT", SearchKeyKind::Text, Arg::String, false},
    {"TO", SearchKeyKind::To, Arg::String, false},
    {"UID", SearchKeyKind::Uid, Arg::Set, false},
    {"UNANSWERED", SearchKeyKind::Unanswered, Arg::None, false},
    {"UNDELETED", SearchKeyKind::Undeleted, Arg::None, false},
    {"UNDRAFT", SearchKeyKind::Undraft, Arg::None, false},
    {"UNFLAGGED", SearchKeyKind::Unflagged, Arg::None, false},
    {"UNKEYWORD", SearchKeyKind::Unkeyword, Arg::Keyword, false},
    {"UNRECENT", SearchKeyKind::Unrecent, Arg::None, true},
    {"UNSEEN", SearchKeyKind::Unseen, Arg::None, false},
    {"OLDER", SearchKeyKind::Older, Arg::Number, false},
    {"YOUNGER", SearchKeyKind::Younger, Arg::Number, false},
    {"MODSEQ", SearchKeyKind::ModSeq, Arg::ModSeq, false},
}};

class SearchParser {
  public:
    SearchParser(Parser& p, bool rev1) : p_(p), rev1_(rev1) {}

    std::optional<SearchKey> key() {
        if (!p_.ok()) return std::nullopt;
        if (++count_ > kMaxSearchKeys) {
            p_.fail("too many search keys");
            return std::nullopt;
        }
        std::string_view rest = p_.rest();
        if (rest.empty()) {
            p_.fail("missing search key");
            return std::nullopt;
        }
        char c = rest.front();
        if (c == ' ' || c == ')') {
            p_.fail("expected a search key");
            return std::nullopt;
        }
        if (c == '(') return group();
        if ((c >= '0' && c <= '9') || c == '*' || c == '$') {
            auto set = p_.sequence_set();
            if (!set) return std::nullopt;
            SearchKey k;
            k.kind = SearchKeyKind::SequenceSet;
            k.set = std::move(*set);
            return k;
        }
        auto name = p_.atom();
        if (!name) {
            p_.fail("expected a search key");
            return std::nullopt;
        }
        const KeyEntry* entry = nullptr;
        for (const auto& e : kKeys)
            if (iequals(*name, e.name)) entry = &e;
        if (!entry || (entry->rev1_only && !rev1_)) {
            p_.fail("unknown search key " + std::string(name->substr(0, 40)));
            return std::nullopt;
        }
        SearchKey k;
        k.kind = entry->kind;
        switch (entry->arg) {
            case Arg::None:
                break;
            case Arg::String: {
                if (!p_.sp()) return std::nullopt;
                auto s = p_.astring();
                if (!s) return std::nullopt;
                k.value = std::move(*s);
                break;
            }
            case Arg::Date: {
                if (!p_.sp()) return std::nullopt;
                auto d = p_.date();
                if (!d) return std::nullopt;
                k.date = *d;
                break;
            }
            case Arg::Number: {
                if (!p_.sp()) return std::nullopt;
                auto n = k.kind == SearchKeyKind::Older || k.kind == SearchKeyKind::Younger
                             ? p_.nz_number64()
                             : p_.number64();
                if (!n) return std::nullopt;
                k.number = *n;
                break;
            }
            case Arg::Keyword: {
                if (!p_.sp()) return std::nullopt;
                auto a = p_.atom();  // flag-keyword = atom
                if (!a) return std::nullopt;
                k.value = std::string(*a);
                break;
            }
            case Arg::Header: {
                if (!p_.sp()) return std::nullopt;
                auto f = p_.astring();
                if (!f || !p_.sp()) return std::nullopt;
                auto v = p_.astring();
                if (!v) return std::nullopt;
                k.field = std::move(*f);
                k.value = std::move(*v);
                break;
            }
            case Arg::Set: {
                if (!p_.sp()) return std::nullopt;
                auto set = p_.sequence_set();
                if (!set) return std::nullopt;
                k.set = std::move(*set);
                break;
            }
            case Arg::Not: {
                if (!p_.sp() || !p_.enter()) return std::nullopt;
                auto child = key();
                p_.leave();
                if (!child) return std::nullopt;
                k.children.push_back(std::move(*child));
                break;
            }
            case Arg::Or: {
                if (!p_.sp() || !p_.enter()) return std::nullopt;
                auto a = key();
                if (!a || !p_.sp()) {
                    p_.leave();
                    return std::nullopt;
                }
                auto b = key();
                p_.leave();
                if (!b) return std::nullopt;
                k.children.push_back(std::move(*a));
                k.children.push_back(std::move(*b));
                break;
            }
            case Arg::ModSeq: {
                // "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer
                if (!p_.sp()) return std::nullopt;
                if (p_.peek('"')) {
                    auto entry_name = p_.string();
                    if (!entry_name || !p_.sp()) return std::nullopt;
                    auto type = p_.atom();
                    if (!type || !p_.sp()) return std::nullopt;
                    if (!iequals(*type, "priv") && !iequals(*type, "shared") &&
                        !iequals(*type, "all")) {
                        p_.fail("invalid MODSEQ entry type");
                        return std::nullopt;
                    }
                    k.field = std::move(*entry_name);
                    k.value = std::string(*type);
                }
                auto n = p_.number64();
                if (!n) return std::nullopt;
                k.number = *n;
                break;
            }
        }
        return k;
    }

    // "(" search-key *(SP search-key) ")"
    std::optional<SearchKey> group() {
        p_.accept('(');
        if (!p_.enter()) return std::nullopt;
        SearchKey k;
        k.kind = SearchKeyKind::And;
        while (true) {
            auto child = key();
            if (!child) {
                p_.leave();
                return std::nullopt;
            }
            k.children.push_back(std::move(*child));
            if (p_.accept(')')) break;
            if (!p_.expect(' ', "or ')' in the search key list")) {
                p_.leave();
                return std::nullopt;
            }
        }
        p_.leave();
        if (k.children.size() == 1) return std::move(k.children.front());
        return k;
    }

  private:
    Parser& p_;
    bool rev1_;
    std::size_t count_ = 0;
};

}  // namespace

std::optional<SearchRequest> parse_search(Parser& p, bool rev1) {
    SearchRequest req;
    if (!p.sp()) return std::nullopt;
    if (p.accept_keyword("RETURN")) {
        req.result.esearch = true;
        if (!p.sp() || !p.expect('(', "to open the RETURN options")) return std::nullopt;
        bool any = false;
        while (!p.accept(')')) {
            if (any && !p.expect(' ', "or ')' in the RETURN options")) return std::nullopt;
            any = true;
            if (p.accept_keyword("MIN"))
                req.result.min = true;
            else if (p.accept_keyword("MAX"))
                req.result.max = true;
            else if (p.accept_keyword("ALL"))
                req.result.all = true;
            else if (p.accept_keyword("COUNT"))
                req.result.count = true;
            else if (p.accept_keyword("SAVE"))
                req.result.save = true;
            else {
                p.fail("unknown RETURN option (MIN MAX ALL COUNT SAVE)");
                return std::nullopt;
            }
        }
        if (!any) req.result.all = true;  // RFC 4731 §3.1: "RETURN ()" means ALL
        if (!p.sp()) return std::nullopt;
    }
    if (p.accept_keyword("CHARSET")) {
        if (!p.sp()) return std::nullopt;
        auto cs = p.astring();
        if (!cs) return std::nullopt;
        for (char& c : *cs)
            c = ascii_upper(c);
        if (*cs != "UTF-8" && *cs != "US-ASCII") {
            p.fail("unsupported charset", ParseErrorKind::BadCharset);
            return std::nullopt;
        }
        req.charset = std::move(*cs);
        if (!p.sp()) return std::nullopt;
    }
    SearchParser sp(p, rev1);
    SearchKey root;
    root.kind = SearchKeyKind::And;
    while (true) {
        auto k = sp.key();
        if (!k) return std::nullopt;
        root.children.push_back(std::move(*k));
        if (p.at_end()) break;
        if (!p.sp()) return std::nullopt;
    }
    if (!p.end()) return std::nullopt;
    req.root = root.children.size() == 1 ? std::move(root.children.front()) : std::move(root);
    return req;
}

}  // namespace hermod::imap::proto
