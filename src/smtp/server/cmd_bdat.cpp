// cmd_bdat.cpp - BDAT (RFC 3030 CHUNKING): exactly the announced octets per chunk, no
// dot-stuffing; the message ends with BDAT ... LAST.
// Security: a refused chunk is still read and thrown away (RFC 3030 §2), so its octets are
// never taken for commands; reads never go past the chunk, so nothing is buffered twice.
#include <algorithm>
#include <span>

#include "smtp/server/session_state.hpp"

namespace hermod::smtp {

namespace {

/// Reads `n` octets, buffered ones first, handing each piece to `sink`.
template <typename Sink>
awaitable<bool> read_exactly(Session& s, std::uint64_t n, Sink sink) {
    auto& reader = s.stream.reader();
    std::size_t have =
        static_cast<std::size_t>(std::min<std::uint64_t>(reader.buffered().size(), n));
    if (have) {
        sink(reader.buffered().substr(0, have));
        reader.consume(have);
        n -= have;
    }
    std::span<char> buf = n ? s.data_buffer() : std::span<char>();
    while (n) {
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(n, buf.size()));
        auto io = co_await s.read_some(std::span<char>(buf.data(), want));
        if (io.ec) co_return false;
        sink(std::string_view(buf.data(), io.bytes));
        n -= io.bytes;
    }
    co_return true;
}
}  // namespace

awaitable<bool> skip_chunk(Session& s, std::uint64_t n) {
    co_return co_await read_exactly(s, n, [](std::string_view) {});
}

awaitable<void> cmd_bdat(Session& s, const proto::Command& cmd) {
    std::optional<proto::Reply> refusal;
    if (!s.in_mail)
        refusal = proto::bad_sequence("Need MAIL command");
    else if (s.recipients.empty())
        refusal = proto::need_recipients();
    if (refusal) {
        if (!co_await skip_chunk(s, cmd.chunk_size)) {
            s.quit = true;
            co_return;
        }
        s.reply(*refusal);
        co_return;
    }
    if (!s.bdat) {
        BdatState st;
        st.writer = open_message(s);
        proto::BdatLimits limits;
        limits.max_size = s.cfg.limits.max_message_size;
        st.receiver = std::make_unique<proto::BdatReceiver>(
            limits, [w = st.writer.get()](std::string_view c) { w->write(c); });
        s.bdat = std::move(st);
    }
    auto& rx = *s.bdat->receiver;
    rx.begin_chunk(cmd.chunk_size, cmd.last);
    bool ok = co_await read_exactly(s, cmd.chunk_size, [&rx](std::string_view c) { rx.feed(c); });
    if (!ok) {
        s.quit = true;
        s.out.clear();
        co_return;
    }
    if (auto r = proto::rejection_reply(rx.outcome())) {
        // RFC 3030 §2: the transaction has failed; later chunks get 503 until a new MAIL. After
        // LAST, LMTP answers once per recipient (RFC 2033 §4.2); a refused middle chunk gets
        // its one reply.
        if (cmd.last)
            refuse_message(s, *r, true);
        else {
            s.reply(*r);
            s.reset_transaction();
        }
        co_return;
    }
    if (!cmd.last) {
        s.reply(proto::bdat_ok(cmd.chunk_size));
        co_return;
    }
    auto writer = std::move(s.bdat->writer);
    co_await finish_message(s, *writer);
}

}  // namespace hermod::smtp
