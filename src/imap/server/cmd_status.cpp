// cmd_status.cpp - STATUS (RFC 9051 §6.3.11). Allowed on the selected mailbox too (§6.3.11:
// clients should not, servers must answer it); what changed there is still announced by
// done()'s sync, after the STATUS response and before the tagged OK.
// RECENT (IMAP4rev1 only) is answered 0. HIGHESTMODSEQ (RFC 7162 §3.1.6) is answered although
// CONDSTORE is not advertised: the value exists and refusing a harmless item helps no one.
#include "imap/proto/arguments.hpp"
#include "imap/server/session_state.hpp"
#include "imap/server/status_response.hpp"

namespace hermod::imap {

awaitable<void> cmd_status(Session& s, proto::Parser& p) {
    auto req = proto::parse_status(p);
    if (!req) {
        parse_failed(s, p);
        co_return;
    }
    std::string out;
    try {
        auto mb = s.find_mailbox(req->mailbox);
        if (!mb) {
            s.done(Status::No, "no such mailbox", {Code::Nonexistent, {}});
            co_return;
        }
        append_status_response(out, s.store, *mb, req->items, s.encode_options());
    } catch (const std::exception& e) {
        store_failed(s, e, "STATUS");
        co_return;
    }
    s.send(out);
    s.done(Status::Ok, "STATUS completed");
}

}  // namespace hermod::imap
