// async.cpp - the Asio side of the session: bridges from the store writer thread and the
// Argon2 pool back onto the connection's strand, and the idle watch (RFC 5321 §4.5.3.2).
// Security: completions always resume the coroutine on its own executor, never on the store's
// or the authenticator's threads, so session state is touched by one strand only.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/stream_impl.hpp"
#include "smtp/server/session_state.hpp"

namespace hermod::smtp {

namespace asio = boost::asio;

namespace {

/// Runs `start(callback)`; the callback may run on any thread and resumes the awaiting
/// coroutine on the coroutine's own executor with the callback's argument.
template <typename T, typename Start>
awaitable<T> await_callback(Start start) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
        [start = std::move(start)](auto handler) mutable {
            using Handler = decltype(handler);
            auto shared = std::make_shared<Handler>(std::move(handler));
            start([shared](T value) {
                auto ex = asio::get_associated_executor(*shared);
                asio::post(ex, [shared, value = std::move(value)]() mutable {
                    std::move (*shared)(std::move(value));
                });
            });
        },
        asio::use_awaitable);
}

}  // namespace

// Not coroutines themselves, and the strings travel in a shared_ptr: GCC 12 mis-relocates
// std::string captures carried from a coroutine frame into the initiation (seen under
// valgrind as a free of an SSO buffer inside the frame).
awaitable<std::vector<delivery::RcptResult>> deliver(
    delivery::Deliverer& d, delivery::Envelope envelope,
    std::shared_ptr<const store::StagedBlob> blob) {
    struct Args {
        delivery::Envelope envelope;
        std::shared_ptr<const store::StagedBlob> blob;
    };
    auto args = std::make_shared<Args>(Args{std::move(envelope), std::move(blob)});
    return await_callback<std::vector<delivery::RcptResult>>([&d, args](auto done) {
        std::size_t n = args->envelope.recipients.size();
        try {
            d.deliver_async(std::move(args->envelope), std::move(args->blob), done);
        } catch (const std::exception&) {
            // A synchronous failure is a temporary one for every recipient.
            done(std::vector<delivery::RcptResult>(n));
        }
    });
}

awaitable<auth::AuthResult> authenticate(auth::Authenticator& a, std::string login,
                                         std::string password, std::string ip) {
    struct Args {
        std::string login, password, ip;
    };
    auto args = std::make_shared<Args>(Args{std::move(login), std::move(password), std::move(ip)});
    return await_callback<auth::AuthResult>([&a, args](auto done) {
        a.check_async(std::move(args->login), std::move(args->password), std::move(args->ip), done);
    });
}

namespace {
/// Where large blobs are fsynced: a blocking fsync of a big message must not stall an I/O
/// thread (the server runs few of them).
asio::thread_pool& blob_pool() {
    static asio::thread_pool pool(2);
    return pool;
}

struct FinishResult {
    std::shared_ptr<const store::StagedBlob> blob;
    std::exception_ptr error;
};
}  // namespace

awaitable<std::shared_ptr<const store::StagedBlob>> finish_blob(MessageWriter& writer,
                                                                bool offload) {
    if (!offload) co_return writer.finish();
    MessageWriter* w = &writer;
    FinishResult r = co_await await_callback<FinishResult>([w](auto done) {
        asio::post(blob_pool(), [w, done] {
            FinishResult out;
            try {
                out.blob = w->finish();
            } catch (...) {
                out.error = std::current_exception();
            }
            done(std::move(out));
        });
    });
    if (r.error) std::rethrow_exception(r.error);
    co_return r.blob;
}

void join_background_threads() {
    // Pending fsyncs complete; their completions go to executors that have stopped by now and
    // are dropped. Joined here rather than by the static's destructor at exit, when the
    // store, logging and the other statics the jobs use may already be gone.
    blob_pool().join();
}

/// Shared between the session and its watch coroutine; the session outlives neither, so
/// the watch only touches the stream while `active` (set false before the session returns).
struct IdleWatch {
    explicit IdleWatch(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    bool active = true;
    bool waiting = false;    ///< the session is blocked reading the client
    bool timed_out = false;  ///< the watch fired: the session ends with 421 4.4.2
    std::uint64_t last_bytes = 0;
    std::chrono::steady_clock::time_point last_change = std::chrono::steady_clock::now();
};

void set_waiting(Session& s, bool waiting) {
    if (s.watch) s.watch->waiting = waiting;
}

bool idle_timed_out(const Session& s) {
    return s.watch && s.watch->timed_out;
}

void stop_idle_watch(Session& s) {
    if (!s.watch) return;
    s.watch->active = false;
    s.watch->timer.cancel();
    s.watch.reset();
}

awaitable<void> start_idle_watch(Session& s) {
    auto ex = co_await asio::this_coro::executor;
    auto w = std::make_shared<IdleWatch>(ex);
    s.watch = w;
    auto idle = std::chrono::seconds(std::max<std::uint32_t>(s.cfg.limits.idle_timeout_seconds, 1));
    // The net layer's own deadline closes silently; give ours room to say 421 first.
    s.stream.set_idle_timeout(idle + std::chrono::seconds(30));
    Session* session = &s;
    asio::co_spawn(
        ex,
        [w, session, idle]() -> awaitable<void> {
            // Polls at a quarter of the timeout: progress is read from the byte counters, so
            // no I/O path has to report activity.
            auto tick = std::max<std::chrono::steady_clock::duration>(
                idle / 4, std::chrono::milliseconds(100));
            while (w->active) {
                w->timer.expires_after(tick);
                co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));
                if (!w->active) co_return;
                auto bytes = session->stream.bytes_read() + session->stream.bytes_written();
                auto now = std::chrono::steady_clock::now();
                if (bytes != w->last_bytes || !w->waiting) {
                    w->last_bytes = bytes;
                    w->last_change = now;
                    continue;
                }
                if (now - w->last_change < idle) continue;
                // Silent client: cancel the pending read. The session, the stream's only writer,
                // sees the read fail and says 421 4.4.2 itself (idle_timed_out()); a write from
                // here could overlap one of the session's if the client woke up meanwhile.
                w->active = false;
                w->timed_out = true;
                boost::system::error_code ec;
                session->stream.impl().socket().cancel(ec);
                co_return;
            }
        },
        asio::detached);
}

}  // namespace hermod::smtp
