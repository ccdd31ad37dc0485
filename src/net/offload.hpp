// offload.hpp - runs blocking work (a store write that waits for its group-commit fsync, a
// large blob read) off the I/O threads, and bridges completions from foreign threads (the
// store writer, the Argon2 pool) back onto a session's own executor.
// Security: the coroutine always resumes on its own executor, never on the worker thread, so
// session state is only ever touched by its strand.
// GCC 12: do not write a capturing lambda temporary inside the co_await expression
// (`co_await run_blocking([p] {...})` double-frees the captures). Build a named std::function
// and pass it with std::move, or call from a plain (non-coroutine) helper that returns the
// awaitable, as src/pop3/server/async.cpp does.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>

namespace hermod::net {

/// Runs `work` on a small process-wide pool of threads meant for blocking calls and resumes the
/// caller on its executor when it returns. An exception thrown by `work` is rethrown here.
boost::asio::awaitable<void> run_blocking(std::function<void()> work);

/// Calls `start(done)` at once; `done` may be called exactly once, from any thread, and resumes
/// the caller on its executor. Carry results in state both sides share (a shared_ptr).
boost::asio::awaitable<void> await_done(std::function<void(std::function<void()> done)> start);

/// Waits for the blocking pool's queued work to finish and joins its threads. Call once at
/// process shutdown, after every server has stopped (completions to stopped executors are
/// dropped).
void join_blocking_threads();

}  // namespace hermod::net
