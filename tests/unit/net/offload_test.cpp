// offload_test.cpp - net::run_blocking and net::await_done: the work runs off the caller's
// thread, the caller resumes on its own executor, exceptions reach the caller, and results
// carried in shared state arrive intact (regression: GCC 12 double-freed the captures of the
// coroutine version of run_blocking).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "net/offload.hpp"

namespace hermod::net {
namespace {

namespace asio = boost::asio;

struct Shared {
    std::string data;
    std::thread::id worker;
};

asio::awaitable<std::string> use_pool(std::shared_ptr<Shared> shared, int rounds) {
    std::string all;
    for (int i = 0; i < rounds; ++i) {
        // A named std::function, not a capturing lambda temporary inside the co_await
        // expression: GCC 12 destroys such temporaries twice (see offload.hpp).
        std::function<void()> work = [shared, i] {
            shared->data = std::string(100000, static_cast<char>('a' + i % 26));
            shared->worker = std::this_thread::get_id();
        };
        co_await run_blocking(std::move(work));
        all += shared->data.substr(0, 1);
    }
    co_return all;
}

TEST(Offload, RunBlockingRunsOnAWorkerAndResumesOnTheCaller) {
    asio::io_context io;
    auto shared = std::make_shared<Shared>();
    auto future = asio::co_spawn(io, use_pool(shared, 30), asio::use_future);
    io.run();
    EXPECT_EQ(future.get(), "abcdefghijklmnopqrstuvwxyzabcd");
    EXPECT_NE(shared->worker, std::this_thread::get_id());
}

TEST(Offload, RunBlockingRethrowsTheWorkersException) {
    asio::io_context io;
    auto future = asio::co_spawn(
        io,
        []() -> asio::awaitable<std::string> {
            std::string what;
            try {
                std::function<void()> work = [] { throw std::runtime_error("disk on fire"); };
                co_await run_blocking(std::move(work));
            } catch (const std::runtime_error& e) {
                what = e.what();
            }
            co_return what;
        },
        asio::use_future);
    io.run();
    EXPECT_EQ(future.get(), "disk on fire");
}

TEST(Offload, AwaitDoneResumesWhenAnotherThreadCallsDone) {
    asio::io_context io;
    auto shared = std::make_shared<Shared>();
    auto future = asio::co_spawn(
        io,
        [shared]() -> asio::awaitable<void> {
            std::function<void(std::function<void()>)> start =
                [shared](std::function<void()> done) {
                    std::thread([shared, done] {
                        shared->data = "from another thread";
                        done();
                    }).detach();
                };
            co_await await_done(std::move(start));
        },
        asio::use_future);
    io.run();
    future.get();
    EXPECT_EQ(shared->data, "from another thread");
}

}  // namespace
}  // namespace hermod::net
