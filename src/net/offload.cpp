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

asio::awaitable<void> run_blocking(std::function<void()> work) {
    auto error = std::make_shared<std::exception_ptr>();
    auto job = std::make_shared<std::function<void()>>(std::move(work));
    co_await await_done([job, error](std::function<void()> done) {
        asio::post(blocking_pool(), [job, error, done = std::move(done)] {
            try {
                (*job)();
            } catch (...) {
                *error = std::current_exception();
            }
            job->operator=(nullptr);  // release captures on the worker, before resuming
            done();
        });
    });
    if (*error) std::rethrow_exception(*error);
}

void join_blocking_threads() {
    blocking_pool().join();
}

}  // namespace hermod::net
