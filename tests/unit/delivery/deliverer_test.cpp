// deliverer_test.cpp - the Deliverer seam on a real store: RCPT verdicts (relay, quota),
// may_send_as, EXPN, and deliver_async writing local copies and queue entries in one commit.
#include <gtest/gtest.h>

#include "delivery_fixture.hpp"
#include "store/sqlite/testing.hpp"

namespace hermod::delivery::test {

class DeliverTest : public DeliveryTest {};

namespace {
Client anonymous(std::string ip = "203.0.113.9") {
    Client c;
    c.ip = std::move(ip);
    return c;
}
Client logged_in(std::string login) {
    Client c = anonymous();
    c.authenticated = true;
    c.login = std::move(login);
    return c;
}
}  // namespace

TEST_F(DeliverTest, LocalRecipientsNeedNoPermission) {
    EXPECT_EQ(deliverer().check_recipient(anonymous(), "alice@example.org").status,
              RcptStatus::Local);
    EXPECT_EQ(deliverer().check_recipient(anonymous(), "nobody@example.org").status,
              RcptStatus::NoSuchUser);
}

TEST_F(DeliverTest, RelayDeniedUnlessAuthenticatedOrTrusted_Rfc5321_3_6) {
    EXPECT_EQ(deliverer().check_recipient(anonymous(), "x@remote.example").status,
              RcptStatus::RelayDenied);
    EXPECT_EQ(deliverer().check_recipient(anonymous("127.0.0.1"), "x@remote.example").status,
              RcptStatus::RelayDenied);  // not even from localhost by default
    EXPECT_EQ(
        deliverer().check_recipient(logged_in("alice@example.org"), "x@remote.example").status,
        RcptStatus::Remote);
    Client flagged = anonymous();
    flagged.trusted = true;
    EXPECT_EQ(deliverer().check_recipient(flagged, "x@remote.example").status, RcptStatus::Remote);
}

TEST_F(DeliverTest, TrustedNetworksV4V6AndMapped) {
    config_.smtp.trusted_networks = {"192.0.2.0/24", "2001:db8::/32"};
    auto& d = deliverer();
    EXPECT_EQ(d.check_recipient(anonymous("192.0.2.44"), "x@remote.example").status,
              RcptStatus::Remote);
    EXPECT_EQ(d.check_recipient(anonymous("::ffff:192.0.2.44"), "x@remote.example").status,
              RcptStatus::Remote);
    EXPECT_EQ(d.check_recipient(anonymous("2001:db8:5::1"), "x@remote.example").status,
              RcptStatus::Remote);
    EXPECT_EQ(d.check_recipient(anonymous("192.0.3.44"), "x@remote.example").status,
              RcptStatus::RelayDenied);
    EXPECT_EQ(d.check_recipient(anonymous("2001:db9::1"), "x@remote.example").status,
              RcptStatus::RelayDenied);
}

TEST_F(DeliverTest, AdminChangesApplyWithoutRestart) {
    auto& d = deliverer();
    EXPECT_EQ(d.check_recipient(anonymous(), "new@example.org").status, RcptStatus::NoSuchUser);
    store_->add_alias("new@example.org", "alice@example.org");
    EXPECT_EQ(d.check_recipient(anonymous(), "new@example.org").status, RcptStatus::Local);
}

TEST_F(DeliverTest, BarePostmaster_Rfc5321_4_5_1) {
    store_->add_alias("postmaster@example.org", "alice@example.org");
    EXPECT_EQ(deliverer().check_recipient(anonymous(), "Postmaster").status, RcptStatus::Local);
}

TEST_F(DeliverTest, BarePostmasterWithoutAliasOrLocalHostname_Rfc5321_4_5_1) {
    // Hostname is the local domain example.org: its first account.
    EXPECT_EQ(deliverer().check_recipient(anonymous(), "Postmaster").status, RcptStatus::Local);
    auto r = deliver(envelope({"Postmaster"}), message("to the postmaster"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Local);
    EXPECT_EQ(count("alice@example.org"), 1u);
}

TEST_F(DeliverTest, BarePostmasterWhenHostnameIsNotLocal_Rfc5321_4_5_1) {
    config_.server.hostname = "mx.provider.example";
    store_->add_account("postmaster@example.com", "{PLAIN}x");
    // Not postmaster@mx.provider.example (relaying): the first local domain's (example.org).
    EXPECT_EQ(deliverer().check_recipient(anonymous(), "postmaster").status, RcptStatus::Local);
    auto r = deliver(envelope({"Postmaster"}), message("to the postmaster"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Local);
    EXPECT_EQ(count("alice@example.org"), 1u);
    EXPECT_EQ(count("postmaster@example.com"), 0u);
}

TEST_F(DeliverTest, OverQuotaAtRcpt_Rfc3463_4_2_2) {
    store_->set_quota("bob@example.org", 5);
    store_->append({store::NewMessage{inbox_of("bob@example.org"), message("12345"), 0, {}, 0}});
    auto v = deliverer().check_recipient(anonymous(), "bob@example.org");
    EXPECT_EQ(v.status, RcptStatus::OverQuota);
}

TEST_F(DeliverTest, MaySendAs) {
    store_->add_alias("sales@example.org", "alice@example.org");
    store_->add_alias("sales@example.org", "bob@example.org");
    store_->add_alias("other@example.org", "carol@example.org");
    store_->add_alias("@example.org", "alice@example.org");
    auto& d = deliverer();
    auto alice = logged_in("alice@example.org");
    EXPECT_TRUE(d.may_send_as(alice, "alice@example.org"));
    EXPECT_TRUE(d.may_send_as(alice, "alice@EXAMPLE.ORG"));
    EXPECT_TRUE(d.may_send_as(alice, "alice+news@example.org"));
    EXPECT_TRUE(d.may_send_as(alice, "sales@Example.Org"));
    EXPECT_FALSE(d.may_send_as(alice, "other@example.org"));
    EXPECT_FALSE(d.may_send_as(alice, "bob@example.org"));
    EXPECT_FALSE(d.may_send_as(alice, "random@example.org"));  // catch-all is not ownership
    EXPECT_FALSE(d.may_send_as(alice, ""));                    // null sender
    EXPECT_FALSE(d.may_send_as(anonymous(), "alice@example.org"));
    EXPECT_TRUE(d.may_send_as(logged_in("BOB@example.org"), "sales@example.org"));
}

TEST_F(DeliverTest, ExpandListForExpn_Rfc5321_3_5_2) {
    store_->add_list("all@example.org");
    store_->subscribe("all@example.org", "bob@example.org");
    store_->subscribe("all@example.org", "alice@example.org");
    auto m = deliverer().expand_list("ALL@example.org");
    ASSERT_TRUE(m);
    EXPECT_EQ(*m, (std::vector<std::string>{"alice@example.org", "bob@example.org"}));
    EXPECT_FALSE(deliverer().expand_list("alice@example.org"));
    EXPECT_FALSE(deliverer().expand_list("none@example.org"));
}

TEST_F(DeliverTest, ThreeLocalAndOneRemoteShareOneBlob) {
    auto e = envelope(
        {"alice@example.org", "bob@example.org", "dave@example.com", "friend@remote.example"},
        logged_in("alice@example.org"));
    e.mail_from = "alice@example.org";
    e.dsn.ret = "HDRS";
    e.dsn.envid = "id-42";
    e.recipients[3].notify = 6;
    e.recipients[3].orcpt = "rfc822;friend@remote.example";
    std::string rp = "Return-Path: <alice@example.org>\r\n";
    e.return_path_length = static_cast<std::uint32_t>(rp.size());
    auto m = message(rp + "Subject: hello\r\n\r\nhi\r\n");
    auto r = deliver(e, m);
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(r[0].status, RcptStatus::Local);
    EXPECT_EQ(r[1].status, RcptStatus::Local);
    EXPECT_EQ(r[2].status, RcptStatus::Local);
    EXPECT_EQ(r[3].status, RcptStatus::Remote);
    EXPECT_EQ(count("alice@example.org"), 1u);
    EXPECT_EQ(count("bob@example.org"), 1u);
    EXPECT_EQ(count("dave@example.com"), 1u);
    EXPECT_EQ(store::sqlite::testing::blob_rows(dir_), 1);
    EXPECT_EQ(store::sqlite::testing::blob_refcount(dir_, m->hash), 4);
    // Durable: still there after the store is closed and reopened.
    deliverer_.reset();
    store_.reset();
    store_ = store::open_store({.data_dir = dir_});
    auto q = store_->list_queue();
    ASSERT_EQ(q.size(), 1u);
    EXPECT_EQ(q[0].recipient, "friend@remote.example");
    EXPECT_EQ(q[0].mail_from, "alice@example.org");
    EXPECT_EQ(q[0].blob_hash, m->hash);
    EXPECT_EQ(q[0].return_path_length, rp.size());
    EXPECT_EQ(q[0].dsn_ret, "HDRS");
    EXPECT_EQ(q[0].dsn_envid, "id-42");
    EXPECT_EQ(q[0].notify, 6u);
    EXPECT_EQ(q[0].orcpt, "rfc822;friend@remote.example");
    auto msg = store_->list_messages(inbox_of("bob@example.org"));
    ASSERT_EQ(msg.size(), 1u);
    EXPECT_EQ(store_->read_blob(msg[0].blob_hash), rp + "Subject: hello\r\n\r\nhi\r\n");
}

TEST_F(DeliverTest, OneCopyPerMailboxAcrossRecipientsAndPaths_Rfc5321_3_9) {
    store_->add_alias("team@example.org", "alice@example.org");
    store_->add_alias("team@example.org", "bob@example.org");
    store_->add_alias("team@example.org", "ext@remote.example");
    store_->add_list("all@example.org");
    store_->subscribe("all@example.org", "alice@example.org");
    store_->subscribe("all@example.org", "ext@remote.example");
    auto r = deliver(envelope({"team@example.org", "alice@example.org", "all@example.org",
                               "alice+x@example.org"}),
                     message("Subject: dup\r\n\r\n"));
    for (const auto& x : r)
        EXPECT_EQ(x.status, RcptStatus::Local) << x.detail;
    EXPECT_EQ(count("alice@example.org"), 1u);
    EXPECT_EQ(count("bob@example.org"), 1u);
    EXPECT_EQ(store_->list_queue().size(), 1u);  // ext@remote.example once
}

TEST_F(DeliverTest, ResultsInOrderWithFailures) {
    store_->set_quota("carol@example.org", 3);
    // Relay is checked again at delivery: the anonymous client may not relay.
    auto r = deliver(envelope({"nobody@example.org", "alice@example.org", "carol@example.org",
                               "x@remote.example"}),
                     message("a message of some length"));
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(r[0].status, RcptStatus::NoSuchUser);
    EXPECT_EQ(r[1].status, RcptStatus::Local);
    // carol's mailbox is not full yet at RCPT, but this message does not fit: only her copy
    // fails (RFC 3463 X.2.2), the others are delivered.
    EXPECT_EQ(r[2].status, RcptStatus::OverQuota);
    EXPECT_EQ(r[3].status, RcptStatus::RelayDenied);
    EXPECT_EQ(count("alice@example.org"), 1u);
    EXPECT_EQ(count("carol@example.org"), 0u);
    EXPECT_TRUE(store_->list_queue().empty());
}

TEST_F(DeliverTest, ListMemberOverQuotaMissesOnlyItsCopy) {
    store_->set_quota("carol@example.org", 3);
    store_->add_list("all@example.org");
    store_->subscribe("all@example.org", "carol@example.org");
    store_->subscribe("all@example.org", "bob@example.org");
    auto r = deliver(envelope({"all@example.org"}), message("longer than three"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Local);
    EXPECT_EQ(count("bob@example.org"), 1u);
    EXPECT_EQ(count("carol@example.org"), 0u);
}

namespace {
Envelope with_grace(Envelope e) {
    for (auto& r : e.recipients)
        r.quota_grace = true;
    return e;
}
}  // namespace

// SMTP answers one 250 for all recipients: a copy accepted at RCPT must not be dropped for quota
// at end of data (quota grace). Without grace (LMTP) it is refused alone, as above.
TEST_F(DeliverTest, QuotaGraceDeliversPastQuotaForSmtp) {
    store_->set_quota("carol@example.org", 3);
    auto r = deliver(with_grace(envelope({"alice@example.org", "carol@example.org"})),
                     message("a message of some length"));
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].status, RcptStatus::Local);
    EXPECT_EQ(r[1].status, RcptStatus::Local);
    EXPECT_EQ(count("alice@example.org"), 1u);
    EXPECT_EQ(count("carol@example.org"), 1u);
}

TEST_F(DeliverTest, QuotaGraceWhenMailboxFilledSinceRcpt) {
    store_->set_quota("carol@example.org", 5);
    store_->append({store::NewMessage{inbox_of("carol@example.org"), message("12345"), 0, {}, 0}});
    auto r = deliver(with_grace(envelope({"carol@example.org"})), message("more"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Local);
    EXPECT_EQ(count("carol@example.org"), 2u);
    // Without grace the full mailbox refuses it.
    r = deliver(envelope({"carol@example.org"}), message("more"));
    EXPECT_EQ(r.at(0).status, RcptStatus::OverQuota);
    EXPECT_EQ(count("carol@example.org"), 2u);
}

TEST_F(DeliverTest, QuotaGraceSkipsListMembersAlreadyFull) {
    store_->set_quota("carol@example.org", 3);
    store_->append({store::NewMessage{inbox_of("carol@example.org"), message("123"), 0, {}, 0}});
    store_->set_quota("bob@example.org", 3);
    store_->add_list("all@example.org");
    store_->subscribe("all@example.org", "carol@example.org");
    store_->subscribe("all@example.org", "bob@example.org");
    auto r = deliver(with_grace(envelope({"all@example.org"})), message("longer than three"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Local);
    EXPECT_EQ(count("bob@example.org"), 1u);    // was under quota: grace
    EXPECT_EQ(count("carol@example.org"), 1u);  // already full: misses it
}

TEST_F(DeliverTest, RemoteOnlyRecipientIsQueued) {
    auto r = deliver(envelope({"x@remote.example"}, logged_in("alice@example.org")),
                     message("to the world"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Remote);
    EXPECT_EQ(store_->list_queue().size(), 1u);
}

TEST_F(DeliverTest, AliasRewriteKeepsOriginalRecipientAsOrcpt_Rfc3461_4_2) {
    store_->add_alias("fwd@example.org", "away@remote.example");
    deliver(envelope({"fwd@example.org"}), message("x"));
    auto q = store_->list_queue();
    ASSERT_EQ(q.size(), 1u);
    EXPECT_EQ(q[0].recipient, "away@remote.example");
    EXPECT_EQ(q[0].orcpt, "rfc822;fwd@example.org");
}

TEST_F(DeliverTest, AccountDeletedAfterRcptIsResolvedAgain) {
    auto& d = deliverer();
    EXPECT_EQ(d.check_recipient(anonymous(), "carol@example.org").status, RcptStatus::Local);
    store_->delete_account("carol@example.org");
    auto r = deliver(envelope({"carol@example.org", "alice@example.org"}), message("late"));
    EXPECT_EQ(r[0].status, RcptStatus::NoSuchUser);
    EXPECT_EQ(r[1].status, RcptStatus::Local);
}

TEST_F(DeliverTest, LoopAtDeliveryIsTempFail) {
    store_->add_alias("ping@example.org", "pong@example.org");
    store_->add_alias("pong@example.org", "ping@example.org");
    auto r = deliver(envelope({"ping@example.org", "bob@example.org"}), message("loop"));
    EXPECT_EQ(r[0].status, RcptStatus::TempFail);
    EXPECT_EQ(r[1].status, RcptStatus::Local);
}

TEST_F(DeliverTest, LargeMessageInItsOwnFile) {
    std::string big(2u << 20, 'a');
    auto m = message(big);
    ASSERT_TRUE(m->in_file);
    auto r = deliver(envelope({"alice@example.org", "bob@example.org"}), m);
    EXPECT_EQ(r[0].status, RcptStatus::Local);
    EXPECT_EQ(r[1].status, RcptStatus::Local);
    EXPECT_EQ(store::sqlite::testing::blob_refcount(dir_, m->hash), 2);
    EXPECT_EQ(store_->find_account("alice@example.org")->used_bytes,
              static_cast<std::int64_t>(big.size()));
}

TEST_F(DeliverTest, NoRecipientsStillCompletes) {
    auto r = deliver(envelope({}), message("nobody"));
    EXPECT_TRUE(r.empty());
}

}  // namespace hermod::delivery::test
