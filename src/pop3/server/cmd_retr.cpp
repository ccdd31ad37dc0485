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
/// Read-ahead: clients RETR one message after another, and a SQLite read transaction costs
/// more than reading a small body, so the next messages up to these bounds come in one read.
constexpr std::size_t kPrefetchCount = 16;
constexpr std::uint64_t kPrefetchBytes = 1 << 20;

/// The body of message `n` when it fits one chunk, from the read-ahead (filled here when
/// empty); nullopt when it must be read in ranges.
std::optional<std::string> small_body(Session& s, std::uint32_t n, const MaildropEntry& e) {
    if (e.size > kChunk) return std::nullopt;
    auto hit = s.prefetched.find(n);
    if (hit == s.prefetched.end()) {
        s.prefetched.clear();
        std::vector<std::uint32_t> numbers;
        std::vector<std::string> hashes;
        std::uint64_t bytes = 0;
        for (std::uint32_t k = n; k <= s.maildrop->size() && numbers.size() < kPrefetchCount; ++k) {
            const MaildropEntry* next = s.maildrop->find(k);
            if (!next || next->deleted || next->size > kChunk) continue;
            if (bytes + next->size > kPrefetchBytes) break;
            bytes += next->size;
            numbers.push_back(k);
            hashes.push_back(next->blob_hash);
        }
        auto bodies = s.store.read_small_blobs(hashes, kChunk);
        for (std::size_t i = 0; i < numbers.size(); ++i)
            if (bodies[i]) s.prefetched.emplace(numbers[i], std::move(*bodies[i]));
        hit = s.prefetched.find(n);
        if (hit == s.prefetched.end()) return std::nullopt;
    }
    std::string body = std::move(hit->second);
    s.prefetched.erase(hit);
    return body;
}
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
    std::optional<std::string> small;
    if (!offload) {
        try {
            small = small_body(s, n, *e);
        } catch (const std::exception& ex) {
            s.prefetched.clear();  // read again below, one range at a time
            spdlog::warn("pop3: {} {} read-ahead failed: {}", s.peer_ip, s.login, ex.what());
        }
    }
    for (;;) {
        job->offset = offset;
        if (small) {
            job->error.clear();
            job->data = std::move(*small);
            small.reset();
        } else if (offload) {
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
