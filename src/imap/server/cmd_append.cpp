// cmd_append.cpp - APPEND (RFC 9051 §6.3.12; RFC 3502 MULTIAPPEND, all messages in one
// transaction; RFC 3516 literal8; RFC 6855 §4 UTF8 (~{n})), answering APPENDUID (RFC 4315 §3).
// The message octets were streamed into blobs by the session loop while the command was read,
// with bare LF turned into CRLF.
#include "imap/proto/arguments.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> cmd_append(Session& s, proto::Parser& p) {
    auto req = proto::parse_append(p);
    if (!req) {
        parse_failed(s, p);
        co_return;
    }
    std::optional<store::Mailbox> mb;
    try {
        mb = s.find_mailbox(req->mailbox);
    } catch (const std::exception& e) {
        store_failed(s, e, "append");
        co_return;
    }
    if (!mb) {
        // RFC 9051 §6.3.12: TRYCREATE when the mailbox could be created.
        s.done(Status::No, "no such mailbox", {Code::TryCreate, {}});
        co_return;
    }
    std::vector<store::NewMessage> messages;
    for (const auto& m : req->messages) {
        if (m.literal.has_nul && !m.literal.binary) {
            s.done(Status::No, "NUL octet in a message; use literal8", {Code::Cannot, {}});
            co_return;
        }
        if (m.literal.size == 0) {
            s.done(Status::No, "empty message", {Code::Cannot, {}});
            co_return;
        }
        store::NewMessage nm;
        nm.mailbox_id = mb->id;
        split_flags(m.flags, nm.flags, nm.keywords);
        if (m.internal_date) nm.internal_date = m.internal_date->to_unix();
        if (m.literal.streamed) {
            for (const auto& b : s.append_blobs)
                if (b.literal_index == m.literal.index) nm.blob = b.blob;
        } else {
            auto writer = s.store.new_blob();
            writer->write(m.literal.data);
            nm.blob = writer->finish();
        }
        if (!nm.blob) {
            s.done(Status::No, "message data missing", {Code::ServerBug, {}});
            co_return;
        }
        messages.push_back(std::move(nm));
    }
    std::vector<store::Appended> appended;
    auto job = std::make_shared<BlockingJob>();
    store::Store* st = &s.store;
    job->work = [st, &messages, &appended] { appended = st->append(std::move(messages)); };
    co_await run_job(job);
    if (job->error) {
        store_failed(s, job->error, "append");
        co_return;
    }
    std::vector<std::uint32_t> uids;
    for (const auto& a : appended)
        uids.push_back(a.uid);
    // RFC 9051 §6.3.12: appending to the selected mailbox announces the new message (EXISTS):
    // the store told the watch before the append completed, so done() sends it.
    s.done(Status::Ok, "APPEND completed", proto::appenduid(mb->uidvalidity, uids));
}

}  // namespace hermod::imap
