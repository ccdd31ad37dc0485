// offload.cpp - the blocking pool and the completion bridge of offload.hpp.
#include "net/offload.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>

namespace hermod::net {

namespace asio = boost::asio;

namespace {

/// Threads that mostly sleep in fsync or a disk read: more than the cores, so that many
/// sessions' writes meet in one group commit instead of queueing behind each other.
asio::thread_pool& blocking_pool() {
    static asio::thread_pool pool(8);
    return pool;
}

}  // namespace

asio::awaitable<void> await_done(std::function<void(std::function<void()> done)> start) {
    return asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [start = std::move(start)](auto handler) mutable {
            using Handler = decltype(handler);
            auto shared = std::make_shared<Handler>(std::move(handler));
            start([shared] {
                auto ex = asio::get_associated_executor(*shared);
                asio::post(ex, [shared]() mutable { std::move (*shared)(); });
            });
        },
        asio::use_awaitable);
}

// Not a coroutine: GCC 12 destroyed the captures of a lambda temporary inside a co_await
// expression twice (a double free of the shared error and job, seen under valgrind on the
// first POP3 RETR of a large message). The worker's exception travels as the completion's
// exception_ptr, which use_awaitable rethrows in the caller.
asio::awaitable<void> run_blocking(std::function<void()> work) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(
        [work = std::move(work)](auto handler) mutable {
            using Handler = decltype(handler);
            auto shared = std::make_shared<Handler>(std::move(handler));
            asio::post(blocking_pool(), [shared, work = std::move(work)]() mutable {
                std::exception_ptr error;
                try {
                    work();
                } catch (...) {
                    error = std::current_exception();
                }
                work = nullptr;  // release captures on the worker, before resuming
                auto ex = asio::get_associated_executor(*shared);
                asio::post(ex, [shared, error]() mutable { std::move (*shared)(error); });
            });
        },
        asio::use_awaitable);
}

void join_blocking_threads() {
    blocking_pool().join();
}

}  // namespace hermod::net
