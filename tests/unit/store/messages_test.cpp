// messages_test.cpp - appends (UIDs, MODSEQs, concurrency, group commit), flags, expunge,
// the change log, and single-instance blobs (inline and in files).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "common/sha256.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/testing.hpp"
#include "store_fixture.hpp"

namespace hermod::store::test {

namespace {
std::size_t count_blob_files(const std::string& dir) {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir + "/blobs"))
        if (e.is_regular_file() && e.path().parent_path().filename() != "tmp") ++n;
    return n;
}
}  // namespace

TEST_F(StoreTest, UidsAndModseqIncrease) {
    auto in = inbox();
    std::uint32_t last_uid = 0;
    std::uint64_t last_modseq = 0;
    for (int i = 0; i < 5; ++i) {
        auto r = store_->append({NewMessage{in.id, blob("m" + std::to_string(i)), 0, {}, 0}});
        ASSERT_EQ(r.size(), 1u);
        EXPECT_GT(r[0].uid, last_uid);
        EXPECT_GT(r[0].modseq, last_modseq);
        last_uid = r[0].uid;
        last_modseq = r[0].modseq;
    }
    // Several messages in one call: all or nothing, each with its own UID and MODSEQ.
    auto r = store_->append(
        {NewMessage{in.id, blob("a"), 0, {}, 0}, NewMessage{in.id, blob("b"), 0, {}, 0}});
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[1].uid, r[0].uid + 1);
    EXPECT_GT(r[1].modseq, r[0].modseq);
    EXPECT_GT(r[0].uid, last_uid);
    last_modseq = r[1].modseq;

    auto m1 = store_->store_flags(in.id, {1, 2}, kSeen | kFlagged, {"$Work"}, FlagMode::Add);
    EXPECT_GT(m1, last_modseq);
    auto msg = store_->find_message(in.id, 1);
    ASSERT_TRUE(msg);
    EXPECT_EQ(msg->flags, kSeen | kFlagged);
    EXPECT_EQ(msg->modseq, m1);
    EXPECT_EQ(msg->keywords, std::vector<std::string>{"$Work"});
    // No actual change: no new MODSEQ.
    EXPECT_EQ(store_->store_flags(in.id, {1}, kSeen, {}, FlagMode::Add), m1);
    auto m2 = store_->store_flags(in.id, {1}, kFlagged, {"$Work"}, FlagMode::Remove);
    EXPECT_GT(m2, m1);
    EXPECT_EQ(store_->find_message(in.id, 1)->flags, kSeen);
    EXPECT_TRUE(store_->find_message(in.id, 1)->keywords.empty());
    auto m3 = store_->store_flags(in.id, {2}, kDraft, {"b", "a"}, FlagMode::Replace);
    EXPECT_EQ(store_->find_message(in.id, 2)->flags, kDraft);
    EXPECT_EQ(store_->find_message(in.id, 2)->keywords, (std::vector<std::string>{"a", "b"}));

    auto m4 = store_->expunge(in.id, {2, 3, 999});
    EXPECT_GT(m4, m3);
    EXPECT_FALSE(store_->find_message(in.id, 2));
    EXPECT_EQ(store_->expunge(in.id, {999}), m4);
    auto box = store_->find_mailbox(in.account_id, "INBOX");
    EXPECT_EQ(box->highestmodseq, m4);
    EXPECT_EQ(box->message_count, 5u);
    EXPECT_EQ(box->uidnext, 8u);

    // A new append after an expunge never reuses a UID.
    auto r2 = store_->append({NewMessage{in.id, blob("c"), 0, {}, 0}});
    EXPECT_EQ(r2[0].uid, 8u);
    EXPECT_GT(r2[0].modseq, m4);

    auto changes = store_->changes_since(in.id, m1 - 1);
    // m1: flags of 1 and 2; m2: flags of 1; m3: flags of 2; m4: expunge 2, 3; then append 8.
    ASSERT_EQ(changes.size(), 7u);
    EXPECT_EQ(changes[0].modseq, m1);
    EXPECT_EQ(changes[0].kind, ChangeKind::FlagsChanged);
    EXPECT_EQ(changes[4].kind, ChangeKind::Expunged);
    EXPECT_EQ(changes[4].uid, 2u);
    EXPECT_EQ(changes[5].uid, 3u);
    EXPECT_EQ(changes[6].kind, ChangeKind::Appended);
    EXPECT_EQ(changes[6].uid, 8u);
    for (std::size_t i = 1; i < changes.size(); ++i)
        EXPECT_GE(changes[i].modseq, changes[i - 1].modseq);
    EXPECT_TRUE(store_->changes_since(in.id, r2[0].modseq).empty());
    EXPECT_EQ(store_->changes_since(in.id, 0).size(), 7u + 7u);  // + the 7 appends
}

TEST_F(StoreTest, ConcurrentAppendsGetUniqueIncreasingUids) {
    auto in = inbox();
    auto other = store_->create_mailbox(in.account_id, "Other");
    constexpr int kThreads = 8, kPerThread = 200;
    std::mutex mutex;
    std::vector<Appended> all;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::vector<Appended> mine;
            for (int i = 0; i < kPerThread; ++i) {
                Id box = (i % 4 == 0) ? other.id : in.id;
                auto r = store_->append({NewMessage{
                    box, blob("t" + std::to_string(t) + "-" + std::to_string(i)), 0, {}, 0}});
                // Within one caller, later appends see later UIDs.
                for (const auto& prev : mine)
                    if (prev.mailbox_id == box) {
                        ASSERT_GT(r[0].uid, prev.uid);
                    }
                mine.push_back(r[0]);
            }
            std::lock_guard lock(mutex);
            all.insert(all.end(), mine.begin(), mine.end());
        });
    }
    // Async callers in the mix, completing on the writer thread.
    constexpr int kAsync = 300;
    std::atomic<int> async_done{0};
    std::promise<void> all_async;
    for (int i = 0; i < kAsync; ++i) {
        store_->append_async({NewMessage{in.id, blob("async-" + std::to_string(i)), 0, {}, 0}},
                             [&](std::exception_ptr e, std::vector<Appended> r) {
                                 EXPECT_FALSE(e);
                                 {
                                     std::lock_guard lock(mutex);
                                     all.insert(all.end(), r.begin(), r.end());
                                 }
                                 if (++async_done == kAsync) all_async.set_value();
                             });
    }
    for (auto& t : threads)
        t.join();
    all_async.get_future().wait();

    ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread + kAsync));
    std::map<Id, std::set<std::uint32_t>> uids;
    std::map<Id, std::set<std::uint64_t>> modseqs;
    for (const auto& a : all) {
        EXPECT_TRUE(uids[a.mailbox_id].insert(a.uid).second) << "duplicate UID " << a.uid;
        EXPECT_TRUE(modseqs[a.mailbox_id].insert(a.modseq).second) << "duplicate MODSEQ";
    }
    // Listing order (by UID) is also commit order: MODSEQ grows with UID.
    for (Id box : {in.id, other.id}) {
        auto msgs = store_->list_messages(box);
        EXPECT_EQ(msgs.size(), uids[box].size());
        for (std::size_t i = 1; i < msgs.size(); ++i) {
            EXPECT_GT(msgs[i].uid, msgs[i - 1].uid);
            EXPECT_GT(msgs[i].modseq, msgs[i - 1].modseq);
        }
        EXPECT_EQ(*uids[box].rbegin(), uids[box].size()) << "UIDs are dense 1..n";
    }
}

TEST_F(StoreTest, FailingJobRollsBackAloneInAGroup) {
    auto in = inbox();
    // Queue many writes at once so they share transactions; every third one is invalid.
    constexpr int kN = 90;
    std::atomic<int> ok{0}, failed{0};
    std::vector<std::future<void>> futures;
    std::vector<std::promise<void>> promises(kN);
    for (int i = 0; i < kN; ++i) {
        Id box = (i % 3 == 0) ? 424242 : in.id;
        store_->append_async({NewMessage{in.id, blob("x" + std::to_string(i)), 0, {}, 0},
                              NewMessage{box, blob("y" + std::to_string(i)), 0, {}, 0}},
                             [&, i](std::exception_ptr e, std::vector<Appended> r) {
                                 if (e) {
                                     ++failed;
                                     EXPECT_TRUE(r.empty());
                                 } else {
                                     ++ok;
                                     EXPECT_EQ(r.size(), 2u);
                                 }
                                 promises[i].set_value();
                             });
    }
    for (auto& p : promises)
        p.get_future().wait();
    EXPECT_EQ(failed.load(), kN / 3);
    EXPECT_EQ(ok.load(), kN - kN / 3);
    // All-or-nothing: the valid half of a failed append was rolled back with it.
    EXPECT_EQ(store_->list_messages(in.id).size(), static_cast<std::size_t>(2 * ok.load()));
    EXPECT_EQ(sqlite::testing::blob_rows(dir_), 2 * ok.load());
    EXPECT_STORE_ERROR(store_->append({NewMessage{999, blob("z"), 0, {}, 0}}), ErrorKind::NotFound);
}

TEST_F(StoreTest, BlobSharedByRecipientsAndReleased) {
    options_.inline_blob_max = 64;
    reopen();
    store_->add_domain("example.org");
    std::vector<Id> boxes;
    for (const char* who : {"a@example.org", "b@example.org", "c@example.org"}) {
        auto acct = store_->add_account(who, "h");
        boxes.push_back(store_->find_mailbox(acct.id, "INBOX")->id);
    }
    for (bool large : {false, true}) {
        std::string content = large ? std::string(1000, 'L') : std::string("small body");
        auto b = blob(content);
        EXPECT_EQ(b->in_file, large);
        EXPECT_EQ(b->hash, sha256_hex(content));
        std::vector<NewMessage> msgs;
        for (Id box : boxes)
            msgs.push_back(NewMessage{box, b, 0, {}, 0});
        auto r = store_->append(std::move(msgs));
        ASSERT_EQ(r.size(), 3u);
        EXPECT_EQ(sqlite::testing::blob_refcount(dir_, b->hash), 3);
        EXPECT_EQ(sqlite::testing::blob_is_inline(dir_, b->hash), !large);
        EXPECT_EQ(count_blob_files(dir_), large ? 1u : 0u);
        for (Id box : boxes)
            EXPECT_EQ(store_->list_messages(box)[0].blob_hash, b->hash);
        b.reset();  // drop our pin so the file may go

        store_->expunge(boxes[0], {r[0].uid});
        EXPECT_EQ(sqlite::testing::blob_refcount(dir_, r.empty() ? "" : sha256_hex(content)), 2);
        store_->delete_mailbox(
            store_->create_mailbox(store_->find_account("b@example.org")->id, "tmp").id);
        store_->expunge(boxes[1], {r[1].uid});
        EXPECT_EQ(sqlite::testing::blob_refcount(dir_, sha256_hex(content)), 1);
        EXPECT_EQ(store_->read_blob(sha256_hex(content)), content);
        // The last reference goes with its account.
        store_->delete_account("c@example.org");
        EXPECT_EQ(sqlite::testing::blob_refcount(dir_, sha256_hex(content)), -1);
        EXPECT_EQ(count_blob_files(dir_), 0u);
        EXPECT_STORE_ERROR(store_->read_blob(sha256_hex(content)), ErrorKind::NotFound);
        store_->add_account("c@example.org", "h");
        boxes[2] = store_->find_mailbox(store_->find_account("c@example.org")->id, "INBOX")->id;
    }
    EXPECT_EQ(sqlite::testing::blob_rows(dir_), 0);
}

TEST_F(StoreTest, LargeBlobStreamsToFileAndReadsRanges) {
    options_.inline_blob_max = 4096;
    reopen();
    auto in = inbox();
    std::string content;
    for (int i = 0; content.size() < 100000; ++i)
        content += "line " + std::to_string(i) + "\r\n";
    auto w = store_->new_blob();
    for (std::size_t off = 0; off < content.size(); off += 1000)
        w->write(std::string_view(content).substr(off, 1000));
    EXPECT_EQ(w->size(), content.size());
    auto b = w->finish();
    EXPECT_TRUE(b->in_file);
    EXPECT_TRUE(b->inline_data.empty());
    EXPECT_EQ(b->hash, sha256_hex(content));
    EXPECT_TRUE(
        std::filesystem::exists(dir_ + "/blobs/" + b->hash.substr(0, 2) + "/" + b->hash.substr(2)));
    EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/blobs/tmp"));
    store_->append({NewMessage{in.id, b, 0, {}, 0}});
    EXPECT_EQ(store_->read_blob(b->hash), content);
    EXPECT_EQ(store_->read_blob_range(b->hash, 5000, 123), content.substr(5000, 123));
    EXPECT_EQ(store_->read_blob_range(b->hash, content.size() - 10, 100),
              content.substr(content.size() - 10));
    EXPECT_EQ(store_->read_blob_range(b->hash, content.size() + 5, 100), "");
    // Inline blobs read ranges through incremental blob I/O.
    auto small = blob("0123456789");
    EXPECT_FALSE(small->in_file);
    store_->append({NewMessage{in.id, small, 0, {}, 0}});
    EXPECT_EQ(store_->read_blob_range(small->hash, 3, 4), "3456");
    EXPECT_EQ(store_->read_blob_range(small->hash, 8, 100), "89");
    EXPECT_EQ(store_->read_blob_range(small->hash, 10, 1), "");
    auto empty = blob("");
    store_->append({NewMessage{in.id, empty, 0, {}, 0}});
    EXPECT_EQ(store_->read_blob(empty->hash), "");
    EXPECT_STORE_ERROR(store_->read_blob(std::string(64, '0')), ErrorKind::NotFound);
    // An abandoned writer leaves no temporary behind.
    {
        auto w2 = store_->new_blob();
        w2->write(std::string(10000, 'z'));
    }
    EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/blobs/tmp"));
    reopen();
    EXPECT_EQ(store_->read_blob(b->hash), content);
}

TEST_F(StoreTest, QuotaIsEnforced) {
    store_->add_domain("example.org");
    auto a = store_->add_account("q@example.org", "h", 100);
    Id box = store_->find_mailbox(a.id, "INBOX")->id;
    store_->append({NewMessage{box, blob(std::string(60, 'a')), 0, {}, 0}});
    EXPECT_STORE_ERROR(store_->append({NewMessage{box, blob(std::string(60, 'b')), 0, {}, 0}}),
                       ErrorKind::QuotaExceeded);
    store_->set_quota("q@example.org", 0);
    store_->append({NewMessage{box, blob(std::string(60, 'b')), 0, {}, 0}});
}

TEST_F(StoreTest, NoGroupCommitModeWorks) {
    options_.group_commit = false;
    reopen();
    auto in = inbox();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20; ++i)
                store_->append({NewMessage{in.id, blob(std::to_string(t * 100 + i)), 0, {}, 0}});
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(store_->list_messages(in.id).size(), 80u);
}

TEST_F(StoreTest, DestructorDrainsQueuedWrites) {
    auto in = inbox();
    std::atomic<int> done{0};
    for (int i = 0; i < 200; ++i)
        store_->append_async({NewMessage{in.id, blob("d" + std::to_string(i)), 0, {}, 0}},
                             [&](std::exception_ptr e, std::vector<Appended>) {
                                 if (!e) ++done;
                             });
    reopen();
    EXPECT_EQ(done.load(), 200);
    EXPECT_EQ(store_->list_messages(in.id).size(), 200u);
}

}  // namespace hermod::store::test

namespace hermod::store::test {

TEST_F(StoreTest, WalIsCheckpointedInTheBackground) {
    auto in = inbox();
    // ~10 MB of inline bodies: well past the point where the checkpointer copies the WAL back.
    for (int batch = 0; batch < 16; ++batch) {
        std::vector<NewMessage> msgs;
        for (int i = 0; i < 10; ++i)
            msgs.push_back(
                NewMessage{in.id,
                           blob(std::to_string(batch * 10 + i) + std::string(64 * 1024, 'w')),
                           0,
                           {},
                           0});
        store_->append(std::move(msgs));
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::filesystem::file_size(dir_ + "/hermod.db") < 4 * 1024 * 1024 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_GE(std::filesystem::file_size(dir_ + "/hermod.db"), 4u * 1024 * 1024)
        << "the database file never received the WAL's pages";
    store_.reset();
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/hermod.db-wal")) << "clean close removes the WAL";
    store_ = open_store(options_);
    EXPECT_EQ(store_->list_messages(in.id).size(), 160u);
}

}  // namespace hermod::store::test

namespace hermod::store::test {

TEST_F(StoreTest, ReleaseKeepsFileWhileSameContentIsStaged) {
    options_.inline_blob_max = 16;
    reopen();
    auto in = inbox();
    std::string content(5000, 'S');
    auto first = blob(content);
    auto r = store_->append({NewMessage{in.id, first, 0, {}, 0}});
    first.reset();
    // A second delivery of the same body is staged (finds the file already in place)...
    auto second = blob(content);
    EXPECT_TRUE(second->in_file);
    // ...while the only committed reference goes away: the row goes, the pinned file stays.
    store_->expunge(in.id, {r[0].uid});
    EXPECT_EQ(sqlite::testing::blob_refcount(dir_, second->hash), -1);
    EXPECT_EQ(count_blob_files(dir_), 1u);
    auto r2 = store_->append({NewMessage{in.id, second, 0, {}, 0}});
    EXPECT_EQ(store_->read_blob(second->hash), content);
    second.reset();
    store_->expunge(in.id, {r2[0].uid});
    EXPECT_EQ(count_blob_files(dir_), 0u) << "unpinned and unreferenced: the file is removed";
}

}  // namespace hermod::store::test

namespace hermod::store::test {

TEST_F(StoreTest, DatabaseFullFailsOnlyTheJobThatHitIt) {
    auto in = inbox();
    sqlite::limit_growth_for_test(*store_, 64);  // 256 KiB of room: a 1 MiB body cannot fit
    // Hold the writer in a completion so the next three writes queue up into one batch.
    std::promise<void> release;
    auto gate = release.get_future().share();
    store_->append_async({NewMessage{in.id, blob("gate"), 0, {}, 0}},
                         [gate](std::exception_ptr, std::vector<Appended>) { gate.wait(); });
    std::vector<std::promise<std::exception_ptr>> results(3);
    std::string big(1000 * 1000, 'B');
    for (int i = 0; i < 3; ++i) {
        auto body = blob(i == 1 ? big : "small " + std::to_string(i));
        store_->append_async({NewMessage{in.id, body, 0, {}, 0}},
                             [&results, i](std::exception_ptr e, std::vector<Appended>) {
                                 results[static_cast<std::size_t>(i)].set_value(e);
                             });
    }
    release.set_value();
    EXPECT_FALSE(results[0].get_future().get());
    auto big_error = results[1].get_future().get();
    EXPECT_TRUE(big_error);
    EXPECT_FALSE(results[2].get_future().get());
    try {
        std::rethrow_exception(big_error);
    } catch (const StoreError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io) << e.what();
    }
    EXPECT_EQ(store_->list_messages(in.id).size(), 3u);
    sqlite::limit_growth_for_test(*store_, 0);
    store_->append({NewMessage{in.id, blob(big), 0, {}, 0}});
    EXPECT_EQ(store_->list_messages(in.id).size(), 4u);
}

}  // namespace hermod::store::test
