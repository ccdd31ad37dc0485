// cmd_idle.cpp - IDLE (RFC 2177, RFC 9051 §6.3.13): after "+ idling" the session waits for the
// client's DONE while a second coroutine on the same strand sends mailbox updates as the store's
// watch reports them (EXISTS, EXPUNGE, FETCH FLAGS at once, RFC 9051 §7.5.1 allows all three
// here). Reads and writes never overlap with themselves: the loop only reads, the pusher only
// writes, and the loop waits for the pusher to stop before it answers.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/ascii.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// Shared by the loop, the pusher and the watch's wake-up; touched only on the session's strand.
struct IdleState {
    explicit IdleState(const asio::any_io_executor& ex) : wake(ex), finished(ex) {}
    asio::steady_timer wake;      ///< cancelled to wake the pusher
    asio::steady_timer finished;  ///< cancelled when the pusher ends
    bool pending = false;         ///< a change arrived while the pusher was busy
    bool stop = false;
    bool running = false;
};

awaitable<void> push_updates(Session& s, std::shared_ptr<IdleState> st) {
    st->running = true;
    while (!st->stop) {
        if (!st->pending) {
            st->wake.expires_at(asio::steady_timer::time_point::max());
            co_await st->wake.async_wait(kTuple);
            if (st->stop) break;
        }
        st->pending = false;
        try {
            s.sync_selected(true);
        } catch (const std::exception&) {
            // A failed read is retried at the next change or after DONE.
        }
        if (!s.out.empty() && !co_await s.flush()) break;
    }
    st->running = false;
    st->finished.cancel();
}

}  // namespace

awaitable<void> cmd_idle(Session& s, proto::Parser& p) {
    if (!p.end()) {
        parse_failed(s, p);
        co_return;
    }
    // Updates owed from before are sent right away, then the continuation.
    if (s.selected) s.sync_selected(true);
    s.send(proto::continuation("idling"));
    if (!co_await s.flush()) {
        s.logout = true;
        co_return;
    }
    auto ex = co_await asio::this_coro::executor;
    auto st = std::make_shared<IdleState>(ex);
    std::shared_ptr<Waker> waker = s.selected ? s.selected->waker : nullptr;
    if (waker) {
        // Runs on the store's writer thread: only hand over to the strand.
        std::weak_ptr<IdleState> weak = st;
        waker->set([weak, ex] {
            asio::post(ex, [weak] {
                if (auto state = weak.lock()) {
                    state->pending = true;
                    state->wake.cancel();
                }
            });
        });
        asio::co_spawn(ex, push_updates(s, st), asio::detached);
    }
    auto line = co_await s.stream.read_line();
    st->stop = true;
    st->wake.cancel();
    if (waker) waker->set(nullptr);
    while (st->running) {
        st->finished.expires_at(asio::steady_timer::time_point::max());
        co_await st->finished.async_wait(kTuple);
    }
    if (line.ec) {
        s.logout = true;
        co_return;
    }
    if (line.line.status != net::LineReader::Status::Line || !iequals(line.line.text, "DONE")) {
        s.done(Status::Bad, "expected DONE");
        co_return;
    }
    s.done(Status::Ok, "IDLE terminated");
}

}  // namespace hermod::imap
