// cmd_retr.cpp - RETR and TOP (RFC 1939 §7): a stored message streamed as a multi-line
// response, dot-stuffed by proto::MessageEncoder, in 64 KiB ranges of its blob.
// Security: the whole message is never held in memory, whatever its size; each chunk is
// written before the next is read, so a slow reader holds back the store reads, not memory.
#include <fmt/format.h>

#include "common/log.hpp"
#include "pop3/proto/message_encoder.hpp"
#include "pop3/server/session_state.hpp"

namespace hermod::pop3 {

namespace {
constexpr std::uint64_t kChunk = 64 * 1024;
/// Bodies above this live in their own files (store inline_blob_max default): read them on the
/// blocking pool. Inline ones are quick SQLite reads.
constexpr std::uint64_t kOffloadAbove = 1 << 20;
}  // namespace

awaitable<void> cmd_retr(Session& s, const proto::Command& cmd) {
    bool top = cmd.verb == proto::Verb::Top;
    std::uint32_t n = 0;
    const MaildropEntry* e = message_arg(s, cmd.args.at(0), n);
    if (!e) co_return;
    std::optional<std::uint32_t> lines;
    if (top) {
        lines = proto::parse_number(cmd.args.at(1));
        if (!lines) {
            s.reply(proto::err("invalid line count"));
            co_return;
        }
    }
    const std::uint64_t size = e->size;
    const bool offload = size > kOffloadAbove;
    auto job = std::make_shared<StoreJob>();
    job->store = &s.store;
    job->hash = e->blob_hash;
    job->length = kChunk;

    proto::MessageEncoder encoder(lines);
    std::uint64_t offset = 0;
    bool started = false;
    for (;;) {
        job->offset = offset;
        if (offload) {
            co_await read_blob_offloaded(job);
        } else {
            job->read_blob();  // inline blob: a quick SQLite read
        }
        if (!job->error.empty()) {
            spdlog::warn("pop3: {} {} reading message {} failed: {}", s.peer_ip, s.login, n,
                         job->error);
            if (!started) {
                s.reply(proto::temporary_failure());
            } else {
                // Mid-response: the client sees the connection end without the final ".".
                s.quit = true;
            }
            co_return;
        }
        if (!started) {
            started = true;
            s.reply(top ? proto::ok("top of message follows")
                        : proto::ok(fmt::format("{} octets", size)));
        }
        offset += job->data.size();
        encoder.feed(job->data, s.out);
        if (job->data.size() < kChunk || offset >= size || encoder.done()) break;
        bool ok = co_await s.flush();
        if (!ok) {
            s.quit = true;
            co_return;
        }
    }
    encoder.finish(s.out);
    if (!top) s.maildrop->mark_retrieved(n);
}

}  // namespace hermod::pop3
