// cmd_close.cpp - CLOSE (RFC 9051 §6.4.1: removes \Deleted messages silently when read-write) and
// UNSELECT (RFC 3691, RFC 9051 §6.4.2: removes nothing). Both return to the authenticated state
// without untagged EXPUNGE responses.
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> cmd_close(Session& s, proto::Parser& p) {
    if (!p.end()) {
        parse_failed(s, p);
        co_return;
    }
    std::vector<std::uint32_t> uids;
    store::Id mailbox = s.selected->id();
    if (!s.selected->read_only()) {
        for (const auto& m : s.selected->messages())
            if (!m.expunged && (m.flags & store::kDeleted)) uids.push_back(m.uid);
    }
    s.deselect();
    if (!uids.empty()) {
        auto job = std::make_shared<BlockingJob>();
        store::Store* st = &s.store;
        job->work = [st, mailbox, &uids] { st->expunge(mailbox, uids); };
        co_await run_job(job);
        if (job->error) {
            store_failed(s, job->error, "close");
            co_return;
        }
    }
    s.done(Status::Ok, "CLOSE completed");
}

awaitable<void> cmd_unselect(Session& s, proto::Parser& p) {
    if (!p.end()) {
        parse_failed(s, p);
        co_return;
    }
    s.deselect();
    s.done(Status::Ok, "UNSELECT completed");
}

}  // namespace hermod::imap
