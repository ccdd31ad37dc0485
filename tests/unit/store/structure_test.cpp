// structure_test.cpp - the parsed MIME structure stored with each blob (schema 4) and
// Store::read_structure, for inline and file blobs and for blobs stored before the migration.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "mime/parser.hpp"
#include "mime/serialize.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/testing.hpp"
#include "store_fixture.hpp"

namespace hermod::store::test {

namespace {

std::string multipart(std::size_t filler) {
    std::string body =
        "From: Alice <alice@example.org>\r\n"
        "To: bob@example.org\r\n"
        "Subject: =?UTF-8?Q?caf=C3=A9?=\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "hello\r\n"
        "--b1\r\n"
        "Content-Type: application/octet-stream\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n";
    while (filler > 0) {
        std::size_t n = std::min<std::size_t>(filler, 76);
        body.append(n, 'A');
        body += "\r\n";
        filler -= n;
    }
    body += "--b1--\r\n";
    return body;
}

std::string expected(const std::string& body) {
    return mime::serialize(mime::parse(body));
}

/// Waits (up to 5 s) until the blob's structure column is filled in.
bool eventually_stored(const std::string& dir, const std::string& hash) {
    for (int i = 0; i < 500; ++i) {
        if (!sqlite::testing::blob_structure_is_null(dir, hash)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

}  // namespace

TEST_F(StoreTest, DeliveredMessageHasItsStructure) {
    auto in = inbox();
    std::string body = multipart(200);
    auto b = blob(body);
    EXPECT_FALSE(b->structure.empty());
    EXPECT_EQ(b->structure, expected(body));
    auto r = store_->deliver({NewMessage{in.id, b, 0, {}, 0}}, {});
    ASSERT_TRUE(r.local[0]);
    EXPECT_FALSE(sqlite::testing::blob_structure_is_null(dir_, b->hash));
    auto msg = store_->find_message(in.id, r.local[0]->uid);
    ASSERT_TRUE(msg);
    std::string stored = store_->read_structure(msg->blob_hash);
    EXPECT_EQ(stored, expected(body));
    auto parsed = mime::deserialize(stored);
    ASSERT_TRUE(parsed);
    // Upper-case hashes are accepted like everywhere else.
    std::string upper = msg->blob_hash;
    for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(store_->read_structure(upper), stored);
    // Also through append and after a reopen.
    auto b2 = blob("Subject: plain\r\n\r\nbody\r\n");
    store_->append({NewMessage{in.id, b2, 0, {}, 0}});
    reopen();
    EXPECT_EQ(store_->read_structure(b2->hash), expected("Subject: plain\r\n\r\nbody\r\n"));
}

TEST_F(StoreTest, StructureHonoursTheConfiguredMimeDepth) {
    // Five nested multiparts; a store limited to depth 2 parses the deeper ones as leaves.
    std::string body = "MIME-Version: 1.0\r\n";
    for (int d = 0; d < 5; ++d)
        body += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(d) +
                "\"\r\n\r\n--b" + std::to_string(d) + "\r\n";
    body += "Content-Type: text/plain\r\n\r\ndeep\r\n";
    for (int d = 4; d >= 0; --d)
        body += "--b" + std::to_string(d) + "--\r\n";
    mime::Limits shallow;
    shallow.max_depth = 2;
    std::string limited = mime::serialize(mime::parse(body, shallow));
    ASSERT_NE(limited, expected(body));
    options_.mime_depth = 2;
    reopen();
    EXPECT_EQ(blob(body)->structure, limited);
}

TEST_F(StoreTest, LargeFileBlobHasItsStructure) {
    options_.inline_blob_max = 256;
    reopen();
    auto in = inbox();
    std::string body = multipart(4000);
    auto b = blob(body);
    ASSERT_TRUE(b->in_file);
    EXPECT_EQ(b->structure, expected(body));
    store_->append({NewMessage{in.id, b, 0, {}, 0}});
    EXPECT_FALSE(sqlite::testing::blob_is_inline(dir_, b->hash));
    EXPECT_FALSE(sqlite::testing::blob_structure_is_null(dir_, b->hash));
    EXPECT_EQ(store_->read_structure(b->hash), expected(body));
    // A second copy of the same content (single instance on disk) carries it too.
    auto again = blob(body);
    EXPECT_EQ(again->structure, expected(body));
}

TEST_F(StoreTest, ReadStructureOfUnknownBlobIsNotFound) {
    EXPECT_STORE_ERROR(store_->read_structure(std::string(64, 'a')), ErrorKind::NotFound);
}

TEST_F(StoreTest, BlobWithoutStructureIsParsedOnRead) {
    // A StagedBlob made elsewhere (tests' fakes) without a structure: stored NULL, computed later.
    auto in = inbox();
    std::string body = multipart(10);
    auto staged = std::make_shared<StagedBlob>(*blob(body));
    staged->structure.clear();
    store_->append({NewMessage{in.id, staged, 0, {}, 0}});
    EXPECT_TRUE(sqlite::testing::blob_structure_is_null(dir_, staged->hash));
    EXPECT_EQ(store_->read_structure(staged->hash), expected(body));
    EXPECT_TRUE(eventually_stored(dir_, staged->hash));
    EXPECT_EQ(store_->read_structure(staged->hash), expected(body));
}

TEST_F(StoreTest, MigrationToVersion4LeavesOldStructuresNullAndStillAnswers) {
    store_.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    options_.inline_blob_max = 256;
    std::string small = multipart(20);
    std::string large = multipart(3000);
    std::string small_hash, large_hash;
    {
        auto v3 = sqlite::open_sqlite_store(options_, 3);
        v3->add_domain("example.org");
        auto a = v3->add_account("alice@example.org", "h");
        auto box = v3->find_mailbox(a.id, "INBOX")->id;
        auto w1 = v3->new_blob();
        w1->write(small);
        auto b1 = w1->finish();
        auto w2 = v3->new_blob();
        w2->write(large);
        auto b2 = w2->finish();
        ASSERT_TRUE(b2->in_file);
        small_hash = b1->hash;
        large_hash = b2->hash;
        v3->append({NewMessage{box, b1, 0, {}, 0}, NewMessage{box, b2, 0, {}, 0}});
        EXPECT_EQ(v3->read_structure(small_hash), expected(small));  // no column: parsed
    }
    EXPECT_EQ(sqlite::testing::user_version(dir_), 3);
    store_ = open_store(options_);
    EXPECT_EQ(store_->schema_version(), sqlite::kLatestVersion);
    EXPECT_TRUE(sqlite::testing::blob_structure_is_null(dir_, small_hash));
    EXPECT_TRUE(sqlite::testing::blob_structure_is_null(dir_, large_hash));
    EXPECT_EQ(store_->read_structure(small_hash), expected(small));
    EXPECT_EQ(store_->read_structure(large_hash), expected(large));
    // Stored back (best effort, through the writer) for the next reader.
    EXPECT_TRUE(eventually_stored(dir_, small_hash));
    EXPECT_TRUE(eventually_stored(dir_, large_hash));
    EXPECT_EQ(store_->read_structure(large_hash), expected(large));
}

TEST_F(StoreTest, RedeliveryFillsInAMissingStructure) {
    store_.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::string body = multipart(5);
    Id box = 0;
    {
        auto v3 = sqlite::open_sqlite_store(options_, 3);
        v3->add_domain("example.org");
        auto a = v3->add_account("alice@example.org", "h");
        box = v3->find_mailbox(a.id, "INBOX")->id;
        auto w = v3->new_blob();
        w->write(body);
        v3->append({NewMessage{box, w->finish(), 0, {}, 0}});
    }
    store_ = open_store(options_);
    auto b = blob(body);
    EXPECT_TRUE(sqlite::testing::blob_structure_is_null(dir_, b->hash));
    store_->append({NewMessage{box, b, 0, {}, 0}});
    EXPECT_FALSE(sqlite::testing::blob_structure_is_null(dir_, b->hash));
    EXPECT_EQ(sqlite::testing::blob_refcount(dir_, b->hash), 2);
}

}  // namespace hermod::store::test

namespace hermod::store::test {

// Schema 6 keeps structures in blob_structures: as a column after the body they cost a walk of
// the body's overflow pages per read. Structures written by a version-5 store move over.
TEST_F(StoreTest, MigrationToVersion6MovesStructuresToTheirOwnTable) {
    store_.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::string body = multipart(200);  // inline, with overflow pages
    std::string hash;
    Id box = 0;
    {
        auto v5 = sqlite::open_sqlite_store(options_, 5);
        v5->add_domain("example.org");
        auto a = v5->add_account("alice@example.org", "h");
        box = v5->find_mailbox(a.id, "INBOX")->id;
        auto w = v5->new_blob();
        w->write(body);
        auto b = w->finish();
        hash = b->hash;
        v5->append({NewMessage{box, b, 0, {}, 0}});
        EXPECT_FALSE(sqlite::testing::blob_structure_is_null(dir_, hash));
    }
    store_ = open_store(options_);
    EXPECT_EQ(store_->schema_version(), sqlite::kLatestVersion);
    EXPECT_FALSE(sqlite::testing::blob_structure_is_null(dir_, hash));
    EXPECT_EQ(store_->read_structure(hash), expected(body));
    // A new body gets its structure in the new table at once.
    auto b2 = blob(multipart(3));
    store_->append({NewMessage{box, b2, 0, {}, 0}});
    EXPECT_FALSE(sqlite::testing::blob_structure_is_null(dir_, b2->hash));
    EXPECT_EQ(store_->read_structure(b2->hash), expected(multipart(3)));
    // Expunging the last reference removes the blob and its structure.
    auto uid = store_->list_messages(box).back().uid;
    store_->expunge(box, {uid});
    EXPECT_STORE_ERROR(store_->read_structure(b2->hash), ErrorKind::NotFound);
}

}  // namespace hermod::store::test
