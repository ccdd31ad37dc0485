// migration_test.cpp - schema versions: forward migration keeps data, newer stores are refused.
#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/testing.hpp"
#include "store_fixture.hpp"

namespace hermod::store::test {

TEST_F(StoreTest, FreshStoreIsAtLatestVersion) {
    EXPECT_EQ(store_->schema_version(), sqlite::kLatestVersion);
    EXPECT_GE(sqlite::kLatestVersion, 2);
    EXPECT_TRUE(sqlite::testing::has_index(dir_, "changes_by_modseq"));
}

TEST_F(StoreTest, MigratesVersion1AndKeepsData) {
    store_.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    {
        auto v1 = sqlite::open_sqlite_store(options_, 1);
        EXPECT_EQ(v1->schema_version(), 1);
        v1->add_domain("example.org");
        auto a = v1->add_account("alice@example.org", "h");
        auto w = v1->new_blob();
        w->write("hello");
        v1->append({NewMessage{v1->find_mailbox(a.id, "INBOX")->id, w->finish(), 0, {}, 0}});
    }
    EXPECT_EQ(sqlite::testing::user_version(dir_), 1);
    EXPECT_FALSE(sqlite::testing::has_index(dir_, "changes_by_modseq"));
    store_ = open_store(options_);
    EXPECT_EQ(store_->schema_version(), sqlite::kLatestVersion);
    EXPECT_TRUE(sqlite::testing::has_index(dir_, "changes_by_modseq"));
    EXPECT_TRUE(sqlite::testing::has_index(dir_, "messages_by_modseq"));
    auto a = store_->find_account("alice@example.org");
    ASSERT_TRUE(a);
    auto msgs = store_->list_messages(store_->find_mailbox(a->id, "INBOX")->id);
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(store_->read_blob(msgs[0].blob_hash), "hello");
}

TEST_F(StoreTest, MigratesVersion2ToVersion3WithUsageCounters) {
    store_.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    {
        auto v2 = sqlite::open_sqlite_store(options_, 2);
        v2->add_domain("example.org");
        auto a = v2->add_account("alice@example.org", "h", 100);
        auto w = v2->new_blob();
        w->write("hello");
        auto b = w->finish();
        auto sent = v2->find_mailbox(a.id, "Sent")->id;
        v2->append({NewMessage{v2->find_mailbox(a.id, "INBOX")->id, b, 0, {}, 0},
                    NewMessage{sent, b, 0, {}, 0}});
        // Version 2 keeps no usage counter; quotas still work by summing the mailboxes.
        EXPECT_EQ(v2->find_account("alice@example.org")->used_bytes, 0);
        v2->expunge(sent, {1});
    }
    EXPECT_EQ(sqlite::testing::user_version(dir_), 2);
    EXPECT_FALSE(sqlite::testing::has_table(dir_, "queue"));
    store_ = open_store(options_);
    EXPECT_EQ(store_->schema_version(), sqlite::kLatestVersion);
    EXPECT_TRUE(sqlite::testing::has_table(dir_, "queue"));
    EXPECT_TRUE(sqlite::testing::has_table(dir_, "lists"));
    EXPECT_TRUE(sqlite::testing::has_table(dir_, "list_members"));
    EXPECT_TRUE(sqlite::testing::has_index(dir_, "queue_by_next_attempt"));
    // The counter starts from what the mailboxes hold.
    EXPECT_EQ(store_->find_account("alice@example.org")->used_bytes, 5);
    EXPECT_TRUE(store_->list_queue().empty());
    store_->add_list("team@example.org");
    EXPECT_TRUE(store_->find_list("team@example.org"));
}

TEST_F(StoreTest, MigratesVersion1ThroughVersion3) {
    store_.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    {
        auto v1 = sqlite::open_sqlite_store(options_, 1);
        v1->add_domain("example.org");
        auto a = v1->add_account("alice@example.org", "h");
        auto w = v1->new_blob();
        w->write("hello!");
        v1->append({NewMessage{v1->find_mailbox(a.id, "INBOX")->id, w->finish(), 0, {}, 0}});
    }
    store_ = open_store(options_);
    EXPECT_EQ(store_->schema_version(), sqlite::kLatestVersion);
    EXPECT_TRUE(sqlite::testing::has_index(dir_, "changes_by_modseq"));
    EXPECT_TRUE(sqlite::testing::has_table(dir_, "queue"));
    EXPECT_EQ(store_->find_account("alice@example.org")->used_bytes, 6);
}

TEST_F(StoreTest, RefusesNewerSchema) {
    store_.reset();
    sqlite::testing::set_user_version(dir_, sqlite::kLatestVersion + 1);
    try {
        store_ = open_store(options_);
        FAIL() << "opened a newer store";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Invalid);
        EXPECT_NE(std::string(e.what()).find("upgrade Hermod"), std::string::npos) << e.what();
    }
}

}  // namespace hermod::store::test
