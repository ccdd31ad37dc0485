// arguments.cpp - STORE, STATUS, LIST/LSUB, APPEND, ENABLE, ID and the simple commands
// (RFC 9051 §6.3-6.4 and §9; RFC 7162, 5258, 5819, 6154, 3502, 3516, 6855, 5161, 2971).
#include "imap/proto/arguments.hpp"

#include <array>

#include "common/ascii.hpp"

namespace hermod::imap::proto {

namespace {

struct StatusName {
    std::string_view name;
    std::uint16_t bit;
};
constexpr std::array<StatusName, 8> kStatusNames{{
    {"MESSAGES", kStatusMessages},
    {"UIDNEXT", kStatusUidNext},
    {"UIDVALIDITY", kStatusUidValidity},
    {"UNSEEN", kStatusUnseen},
    {"DELETED", kStatusDeleted},
    {"SIZE", kStatusSize},
    {"RECENT", kStatusRecent},
    {"HIGHESTMODSEQ", kStatusHighestModSeq},
}};

// "(" status-att *(SP status-att) ")"
std::optional<std::uint16_t> status_items(Parser& p) {
    if (!p.expect('(', "to open the status items")) return std::nullopt;
    std::uint16_t items = 0;
    while (true) {
        bool found = false;
        for (const auto& s : kStatusNames) {
            if (p.accept_keyword(s.name)) {
                items |= s.bit;
                found = true;
                break;
            }
        }
        if (!found) {
            p.fail(
                "unknown status item (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE "
                "RECENT HIGHESTMODSEQ)");
            return std::nullopt;
        }
        if (p.accept(')')) return items;
        if (!p.expect(' ', "or ')' in the status items")) return std::nullopt;
    }
}

// append-message after the SP: [flag-list SP] [date-time SP] append-data. `partial`: the
// command may end right after the literal (the assembler asking about the literal just read).
std::optional<AppendMessage> append_message(Parser& p, bool partial = false) {
    AppendMessage m;
    if (p.peek('(')) {
        auto flags = p.flag_list();
        if (!flags || !p.sp()) return std::nullopt;
        m.flags = std::move(*flags);
    }
    if (p.peek('"')) {
        auto dt = p.date_time();
        if (!dt || !p.sp()) return std::nullopt;
        m.internal_date = *dt;
    }
    if (p.accept_keyword("UTF8")) {  // RFC 6855 §4: "UTF8" SP "(" literal8 ")"
        m.utf8 = true;
        if (!p.sp() || !p.expect('(', "after UTF8")) return std::nullopt;
        auto lit = p.literal(true);
        if (!lit) return std::nullopt;
        m.literal = *lit;
        if (partial && p.at_end()) return m;
        if (!p.expect(')', "after the UTF8 literal")) return std::nullopt;
        return m;
    }
    auto lit = p.literal(true);  // RFC 3516 §4.4: APPEND takes literal8 too
    if (!lit) return std::nullopt;
    m.literal = *lit;
    return m;
}

}  // namespace

std::vector<std::string_view> status_item_names(std::uint16_t items) {
    std::vector<std::string_view> out;
    for (const auto& s : kStatusNames)
        if (items & s.bit) out.push_back(s.name);
    return out;
}

std::optional<StoreRequest> parse_store(Parser& p) {
    StoreRequest req;
    if (!p.sp()) return std::nullopt;
    auto set = p.sequence_set();
    if (!set || !p.sp()) return std::nullopt;
    req.set = std::move(*set);
    if (p.accept('(')) {  // store-modifiers (RFC 4466 §2.5, RFC 7162 §3.1.3)
        if (!p.accept_keyword("UNCHANGEDSINCE")) {
            p.fail("unknown STORE modifier");
            return std::nullopt;
        }
        if (!p.sp()) return std::nullopt;
        auto n = p.number64();
        if (!n || !p.expect(')', "after UNCHANGEDSINCE") || !p.sp()) return std::nullopt;
        req.unchanged_since = *n;
    }
    if (p.accept('+'))
        req.op = StoreRequest::Op::Add;
    else if (p.accept('-'))
        req.op = StoreRequest::Op::Remove;
    if (!p.accept_keyword("FLAGS")) {
        p.fail("expected FLAGS, +FLAGS or -FLAGS");
        return std::nullopt;
    }
    if (p.accept('.')) {
        if (!p.accept_keyword("SILENT")) {
            p.fail("expected FLAGS.SILENT");
            return std::nullopt;
        }
        req.silent = true;
    }
    if (!p.sp()) return std::nullopt;
    if (p.peek('(')) {
        auto flags = p.flag_list();
        if (!flags) return std::nullopt;
        req.flags = std::move(*flags);
    } else {  // flag *(SP flag)
        while (true) {
            auto f = p.flag();
            if (!f) return std::nullopt;
            req.flags.push_back(std::move(*f));
            if (!p.accept(' ')) break;
        }
    }
    if (!p.end()) return std::nullopt;
    return req;
}

std::optional<StatusRequest> parse_status(Parser& p) {
    StatusRequest req;
    if (!p.sp()) return std::nullopt;
    auto mb = p.mailbox();
    if (!mb || !p.sp()) return std::nullopt;
    req.mailbox = std::move(*mb);
    auto items = status_items(p);
    if (!items || !p.end()) return std::nullopt;
    req.items = *items;
    return req;
}

std::optional<ListRequest> parse_list(Parser& p, bool lsub) {
    ListRequest req;
    if (!p.sp()) return std::nullopt;
    if (!lsub && p.accept('(')) {  // list-select-opts (RFC 5258 §3.1)
        req.extended = true;
        bool any = false;
        while (!p.accept(')')) {
            if (any && !p.expect(' ', "or ')' in the selection options")) return std::nullopt;
            any = true;
            if (p.accept_keyword("SUBSCRIBED"))
                req.select_subscribed = true;
            else if (p.accept_keyword("REMOTE"))
                req.select_remote = true;
            else if (p.accept_keyword("RECURSIVEMATCH"))
                req.select_recursive_match = true;
            else if (p.accept_keyword("SPECIAL-USE"))
                req.select_special_use = true;
            else {
                p.fail("unknown LIST selection option");
                return std::nullopt;
            }
        }
        // RFC 5258 §3.1: RECURSIVEMATCH needs another selection option it can modify.
        if (req.select_recursive_match && !req.select_subscribed && !req.select_special_use) {
            p.fail("RECURSIVEMATCH requires SUBSCRIBED or SPECIAL-USE");
            return std::nullopt;
        }
        if (!p.sp()) return std::nullopt;
    }
    auto ref = p.mailbox();
    if (!ref || !p.sp()) return std::nullopt;
    req.reference = std::move(*ref);
    if (!lsub && p.accept('(')) {  // patterns (RFC 5258 §3)
        req.extended = true;
        while (true) {
            auto pat = p.list_mailbox();
            if (!pat) return std::nullopt;
            req.patterns.push_back(std::move(*pat));
            if (p.accept(')')) break;
            if (!p.expect(' ', "or ')' in the pattern list")) return std::nullopt;
        }
    } else {
        auto pat = p.list_mailbox();
        if (!pat) return std::nullopt;
        req.patterns.push_back(std::move(*pat));
    }
    if (!lsub && p.accept(' ')) {  // list-return-opts (RFC 5258 §3.2)
        req.extended = true;
        if (!p.accept_keyword("RETURN")) {
            p.fail("expected RETURN");
            return std::nullopt;
        }
        if (!p.sp() || !p.expect('(', "to open the RETURN options")) return std::nullopt;
        bool any = false;
        while (!p.accept(')')) {
            if (any && !p.expect(' ', "or ')' in the RETURN options")) return std::nullopt;
            any = true;
            if (p.accept_keyword("SUBSCRIBED")) {
                req.return_subscribed = true;
            } else if (p.accept_keyword("CHILDREN")) {
                req.return_children = true;
            } else if (p.accept_keyword("SPECIAL-USE")) {
                req.return_special_use = true;
            } else if (p.accept_keyword("STATUS")) {  // RFC 5819 §2
                if (!p.sp()) return std::nullopt;
                auto items = status_items(p);
                if (!items) return std::nullopt;
                req.return_status = *items;
            } else {
                p.fail("unknown LIST RETURN option");
                return std::nullopt;
            }
        }
    }
    if (!p.end()) return std::nullopt;
    return req;
}

std::optional<AppendRequest> parse_append(Parser& p) {
    AppendRequest req;
    if (!p.sp()) return std::nullopt;
    auto mb = p.mailbox();
    if (!mb) return std::nullopt;
    req.mailbox = std::move(*mb);
    do {
        if (!p.sp()) return std::nullopt;
        auto m = append_message(p);
        if (!m) return std::nullopt;
        req.messages.push_back(std::move(*m));
    } while (!p.at_end());
    if (!p.end()) return std::nullopt;
    return req;
}

bool append_literal_is_message(const CommandBuffer& command, std::size_t index,
                               ParserOptions options) {
    Parser p(command, options);
    auto head = p.command_head();
    if (!head || head->verb != Verb::Append || head->uid || !p.sp() || !p.mailbox()) return false;
    while (true) {
        if (!p.sp()) return false;
        auto m = append_message(p, true);
        if (!m) return false;
        if (m->literal.index == index) return true;
        if (m->literal.index > index || p.at_end()) return false;
    }
}

std::optional<std::vector<std::string>> parse_enable(Parser& p) {
    std::vector<std::string> caps;
    do {
        if (!p.sp()) return std::nullopt;
        auto a = p.atom();
        if (!a) return std::nullopt;
        std::string cap(*a);
        for (char& c : cap)
            c = ascii_upper(c);
        caps.push_back(std::move(cap));
    } while (!p.at_end());
    if (!p.end()) return std::nullopt;
    return caps;
}

std::optional<IdParams> parse_id(Parser& p) {
    IdParams params;
    if (!p.sp()) return std::nullopt;
    if (p.accept_keyword("NIL")) {
        if (!p.end()) return std::nullopt;
        return params;
    }
    if (!p.expect('(', "or NIL")) return std::nullopt;
    bool any = false;
    while (!p.accept(')')) {
        if (any && !p.expect(' ', "or ')' in the ID list")) return std::nullopt;
        any = true;
        auto field = p.string();
        if (!field || !p.sp()) return std::nullopt;
        auto value = p.nstring();
        if (!value) return std::nullopt;
        if (params.size() >= kMaxIdPairs) {
            p.fail("too many ID fields (RFC 2971 section 3.3)");
            return std::nullopt;
        }
        if (field->size() > kMaxIdField || (*value && (*value)->size() > kMaxIdValue)) {
            p.fail("ID field or value too long (RFC 2971 section 3.3)");
            return std::nullopt;
        }
        params.emplace_back(std::move(*field), std::move(*value));
    }
    if (!p.end()) return std::nullopt;
    return params;
}

std::optional<LoginRequest> parse_login(Parser& p) {
    LoginRequest req;
    if (!p.sp()) return std::nullopt;
    auto user = p.astring();
    if (!user || !p.sp()) return std::nullopt;
    auto pass = p.astring();
    if (!pass || !p.end()) return std::nullopt;
    req.user = std::move(*user);
    req.password = std::move(*pass);
    return req;
}

std::optional<SelectRequest> parse_select(Parser& p) {
    SelectRequest req;
    if (!p.sp()) return std::nullopt;
    auto mb = p.mailbox();
    if (!mb) return std::nullopt;
    req.mailbox = std::move(*mb);
    if (p.accept(' ')) {  // select-params (RFC 4466 §2.1)
        if (!p.expect('(', "to open the SELECT parameters")) return std::nullopt;
        if (!p.accept_keyword("CONDSTORE")) {
            p.fail("unknown SELECT parameter");
            return std::nullopt;
        }
        if (!p.expect(')', "after CONDSTORE")) return std::nullopt;
        req.condstore = true;
    }
    if (!p.end()) return std::nullopt;
    return req;
}

std::optional<CopyRequest> parse_copy(Parser& p) {
    CopyRequest req;
    if (!p.sp()) return std::nullopt;
    auto set = p.sequence_set();
    if (!set || !p.sp()) return std::nullopt;
    auto mb = p.mailbox();
    if (!mb || !p.end()) return std::nullopt;
    req.set = std::move(*set);
    req.mailbox = std::move(*mb);
    return req;
}

std::optional<std::string> parse_mailbox_argument(Parser& p) {
    if (!p.sp()) return std::nullopt;
    auto mb = p.mailbox();
    if (!mb || !p.end()) return std::nullopt;
    return mb;
}

std::optional<std::pair<std::string, std::string>> parse_rename(Parser& p) {
    if (!p.sp()) return std::nullopt;
    auto from = p.mailbox();
    if (!from || !p.sp()) return std::nullopt;
    auto to = p.mailbox();
    if (!to || !p.end()) return std::nullopt;
    return std::make_pair(std::move(*from), std::move(*to));
}

}  // namespace hermod::imap::proto
