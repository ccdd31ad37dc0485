// connection_limiter_test.cpp - total and per-address caps, ticket release, threads.
#include "net/connection_limiter.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace hermod::net {
namespace {

TEST(ConnectionLimiter, PerAddressCap) {
    ConnectionLimiter lim(10, 2);
    auto a = lim.try_acquire("192.0.2.1");
    auto b = lim.try_acquire("192.0.2.1");
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    auto c = lim.try_acquire("192.0.2.1");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.refusal, Refusal::TooManyFromAddress);
    EXPECT_TRUE(lim.try_acquire("192.0.2.2"));  // other address unaffected
    EXPECT_EQ(lim.count_for("192.0.2.1"), 2u);
}

TEST(ConnectionLimiter, TotalCap) {
    ConnectionLimiter lim(2, 0);
    auto a = lim.try_acquire("a");
    auto b = lim.try_acquire("b");
    auto c = lim.try_acquire("c");
    EXPECT_FALSE(c);
    EXPECT_EQ(c.refusal, Refusal::TooManyConnections);
    EXPECT_STREQ(refusal_text(c.refusal), "too many connections");
}

TEST(ConnectionLimiter, TicketReleasesOnDestructionAndMove) {
    ConnectionLimiter lim(1, 1);
    {
        auto a = lim.try_acquire("x");
        ASSERT_TRUE(a);
        ConnectionTicket moved = std::move(*a.ticket);
        EXPECT_FALSE(a.ticket->held());
        EXPECT_TRUE(moved.held());
        EXPECT_EQ(lim.total(), 1u);
        EXPECT_FALSE(lim.try_acquire("y"));
    }
    EXPECT_EQ(lim.total(), 0u);
    EXPECT_EQ(lim.count_for("x"), 0u);
    EXPECT_TRUE(lim.try_acquire("y"));
}

TEST(ConnectionLimiter, TicketMayOutliveLimiter) {
    std::optional<ConnectionTicket> t;
    {
        ConnectionLimiter lim(1, 1);
        t = std::move(lim.try_acquire("x").ticket);
    }
    t.reset();  // must not touch freed memory (ASan build checks)
}

TEST(ConnectionLimiter, ThreadSafe) {
    ConnectionLimiter lim(1000, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&lim, t] {
            for (int i = 0; i < 2000; ++i) {
                auto r = lim.try_acquire("10.0.0." + std::to_string(t));
                ASSERT_TRUE(r);
            }
        });
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(lim.total(), 0u);
}

}  // namespace
}  // namespace hermod::net
