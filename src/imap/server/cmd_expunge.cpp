// cmd_expunge.cpp - EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1, RFC 9051 §6.4.9):
// removes the \Deleted messages (of the given UID set) and reports each removal.
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> cmd_expunge(Session& s, proto::Parser& p) {
    std::vector<std::uint32_t> in_set;
    bool limited = s.uid_command;
    if (limited) {
        std::optional<proto::SequenceSet> set;
        if (p.sp()) set = p.sequence_set();
        if (!set || !p.end()) {
            parse_failed(s, p);
            co_return;
        }
        bool ok = true;
        in_set = s.selected->resolve(*set, true, s.saved_search, ok);
    } else if (!p.end()) {
        parse_failed(s, p);
        co_return;
    }
    if (s.selected->read_only()) {
        s.done(Status::No, "mailbox is read-only", {Code::ReadOnly, {}});
        co_return;
    }
    std::vector<std::uint32_t> uids;
    auto consider = [&](std::uint32_t seq) {
        const auto& m = s.selected->at(seq);
        if (!m.expunged && (m.flags & store::kDeleted)) uids.push_back(m.uid);
    };
    if (limited) {
        for (auto seq : in_set)
            consider(seq);
    } else {
        for (std::uint32_t seq = 1; seq <= s.selected->exists(); ++seq)
            consider(seq);
    }
    if (!uids.empty()) {
        auto job = std::make_shared<BlockingJob>();
        store::Store* st = &s.store;
        store::Id mailbox = s.selected->id();
        job->work = [st, mailbox, &uids] { st->expunge(mailbox, uids); };
        co_await run_job(job);
        if (job->error) {
            store_failed(s, job->error, "expunge");
            co_return;
        }
        // Highest sequence number first: each number stays valid as the client applies it.
        for (auto it = uids.rbegin(); it != uids.rend(); ++it) {
            auto seq = s.selected->seq_of(*it);
            if (!seq) continue;
            s.send("* " + std::to_string(seq) + " EXPUNGE\r\n");
            s.selected->erase(seq);
        }
    }
    s.done(Status::Ok, "EXPUNGE completed");
}

}  // namespace hermod::imap
