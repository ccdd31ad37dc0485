// final_delivery_test.cpp - schema 3: deliver_async (local copies and outbound queue entries in
// one group-commit job), the queue, mailing lists, and the per-account usage counter.
#include <gtest/gtest.h>

#include <future>

#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/testing.hpp"
#include "store_fixture.hpp"

namespace hermod::store::test {

namespace {
NewQueueEntry queued(std::shared_ptr<const StagedBlob> b, const std::string& rcpt) {
    NewQueueEntry q;
    q.blob = std::move(b);
    q.return_path_length = 5;
    q.mail_from = "sender@example.net";
    q.recipient = rcpt;
    q.dsn_ret = "HDRS";
    q.dsn_envid = "env-1";
    q.notify = 3;
    q.orcpt = "rfc822;" + rcpt;
    return q;
}
}  // namespace

TEST_F(StoreTest, DeliverSharesOneBlobBetweenCopiesAndQueueEntries) {
    auto in = inbox();
    auto bob = store_->add_account("bob@example.org", "h");
    auto bob_inbox = store_->find_mailbox(bob.id, "INBOX")->id;
    auto b = blob("Return-Path: <sender@example.net>\r\nSubject: hi\r\n\r\nbody\r\n");
    auto r =
        store_->deliver({NewMessage{in.id, b, 0, {}, 0}, NewMessage{bob_inbox, b, kSeen, {}, 0}},
                        {queued(b, "carol@remote.example"), queued(b, "dave@remote.example")});
    ASSERT_EQ(r.local.size(), 2u);
    ASSERT_TRUE(r.local[0] && r.local[1]);
    EXPECT_EQ(r.local_errors, (std::vector<std::string>{"", ""}));
    ASSERT_EQ(r.queued.size(), 2u);
    EXPECT_EQ(sqlite::testing::blob_rows(dir_), 1);
    EXPECT_EQ(sqlite::testing::blob_refcount(dir_, b->hash), 4);

    auto q = store_->list_queue();
    ASSERT_EQ(q.size(), 2u);
    EXPECT_EQ(q[0].id, r.queued[0]);
    EXPECT_EQ(q[0].recipient, "carol@remote.example");
    EXPECT_EQ(q[0].blob_hash, b->hash);
    EXPECT_EQ(q[0].size, b->size);
    EXPECT_EQ(q[0].return_path_length, 5u);
    EXPECT_EQ(q[0].mail_from, "sender@example.net");
    EXPECT_EQ(q[0].dsn_ret, "HDRS");
    EXPECT_EQ(q[0].dsn_envid, "env-1");
    EXPECT_EQ(q[0].notify, 3u);
    EXPECT_EQ(q[0].orcpt, "rfc822;carol@remote.example");
    EXPECT_GT(q[0].created, 0);
    EXPECT_EQ(q[0].next_attempt, q[0].created);
    EXPECT_EQ(q[0].attempts, 0u);

    // Durable across a reopen (the completion came after COMMIT).
    reopen();
    EXPECT_EQ(store_->list_queue().size(), 2u);
    EXPECT_EQ(store_->find_message(bob_inbox, 1)->flags, kSeen);

    // Removing queue entries releases their references; the local copies keep the blob.
    store_->delete_queue_entry(r.queued[0]);
    store_->delete_queue_entry(r.queued[1]);
    EXPECT_STORE_ERROR(store_->delete_queue_entry(r.queued[1]), ErrorKind::NotFound);
    EXPECT_EQ(sqlite::testing::blob_refcount(dir_, b->hash), 2);
    store_->expunge(in.id, {1});
    store_->expunge(bob_inbox, {1});
    EXPECT_EQ(sqlite::testing::blob_rows(dir_), 0);
}

TEST_F(StoreTest, QueueEntryAloneKeepsItsBlob) {
    auto b = blob("queued only");
    auto r = store_->deliver({}, {queued(b, "x@remote.example")});
    ASSERT_EQ(r.queued.size(), 1u);
    EXPECT_EQ(store_->read_blob(b->hash), "queued only");
    store_->delete_queue_entry(r.queued[0]);
    EXPECT_EQ(sqlite::testing::blob_rows(dir_), 0);
}

TEST_F(StoreTest, DeliverIsAllOrNothingButForQuota) {
    auto in = inbox();
    store_->add_account("small@example.org", "h", 10);
    auto small = store_->find_account("small@example.org");
    auto small_inbox = store_->find_mailbox(small->id, "INBOX")->id;
    auto b = blob("a message longer than ten octets");
    // RFC 3463 X.2.2: one full mailbox fails only its own copy.
    auto r = store_->deliver({NewMessage{small_inbox, b, 0, {}, 0}, NewMessage{in.id, b, 0, {}, 0}},
                             {queued(b, "r@remote.example")});
    EXPECT_FALSE(r.local[0]);
    EXPECT_NE(r.local_errors[0].find("full"), std::string::npos) << r.local_errors[0];
    EXPECT_TRUE(r.local[1]);
    EXPECT_EQ(r.queued.size(), 1u);
    EXPECT_EQ(sqlite::testing::blob_refcount(dir_, b->hash), 2);
    EXPECT_TRUE(store_->list_messages(small_inbox).empty());

    // Any other failure (here an unknown mailbox) fails the whole call: nothing is written.
    auto b2 = blob("second");
    std::promise<std::pair<bool, Delivered>> p;
    store_->deliver_async({NewMessage{in.id, b2, 0, {}, 0}, NewMessage{999999, b2, 0, {}, 0}},
                          {queued(b2, "r@remote.example")}, [&](std::exception_ptr e, Delivered d) {
                              p.set_value({e != nullptr, std::move(d)});
                          });
    auto [failed, d] = p.get_future().get();
    EXPECT_TRUE(failed);
    EXPECT_TRUE(d.local.empty());
    EXPECT_EQ(store_->list_messages(in.id).size(), 1u);
    EXPECT_EQ(store_->list_queue().size(), 1u);
    EXPECT_EQ(sqlite::testing::blob_refcount(dir_, b2->hash), -1);
}

TEST_F(StoreTest, UsageCounterFollowsAppendsExpungesAndMailboxes) {
    auto in = inbox();
    EXPECT_EQ(store_->find_account("alice@example.org")->used_bytes, 0);
    store_->append({NewMessage{in.id, blob("12345"), 0, {}, 0}});
    store_->deliver({NewMessage{in.id, blob("1234567"), 0, {}, 0}}, {});
    EXPECT_EQ(store_->find_account("alice@example.org")->used_bytes, 12);
    auto box = store_->create_mailbox(in.account_id, "Lists");
    store_->append({NewMessage{box.id, blob("abc"), 0, {}, 0}});
    EXPECT_EQ(store_->list_accounts()[0].used_bytes, 15);
    store_->expunge(in.id, {1});
    EXPECT_EQ(store_->find_account("alice@example.org")->used_bytes, 10);
    store_->delete_mailbox(box.id);
    EXPECT_EQ(store_->find_account("alice@example.org")->used_bytes, 7);
    // The quota check uses the counter: 7 used + 4 > 10.
    store_->set_quota("alice@example.org", 10);
    EXPECT_STORE_ERROR(store_->append({NewMessage{in.id, blob("four"), 0, {}, 0}}),
                       ErrorKind::QuotaExceeded);
    store_->append({NewMessage{in.id, blob("thr"), 0, {}, 0}});
    EXPECT_EQ(store_->find_account("alice@example.org")->used_bytes, 10);
}

TEST_F(StoreTest, MailingListsAndMembers) {
    inbox();
    auto list = store_->add_list("Team@Example.ORG");
    EXPECT_EQ(list.address, "team@example.org");
    EXPECT_GT(list.created, 0);
    EXPECT_STORE_ERROR(store_->add_list("team@example.org"), ErrorKind::AlreadyExists);
    EXPECT_STORE_ERROR(store_->add_list("alice@example.org"), ErrorKind::AlreadyExists);
    EXPECT_STORE_ERROR(store_->add_list("x@nowhere.example"), ErrorKind::NotFound);
    EXPECT_STORE_ERROR(store_->add_list("no-at-sign"), ErrorKind::Invalid);
    EXPECT_STORE_ERROR(store_->add_account("team@example.org", "h"), ErrorKind::AlreadyExists);

    store_->subscribe("team@example.org", "alice@example.org");
    store_->subscribe("TEAM@example.org", "Zed@Remote.Example");
    EXPECT_STORE_ERROR(store_->subscribe("team@example.org", "alice@example.org"),
                       ErrorKind::AlreadyExists);
    EXPECT_STORE_ERROR(store_->subscribe("team@example.org", "team@example.org"),
                       ErrorKind::Invalid);
    EXPECT_STORE_ERROR(store_->subscribe("none@example.org", "a@b.example"), ErrorKind::NotFound);
    EXPECT_EQ(store_->list_members("team@example.org"),
              (std::vector<std::string>{"alice@example.org", "zed@remote.example"}));
    EXPECT_STORE_ERROR(store_->list_members("none@example.org"), ErrorKind::NotFound);
    store_->unsubscribe("team@example.org", "zed@remote.example");
    EXPECT_STORE_ERROR(store_->unsubscribe("team@example.org", "zed@remote.example"),
                       ErrorKind::NotFound);
    EXPECT_EQ(store_->list_members("team@example.org").size(), 1u);

    store_->add_domain("b.example");
    store_->add_list("all@b.example");
    EXPECT_EQ(store_->list_lists().size(), 2u);
    ASSERT_EQ(store_->list_lists("b.example").size(), 1u);
    EXPECT_EQ(store_->list_lists("b.example")[0].address, "all@b.example");
    EXPECT_TRUE(store_->find_list("ALL@b.example"));
    // A domain with lists is still in use.
    EXPECT_STORE_ERROR(store_->delete_domain("b.example"), ErrorKind::Invalid);
    store_->delete_list("all@b.example");
    EXPECT_STORE_ERROR(store_->delete_list("all@b.example"), ErrorKind::NotFound);
    EXPECT_FALSE(store_->find_list("all@b.example"));
    store_->delete_domain("b.example");
}

TEST_F(StoreTest, ReadsStagedBlobsBeforeTheyAreCommitted) {
    auto small = blob("small body");
    EXPECT_EQ(store_->read_staged_blob(*small), "small body");
    EXPECT_EQ(store_->read_staged_blob(*small, 6, 2), "bo");
    EXPECT_EQ(store_->read_staged_blob(*small, 100, 2), "");
    std::string big(options_.inline_blob_max + 10, 'x');
    big[5] = 'y';
    auto large = blob(big);
    ASSERT_TRUE(large->in_file);
    EXPECT_EQ(store_->read_staged_blob(*large, 4, 3), "xyx");
    EXPECT_EQ(store_->read_staged_blob(*large).size(), big.size());
}

}  // namespace hermod::store::test
