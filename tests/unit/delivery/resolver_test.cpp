// resolver_test.cpp - recipient resolution rules (RFC 5321 §3.9 aliases and lists, §2.3.11
// case, subaddressing, catch-all precedence, loops, dedupe) on a real store.
#include "delivery/resolver.hpp"

#include <gtest/gtest.h>

#include "delivery_fixture.hpp"

namespace hermod::delivery::test {

namespace {
std::vector<std::string> accounts(const Resolution& r) {
    std::vector<std::string> out;
    for (const auto& t : r.local)
        out.push_back(t.account);
    return out;
}
using V = std::vector<std::string>;
}  // namespace

class ResolveTest : public DeliveryTest {
  protected:
    Resolution r(const std::string& address, bool may_relay = false) {
        return resolve(*store_, address, may_relay);
    }
};

TEST_F(ResolveTest, ExactAccountWithCaseInsensitiveDomain) {
    auto res = r("alice@EXAMPLE.Org");
    EXPECT_EQ(res.status, RcptStatus::Local);
    EXPECT_EQ(accounts(res), V{"alice@example.org"});
    EXPECT_TRUE(res.remote.empty());
    EXPECT_EQ(r("Alice@example.org").status, RcptStatus::Local);
}

TEST_F(ResolveTest, UnknownLocalUserIsNoSuchUser) {
    EXPECT_EQ(r("nobody@example.org").status, RcptStatus::NoSuchUser);
    EXPECT_EQ(r("nobody@example.org", true).status, RcptStatus::NoSuchUser);
}

// RFC 5321 §4.5.1: postmaster of every local domain MUST be accepted; with nothing configured
// for it, the domain's first (oldest) account gets its mail.
TEST_F(ResolveTest, PostmasterFallsBackToFirstAccountOfTheDomain_Rfc5321_4_5_1) {
    auto res = r("PostMaster@example.org");
    EXPECT_EQ(res.status, RcptStatus::Local);
    EXPECT_EQ(accounts(res), V{"alice@example.org"});
    EXPECT_EQ(accounts(r("postmaster@example.com")), V{"dave@example.com"});
    // Configured postmaster wins; other unknown users stay unknown.
    store_->add_alias("postmaster@example.org", "carol@example.org");
    EXPECT_EQ(accounts(r("postmaster@example.org")), V{"carol@example.org"});
    EXPECT_EQ(r("webmaster@example.org").status, RcptStatus::NoSuchUser);
    // A local domain without accounts has nobody to give it to.
    store_->add_domain("empty.example");
    EXPECT_EQ(r("postmaster@empty.example").status, RcptStatus::NoSuchUser);
}

TEST_F(ResolveTest, MalformedIsBadAddress) {
    EXPECT_EQ(r("no-domain").status, RcptStatus::BadAddress);
    EXPECT_EQ(r("@example.org").status, RcptStatus::BadAddress);
    EXPECT_EQ(r("x@").status, RcptStatus::BadAddress);
}

TEST_F(ResolveTest, RemoteNeedsRelayPermission_Rfc5321_3_6) {
    EXPECT_EQ(r("x@remote.example").status, RcptStatus::RelayDenied);
    auto res = r("X@Remote.Example", true);
    EXPECT_EQ(res.status, RcptStatus::Remote);
    EXPECT_EQ(res.remote, V{"X@remote.example"});  // local part kept, domain lower-cased
}

TEST_F(ResolveTest, AliasWithManyTargetsLocalAndRemote_Rfc5321_3_9) {
    store_->add_alias("team@example.org", "alice@example.org");
    store_->add_alias("team@example.org", "bob@example.org");
    store_->add_alias("team@example.org", "ext@remote.example");
    auto res = r("team@example.org");  // no relay permission needed for alias targets
    EXPECT_EQ(res.status, RcptStatus::Local);
    EXPECT_EQ(accounts(res), (V{"alice@example.org", "bob@example.org"}));
    EXPECT_EQ(res.remote, V{"ext@remote.example"});
}

TEST_F(ResolveTest, AliasOnlyToRemoteIsRemote) {
    store_->add_alias("fwd@example.org", "someone@remote.example");
    auto res = r("fwd@example.org");
    EXPECT_EQ(res.status, RcptStatus::Remote);
    EXPECT_EQ(res.remote, V{"someone@remote.example"});
}

TEST_F(ResolveTest, AccountWinsOverAliasOfTheSameAddress) {
    store_->add_alias("alice@example.org", "bob@example.org");
    EXPECT_EQ(accounts(r("alice@example.org")), V{"alice@example.org"});
}

TEST_F(ResolveTest, RecursiveAliasesAcrossDomains) {
    store_->add_alias("a@example.org", "b@example.com");
    store_->add_alias("b@example.com", "dave@example.com");
    store_->add_alias("b@example.com", "c@example.org");
    store_->add_alias("c@example.org", "carol@example.org");
    auto res = r("a@example.org");
    EXPECT_EQ(res.status, RcptStatus::Local);
    // Targets are expanded in the store's order (sorted by target).
    EXPECT_EQ(accounts(res), (V{"carol@example.org", "dave@example.com"}));
}

TEST_F(ResolveTest, DiamondDeliversOnceAndIsNoLoop) {
    store_->add_alias("x@example.org", "y@example.org");
    store_->add_alias("x@example.org", "z@example.org");
    store_->add_alias("y@example.org", "alice@example.org");
    store_->add_alias("z@example.org", "alice@example.org");
    store_->add_alias("z@example.org", "y@example.org");
    auto res = r("x@example.org");
    EXPECT_EQ(res.status, RcptStatus::Local);
    EXPECT_EQ(accounts(res), V{"alice@example.org"});
}

TEST_F(ResolveTest, AliasLoopIsTempFail_Rfc3463_X_4_6) {
    store_->add_alias("ping@example.org", "pong@example.org");
    store_->add_alias("pong@example.org", "ping@example.org");
    store_->add_alias("pong@example.org", "alice@example.org");
    auto res = r("ping@example.org");
    EXPECT_EQ(res.status, RcptStatus::TempFail);
    EXPECT_NE(res.detail.find("loop"), std::string::npos) << res.detail;
    EXPECT_TRUE(res.local.empty());
    // A self-loop through a list.
    store_->add_list("self@example.org");
    store_->add_alias("back@example.org", "self@example.org");
    store_->subscribe("self@example.org", "back@example.org");
    EXPECT_EQ(r("self@example.org").status, RcptStatus::TempFail);
}

TEST_F(ResolveTest, NestingDeeperThanLimitIsTempFail) {
    // a0 -> a1 -> ... -> a12 -> alice: no loop, but deeper than 10.
    for (int i = 0; i < 12; ++i)
        store_->add_alias("a" + std::to_string(i) + "@example.org",
                          "a" + std::to_string(i + 1) + "@example.org");
    store_->add_alias("a12@example.org", "alice@example.org");
    auto res = r("a0@example.org");
    EXPECT_EQ(res.status, RcptStatus::TempFail);
    EXPECT_NE(res.detail.find("deeper"), std::string::npos) << res.detail;
    EXPECT_EQ(r("a5@example.org").status, RcptStatus::Local);  // 8 levels: fine
}

TEST_F(ResolveTest, TooLargeExpansionIsTempFail) {
    store_->add_list("big@example.org");
    for (int i = 0; i < 20; ++i)
        store_->subscribe("big@example.org", "m" + std::to_string(i) + "@remote.example");
    EXPECT_EQ(resolve(*store_, "big@example.org", false, {10, 10}).status, RcptStatus::TempFail);
    EXPECT_EQ(resolve(*store_, "big@example.org", false).remote.size(), 20u);
}

TEST_F(ResolveTest, PlusAddressingFallsBackToUser) {
    auto res = r("alice+lists@example.org");
    EXPECT_EQ(res.status, RcptStatus::Local);
    EXPECT_EQ(accounts(res), V{"alice@example.org"});
    // Also for aliases and lists.
    store_->add_alias("sales@example.org", "bob@example.org");
    EXPECT_EQ(accounts(r("sales+2024@example.org")), V{"bob@example.org"});
    store_->add_list("devs@example.org");
    store_->subscribe("devs@example.org", "carol@example.org");
    EXPECT_EQ(accounts(r("devs+ci@example.org")), V{"carol@example.org"});
    // "+tag" alone is not a subaddress of anything.
    EXPECT_EQ(r("+tag@example.org").status, RcptStatus::NoSuchUser);
    EXPECT_EQ(r("nobody+x@example.org").status, RcptStatus::NoSuchUser);
}

TEST_F(ResolveTest, ExactMatchBeatsPlusFallback) {
    store_->add_alias("alice+special@example.org", "bob@example.org");
    EXPECT_EQ(accounts(r("alice+special@example.org")), V{"bob@example.org"});
    EXPECT_EQ(accounts(r("alice+other@example.org")), V{"alice@example.org"});
}

TEST_F(ResolveTest, CatchAllComesLast) {
    store_->add_alias("@example.org", "carol@example.org");
    store_->add_alias("info@example.org", "bob@example.org");
    EXPECT_EQ(accounts(r("anything@example.org")), V{"carol@example.org"});
    EXPECT_EQ(accounts(r("alice@example.org")), V{"alice@example.org"});      // account first
    EXPECT_EQ(accounts(r("info@example.org")), V{"bob@example.org"});         // alias first
    EXPECT_EQ(accounts(r("alice+tag@example.org")), V{"alice@example.org"});  // plus before
    EXPECT_EQ(accounts(r("info+tag@example.org")), V{"bob@example.org"});     // plus alias too
    EXPECT_EQ(r("anything@example.com").status, RcptStatus::NoSuchUser);      // per domain
}

TEST_F(ResolveTest, CatchAllToUnknownLocalAddressIsALoop) {
    store_->add_alias("@example.org", "missing@example.org");
    EXPECT_EQ(r("x@example.org").status, RcptStatus::TempFail);
}

TEST_F(ResolveTest, MailingListMembersResolvedFurther) {
    store_->add_list("all@example.org");
    store_->subscribe("all@example.org", "alice@example.org");
    store_->subscribe("all@example.org", "team@example.org");
    store_->subscribe("all@example.org", "outside@remote.example");
    store_->subscribe("all@example.org", "gone@example.org");  // dangling: skipped
    store_->add_alias("team@example.org", "bob@example.org");
    store_->add_alias("team@example.org", "alice@example.org");
    auto res = r("all@example.org");
    EXPECT_EQ(res.status, RcptStatus::Local);
    EXPECT_EQ(accounts(res), (V{"alice@example.org", "bob@example.org"}));
    EXPECT_EQ(res.remote, V{"outside@remote.example"});
}

TEST_F(ResolveTest, EmptyListAcceptsAndAliasToNothingDoesNot) {
    store_->add_list("quiet@example.org");
    auto res = r("quiet@example.org");
    EXPECT_EQ(res.status, RcptStatus::Local);
    EXPECT_TRUE(res.local.empty());
    store_->add_alias("dangling@example.org", "gone@example.org");
    EXPECT_EQ(r("dangling@example.org").status, RcptStatus::NoSuchUser);
}

TEST_F(ResolveTest, OverQuotaOnlyWhenEveryMailboxIsFull_Rfc5321_4_5_3_1_10) {
    store_->set_quota("bob@example.org", 10);
    store_->append(
        {store::NewMessage{inbox_of("bob@example.org"), message("0123456789"), 0, {}, 0}});
    auto res = r("bob@example.org");
    EXPECT_EQ(res.status, RcptStatus::OverQuota);
    EXPECT_EQ(res.local.at(0).used_bytes, 10);
    store_->add_alias("both@example.org", "bob@example.org");
    store_->add_alias("both@example.org", "alice@example.org");
    EXPECT_EQ(r("both@example.org").status, RcptStatus::Local);
    store_->set_quota("bob@example.org", 11);
    EXPECT_EQ(r("bob@example.org").status, RcptStatus::Local);
}

}  // namespace hermod::delivery::test
