// cmd_copy.cpp - COPY (RFC 9051 §6.4.7) and MOVE (RFC 6851, RFC 9051 §6.4.8), and their UID forms:
// one store transaction each (a MOVE copies and expunges atomically), COPYUID (RFC 4315 §3) for
// the client to find the new messages.
#include "imap/proto/arguments.hpp"
#include "imap/proto/sequence_set.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

namespace {

awaitable<void> copy_or_move(Session& s, proto::Parser& p, bool move) {
    auto req = proto::parse_copy(p);
    if (!req) {
        parse_failed(s, p);
        co_return;
    }
    bool ok = true;
    auto seqs = s.selected->resolve(req->set, s.uid_command, s.saved_search, ok);
    if (!ok) {
        s.done(Status::Bad, "invalid message sequence number");
        co_return;
    }
    if (move && s.selected->read_only()) {
        s.done(Status::No, "mailbox is read-only", {Code::ReadOnly, {}});
        co_return;
    }
    std::optional<store::Mailbox> dest;
    try {
        dest = s.find_mailbox(req->mailbox);
    } catch (const std::exception& e) {
        store_failed(s, e, "copy");
        co_return;
    }
    if (!dest) {
        // RFC 9051 §6.4.7: TRYCREATE tells the client it may create the mailbox and retry.
        s.done(Status::No, "no such mailbox", {Code::TryCreate, {}});
        co_return;
    }
    std::vector<std::uint32_t> uids;
    for (auto seq : seqs)
        if (!s.selected->at(seq).expunged) uids.push_back(s.selected->at(seq).uid);
    if (uids.empty()) {
        // RFC 9051 §6.4.7 / §6.4.9: nothing to copy is not an error for UID sets.
        s.done(Status::Ok, move ? "MOVE completed" : "COPY completed");
        co_return;
    }
    store::CopyResult result;
    auto job = std::make_shared<BlockingJob>();
    store::Store* st = &s.store;
    store::Id from = s.selected->id();
    store::Id to = dest->id;
    job->work = [st, from, to, &uids, &result, move] {
        result = move ? st->move_messages(from, uids, to) : st->copy_messages(from, uids, to);
    };
    co_await run_job(job);
    if (job->error) {
        store_failed(s, job->error, move ? "move" : "copy");
        co_return;
    }
    std::vector<std::uint32_t> new_uids;
    for (const auto& a : result.appended)
        new_uids.push_back(a.uid);
    auto code = proto::copyuid(dest->uidvalidity, result.source_uids, new_uids);
    // A copy into the selected mailbox reaches the view through its watch (the store tells
    // watches before a write completes), so done() announces the new messages.
    if (!move) {
        s.done(Status::Ok, "COPY completed", result.source_uids.empty() ? ResponseCode{} : code);
        co_return;
    }
    // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGE responses.
    if (!result.source_uids.empty()) s.untagged(Status::Ok, "moved", code);
    for (auto it = result.source_uids.rbegin(); it != result.source_uids.rend(); ++it) {
        auto seq = s.selected->seq_of(*it);
        if (!seq) continue;
        s.send("* " + std::to_string(seq) + " EXPUNGE\r\n");
        s.selected->erase(seq);
    }
    s.done(Status::Ok, "MOVE completed");
}

}  // namespace

awaitable<void> cmd_copy(Session& s, proto::Parser& p) {
    co_await copy_or_move(s, p, false);
}

awaitable<void> cmd_move(Session& s, proto::Parser& p) {
    co_await copy_or_move(s, p, true);
}

}  // namespace hermod::imap
