// cmd_list.cpp - LIST (RFC 9051 §6.3.9 with RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE,
// RFC 5819 LIST-STATUS) and LSUB (RFC 3501 §6.3.9). append_list_responses() (list_match.cpp)
// builds the responses over the account's mailbox list by these rules.
//
// Empty pattern (alone, no selection options): the separator and the reference's root,
// LIST "" "" -> * LIST (\Noselect) "/" "" (§6.3.9).
//
// Matching: the reference is prepended to each pattern; "*" matches across the separator "/",
// "%" does not; INBOX matches without case. Names come out INBOX first, then in byte order.
//
// Attributes: \HasChildren / \HasNoChildren always (RFC 9051 §7.3.1, so RETURN (CHILDREN)
// changes nothing); the special-use attribute always (RFC 6154 §2 allows it without RETURN
// (SPECIAL-USE); Dovecot does the same); \Subscribed with RETURN (SUBSCRIBED) or the
// SUBSCRIBED selection option (which implies that return option, RFC 5258 §3.1).
//
// Superior names that are no mailbox ("a" when only "a/b" exists) are listed when a pattern
// ending in "%" matches them (RFC 9051 §6.3.9): as \NonExistent (RFC 5258 §3.4; implies
// \Noselect) to IMAP4rev2 sessions and extended LIST commands, as \Noselect to a plain
// IMAP4rev1 LIST.
//
// Selection options: SUBSCRIBED and SPECIAL-USE (both given: both must hold) list only the
// mailboxes satisfying them; RECURSIVEMATCH adds the matching names having a descendant that
// satisfies them but matches no pattern, with CHILDINFO (RFC 5258 §3.5); REMOTE changes
// nothing (there are no remote mailboxes).
//
// RETURN (STATUS (...)): a STATUS response right after the LIST of every listed mailbox that
// exists (RFC 5819 §2); a mailbox deleted meanwhile gets none.
//
// LSUB: the subscribed mailboxes, without attributes; with a pattern ending in "%", a name that
// is not subscribed but has subscribed inferiors is listed with \Noselect (RFC 3501 §6.3.9).
#include <string>

#include "imap/proto/arguments.hpp"
#include "imap/server/list_match.hpp"
#include "imap/server/session_state.hpp"
#include "imap/server/status_response.hpp"

namespace hermod::imap {

namespace {

/// The untagged responses; throws on store errors.
void list_responses(Session& s, const proto::ListRequest& req, bool lsub, std::string& out) {
    ListMode mode;
    mode.lsub = lsub;
    mode.rev2 = s.rev2;
    mode.encode = s.encode_options();
    auto* store = &s.store;
    const std::uint16_t items = req.return_status.value_or(0);
    ListStatusFn status = [store, items, enc = mode.encode](std::string& o,
                                                            const store::Mailbox& mb) {
        try {
            append_status_response(o, *store, mb, items, enc);
        } catch (const store::StoreError& e) {
            if (e.kind() != store::ErrorKind::NotFound) throw;  // deleted meanwhile: skipped
        }
    };
    append_list_responses(out, s.store.list_mailboxes(s.account_id), req, mode, status);
}

awaitable<void> run_list(Session& s, proto::Parser& p, bool lsub) {
    auto req = proto::parse_list(p, lsub);
    if (!req) {
        parse_failed(s, p);
        co_return;
    }
    std::string out;
    try {
        list_responses(s, *req, lsub, out);
    } catch (const std::exception& e) {
        store_failed(s, e, lsub ? "LSUB" : "LIST");
        co_return;
    }
    s.send(out);
    s.done(Status::Ok, lsub ? "LSUB completed" : "LIST completed");
}

}  // namespace

awaitable<void> cmd_list(Session& s, proto::Parser& p) {
    return run_list(s, p, false);
}

awaitable<void> cmd_lsub(Session& s, proto::Parser& p) {
    return run_list(s, p, true);
}

}  // namespace hermod::imap
