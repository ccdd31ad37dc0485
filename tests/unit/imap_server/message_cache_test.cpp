// message_cache_test.cpp - the process-wide cache of parsed structures and headers: what it
// returns equals the store's own answer, one entry serves every reader, and the byte budget
// holds by forgetting the least recently used entries.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "imap/server/message_cache.hpp"
#include "mime/serialize.hpp"

namespace hermod::imap::test {
namespace {

class MessageCacheTest : public ::testing::Test {
  protected:
    void SetUp() override { seed(*st); }
    std::vector<store::Message> inbox() {
        auto a = st->find_account("alice@example.org");
        return st->list_messages(st->find_mailbox(a->id, "INBOX")->id);
    }
    TempStore st;
};

TEST_F(MessageCacheTest, EntryEqualsTheStoredStructureAndHeader) {
    MessageCache cache(1 << 20);
    for (const auto& m : inbox()) {
        auto e = cache.get(*st, m.blob_hash);
        auto stored = mime::deserialize(st->read_structure(m.blob_hash));
        ASSERT_TRUE(stored);
        EXPECT_EQ(e->structure, *stored);
        ASSERT_TRUE(e->header_complete);
        EXPECT_EQ(e->header, st->read_blob_range(m.blob_hash, 0, stored->root.header_size));
        EXPECT_TRUE(e->header.ends_with("\r\n\r\n"));
    }
}

TEST_F(MessageCacheTest, SecondReaderGetsTheSameEntry) {
    MessageCache cache(1 << 20);
    auto hash = inbox().at(1).blob_hash;
    auto a = cache.get(*st, hash);
    auto b = cache.get(*st, hash);
    EXPECT_EQ(a.get(), b.get());
    EXPECT_GT(cache.size_bytes(), 0u);
}

TEST_F(MessageCacheTest, BudgetEvictsLeastRecentlyUsed) {
    auto msgs = inbox();
    auto size_of = [&](const store::Message& m) {
        MessageCache probe(1 << 20);
        probe.get(*st, m.blob_hash);
        return probe.size_bytes();
    };
    std::size_t s0 = size_of(msgs.at(0)), s2 = size_of(msgs.at(2)), s3 = size_of(msgs.at(3));
    // Room for message 0 and one of the others, never all three.
    std::size_t budget = s0 + std::max(s2, s3);
    ASSERT_LT(budget, s0 + s2 + s3);
    MessageCache cache(budget);
    auto first = cache.get(*st, msgs.at(0).blob_hash);
    auto third = cache.get(*st, msgs.at(3).blob_hash);
    cache.get(*st, msgs.at(0).blob_hash);  // now the most recent
    cache.get(*st, msgs.at(2).blob_hash);  // evicts message 3, not message 0
    EXPECT_LE(cache.size_bytes(), budget);
    EXPECT_EQ(cache.get(*st, msgs.at(0).blob_hash).get(), first.get());
    EXPECT_NE(cache.get(*st, msgs.at(3).blob_hash).get(), third.get());  // loaded again
}

TEST_F(MessageCacheTest, UnknownBlobIsAStoreError) {
    MessageCache cache(1 << 20);
    EXPECT_THROW(cache.get(*st, std::string(64, 'a')), store::StoreError);
}

}  // namespace
}  // namespace hermod::imap::test
