// search.cpp - SEARCH key evaluation (RFC 9051 §6.4.4; RFC 3501 §6.4.4 NEW/OLD/RECENT/UNRECENT;
// RFC 5032 OLDER/YOUNGER; RFC 5182 "$"; RFC 7162 §3.1.5 MODSEQ).
//
// String keys: RFC 9051 §6.4.4 asks for case-insensitive substring matching; both sides go
// through fold_case() (a locale-independent subset of Unicode simple case folding, no
// normalisation, no "ß" = "ss") and are then compared byte-wise. Header values are matched with
// their RFC 2047 words decoded; bodies after Content-Transfer-Encoding and charset decoding.
#include "imap/message/search.hpp"

#include <algorithm>
#include <optional>

#include "common/ascii.hpp"
#include "mime/encoded_word.hpp"
#include "mime/header.hpp"
#include "mime/section.hpp"

namespace hermod::imap::message {

namespace {

using proto::SearchKey;
using proto::SearchKeyKind;

char32_t fold_code_point(char32_t c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
    if (c < 0x100) {
        if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
        return c == 0xB5 ? 0x3BC : c;  // MICRO SIGN folds to GREEK SMALL LETTER MU
    }
    if (c <= 0x17F) {  // Latin Extended-A: mostly upper/lower pairs
        if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149) return c;  // no simple fold
        if (c == 0x178) return 0xFF;
        if (c == 0x17F) return 's';
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c & 1 ? c + 1 : c;
        return c & 1 ? c : c + 1;
    }
    if (c <= 0x24F) {  // Latin Extended-B: only the regular pair runs (Ǎ..ǜ, Ǟ..ǯ, Ǹ..ȳ)
        if (c >= 0x1CD && c <= 0x1DC) return c & 1 ? c + 1 : c;
        if ((c >= 0x1DE && c <= 0x1EF) || (c >= 0x1F8 && c <= 0x21F) || (c >= 0x222 && c <= 0x233))
            return c & 1 ? c : c + 1;
        return c;
    }
    if (c >= 0x370 && c <= 0x3FF) {  // Greek
        if (c == 0x386) return 0x3AC;
        if (c >= 0x388 && c <= 0x38A) return c + 37;
        if (c == 0x38C) return 0x3CC;
        if (c == 0x38E || c == 0x38F) return c + 63;
        if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
        if (c == 0x3C2) return 0x3C3;  // final sigma
        return c;
    }
    if (c >= 0x400 && c <= 0x52F) {  // Cyrillic
        if (c <= 0x40F) return c + 80;
        if (c <= 0x42F) return c + 32;
        if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0))
            return c & 1 ? c : c + 1;
        if (c >= 0x4C1 && c <= 0x4CE) return c & 1 ? c + 1 : c;
        return c;
    }
    if (c >= 0x531 && c <= 0x556) return c + 48;  // Armenian
    if (c >= 0x1E00 && c <= 0x1EFF) {             // Latin Extended Additional (Vietnamese ...)
        if (c == 0x1E9E) return 0xDF;             // capital sharp s
        if (c <= 0x1E95 || c >= 0x1EA0) return c & 1 ? c : c + 1;
        return c;
    }
    if (c >= 0xFF21 && c <= 0xFF3A) return c + 32;  // fullwidth A-Z
    return c;
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

bool contains(std::string_view haystack, std::string_view folded_needle) {
    return haystack.find(folded_needle) != std::string_view::npos;
}

// Floor division, so instants before 1970 land on the right day.
std::int64_t day_of(std::int64_t unix_time, int zone_minutes) {
    std::int64_t local = unix_time + static_cast<std::int64_t>(zone_minutes) * 60;
    std::int64_t day = local / 86400;
    return local % 86400 < 0 ? day - 1 : day;
}

// BEFORE/ON/SINCE and the SENT* forms: RFC 9051 §6.4.4 compares dates only, "disregarding
// time and timezone".
bool compare_day(SearchKeyKind kind, std::int64_t day, std::int64_t wanted) {
    switch (kind) {
        case SearchKeyKind::Before:
        case SearchKeyKind::SentBefore:
            return day < wanted;
        case SearchKeyKind::On:
        case SearchKeyKind::SentOn:
            return day == wanted;
        default:  // Since, SentSince
            return day >= wanted;
    }
}

class Evaluator {
  public:
    Evaluator(SearchMessage& m, const SearchContext& ctx) : m_(m), ctx_(ctx) {}

    bool eval(const SearchKey& k) {
        switch (k.kind) {
            case SearchKeyKind::All:
                return true;
            case SearchKeyKind::And:
                return std::all_of(k.children.begin(), k.children.end(),
                                   [&](const SearchKey& c) { return eval(c); });
            case SearchKeyKind::Or:
                return std::any_of(k.children.begin(), k.children.end(),
                                   [&](const SearchKey& c) { return eval(c); });
            case SearchKeyKind::Not:
                return !k.children.empty() && !eval(k.children.front());

            case SearchKeyKind::Answered:
                return flag(kFlagAnswered);
            case SearchKeyKind::Deleted:
                return flag(kFlagDeleted);
            case SearchKeyKind::Draft:
                return flag(kFlagDraft);
            case SearchKeyKind::Flagged:
                return flag(kFlagFlagged);
            case SearchKeyKind::Seen:
                return flag(kFlagSeen);
            case SearchKeyKind::Unanswered:
                return !flag(kFlagAnswered);
            case SearchKeyKind::Undeleted:
                return !flag(kFlagDeleted);
            case SearchKeyKind::Undraft:
                return !flag(kFlagDraft);
            case SearchKeyKind::Unflagged:
                return !flag(kFlagFlagged);
            case SearchKeyKind::Unseen:
                return !flag(kFlagSeen);
            case SearchKeyKind::Keyword:
                return has_keyword(k.value);
            case SearchKeyKind::Unkeyword:
                return !has_keyword(k.value);
            // RFC 3501 §6.4.4: NEW = (RECENT UNSEEN), OLD = NOT RECENT, UNRECENT = NOT RECENT.
            case SearchKeyKind::Recent:
                return m_.recent;
            case SearchKeyKind::New:
                return m_.recent && !flag(kFlagSeen);
            case SearchKeyKind::Old:
            case SearchKeyKind::Unrecent:
                return !m_.recent;

            case SearchKeyKind::Bcc:
                return header_contains("Bcc", k.value);
            case SearchKeyKind::Cc:
                return header_contains("Cc", k.value);
            case SearchKeyKind::From:
                return header_contains("From", k.value);
            case SearchKeyKind::Subject:
                return header_contains("Subject", k.value);
            case SearchKeyKind::To:
                return header_contains("To", k.value);
            case SearchKeyKind::Header:
                return header_contains(k.field, k.value);
            case SearchKeyKind::Body:
                return body_contains(k.value);
            case SearchKeyKind::Text:
                return text_contains(k.value);

            // Internal date, taken as a date in the server's zone.
            case SearchKeyKind::Before:
            case SearchKeyKind::On:
            case SearchKeyKind::Since:
                return compare_day(k.kind, day_of(m_.internal_date, ctx_.zone_minutes),
                                   k.date.days_since_epoch());
            case SearchKeyKind::SentBefore:
            case SearchKeyKind::SentOn:
            case SearchKeyKind::SentSince:
                return compare_day(k.kind, sent_day(), k.date.days_since_epoch());

            // RFC 9051 §6.4.4: strictly larger / smaller than n octets.
            case SearchKeyKind::Larger:
                return m_.size > k.number;
            case SearchKeyKind::Smaller:
                return m_.size < k.number;
            // RFC 5032 §3 intervals in seconds; both bounds inclusive, as in Dovecot.
            case SearchKeyKind::Older:
                return age() >= static_cast<std::int64_t>(k.number);
            case SearchKeyKind::Younger:
                return age() <= static_cast<std::int64_t>(k.number);

            case SearchKeyKind::Uid:
                return in_set(k.set, m_.uid, ctx_.largest_uid);
            case SearchKeyKind::SequenceSet:
                return in_set(k.set, m_.seq, ctx_.largest_seq);
            // RFC 7162 §3.1.5: mod-sequence equal to or greater than n. There is one modseq
            // per message, so the entry name (a single flag's modseq) is not distinguished.
            case SearchKeyKind::ModSeq:
                return m_.modseq >= k.number;
        }
        return false;
    }

  private:
    bool flag(std::uint32_t bit) const { return (m_.flags & bit) != 0; }

    // Keywords are atoms compared case-insensitively (RFC 9051 §2.3.2).
    bool has_keyword(std::string_view name) const {
        if (!m_.keywords) return false;
        return std::any_of(m_.keywords->begin(), m_.keywords->end(),
                           [&](const std::string& kw) { return iequals(kw, name); });
    }

    // Negative for a date in the future: OLDER never matches it, YOUNGER does.
    std::int64_t age() const { return ctx_.now - m_.internal_date; }

    // "$" (RFC 5182) names the saved UIDs whether used as UID set or as sequence set.
    bool in_set(const proto::SequenceSet& set, std::uint32_t n, std::uint32_t largest) const {
        if (set.saved)
            return ctx_.saved_uids &&
                   std::binary_search(ctx_.saved_uids->begin(), ctx_.saved_uids->end(), m_.uid);
        return set.contains(n, largest);
    }

    const mime::Structure& structure() {
        static const mime::Structure kEmpty{};
        if (!structure_) structure_ = m_.structure ? &m_.structure() : &kEmpty;
        return *structure_;
    }

    std::string_view text() {
        if (!text_) text_ = m_.text ? m_.text() : std::string_view();
        return *text_;
    }

    static std::string_view block(std::string_view text, std::uint64_t offset, std::uint64_t size) {
        if (offset > text.size()) return {};
        return text.substr(offset, std::min<std::uint64_t>(size, text.size() - offset));
    }

    const std::vector<mime::HeaderField>& top_fields() {
        if (!top_fields_) {
            const mime::Part& root = structure().root;
            top_fields_ = mime::parse_header(block(text(), root.header_offset, root.header_size));
        }
        return *top_fields_;
    }

    // RFC 9051 §6.4.4: FROM/TO/CC/BCC/SUBJECT/HEADER look at the message's own header (not
    // those of parts). Any occurrence of the field counts; an empty string matches when the
    // field exists.
    bool header_contains(std::string_view name, std::string_view value) {
        std::string needle = fold_case(value);
        for (const auto& f : top_fields()) {
            if (!iequals(f.name, name)) continue;
            if (needle.empty() || contains(fold_case(mime::decode_encoded_words(f.value)), needle))
                return true;
        }
        return false;
    }

    // BODY: the text/* leaves anywhere in the tree (through multiparts and message/rfc822),
    // transfer-decoded and converted to UTF-8. Other leaves (images, application/*) are never
    // searched, and embedded messages' headers are not body (Dovecot skips headers for BODY).
    const std::vector<std::string>& folded_bodies() {
        if (!bodies_) {
            bodies_.emplace();
            collect_bodies(structure().root);
        }
        return *bodies_;
    }

    void collect_bodies(const mime::Part& p) {
        if (p.children.empty()) {
            if (p.type == "text") bodies_->push_back(fold_case(mime::body_text_utf8(text(), p)));
            return;
        }
        for (const auto& c : p.children)
            collect_bodies(c);
    }

    // TEXT adds every header in the tree (RFC 9051: "in the header (including MIME header
    // fields) or body"), one "Name: decoded value" string per field.
    const std::vector<std::string>& folded_headers() {
        if (!headers_) {
            headers_.emplace();
            collect_headers(structure().root);
        }
        return *headers_;
    }

    void collect_headers(const mime::Part& p) {
        for (const auto& f : mime::parse_header(block(text(), p.header_offset, p.header_size))) {
            std::string line(f.name);
            line += ": ";
            line += mime::decode_encoded_words(f.value);
            headers_->push_back(fold_case(line));
        }
        for (const auto& c : p.children)
            collect_headers(c);
    }

    bool any_contains(const std::vector<std::string>& pieces, std::string_view needle) {
        return std::any_of(pieces.begin(), pieces.end(),
                           [&](const std::string& s) { return contains(s, needle); });
    }

    // Each part is searched on its own so a match never spans two parts.
    bool body_contains(std::string_view value) {
        if (value.empty()) return true;
        return any_contains(folded_bodies(), fold_case(value));
    }

    bool text_contains(std::string_view value) {
        if (value.empty()) return true;
        std::string needle = fold_case(value);
        return any_contains(folded_headers(), needle) || any_contains(folded_bodies(), needle);
    }

    // The Date: header's own date (its zone, not ours). A missing or unparsable Date: counts
    // as 1970-01-01 +0000, as in Dovecot: SENTBEFORE matches, SENTSINCE does not.
    std::int64_t sent_day() {
        const auto& env = structure().root.envelope;
        if (!env || !env->date_unix) return 0;
        return day_of(*env->date_unix, env->date_tz_minutes);
    }

    SearchMessage& m_;
    const SearchContext& ctx_;
    const mime::Structure* structure_ = nullptr;
    std::optional<std::string_view> text_;
    std::optional<std::vector<mime::HeaderField>> top_fields_;
    std::optional<std::vector<std::string>> bodies_;
    std::optional<std::vector<std::string>> headers_;
};

}  // namespace

std::string fold_case(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            out += ascii_lower(s[i]);
            ++i;
            continue;
        }
        // Decode one UTF-8 sequence; anything malformed is copied byte by byte.
        std::size_t len = 0;
        if (b >= 0xC2 && b <= 0xDF)
            len = 2;
        else if (b >= 0xE0 && b <= 0xEF)
            len = 3;
        else if (b >= 0xF0 && b <= 0xF4)
            len = 4;
        char32_t c = len == 2 ? b & 0x1F : len == 3 ? b & 0x0F : b & 0x07;
        bool ok = len != 0 && i + len <= s.size();
        for (std::size_t j = 1; ok && j < len; ++j) {
            auto cb = static_cast<unsigned char>(s[i + j]);
            if ((cb & 0xC0) != 0x80) ok = false;
            c = (c << 6) | (cb & 0x3F);
        }
        // Reject overlong forms, surrogates and values past U+10FFFF.
        if (ok && ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
                   (len == 4 && (c < 0x10000 || c > 0x10FFFF))))
            ok = false;
        if (!ok) {
            out += s[i];
            ++i;
            continue;
        }
        append_utf8(out, fold_code_point(c));
        i += len;
    }
    return out;
}

bool matches(const proto::SearchKey& key, SearchMessage& m, const SearchContext& ctx) {
    Evaluator e(m, ctx);
    return e.eval(key);
}

bool needs_content(const proto::SearchKey& key) {
    switch (key.kind) {
        case SearchKeyKind::Bcc:
        case SearchKeyKind::Body:
        case SearchKeyKind::Cc:
        case SearchKeyKind::From:
        case SearchKeyKind::Subject:
        case SearchKeyKind::Text:
        case SearchKeyKind::To:
        case SearchKeyKind::Header:
        case SearchKeyKind::SentBefore:
        case SearchKeyKind::SentOn:
        case SearchKeyKind::SentSince:
            return true;
        default:
            return std::any_of(key.children.begin(), key.children.end(),
                               [](const SearchKey& c) { return needs_content(c); });
    }
}

}  // namespace hermod::imap::message
