// watch_test.cpp - Store::watch: change notifications after commits, for IMAP IDLE.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "store_fixture.hpp"

namespace hermod::store::test {

namespace {

using namespace std::chrono_literals;

/// Records the modseqs a watch reports.
struct Recorder {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::uint64_t> seen;

    ChangeCallback callback() {
        return [this](std::uint64_t modseq) {
            {
                std::lock_guard lock(mutex);
                seen.push_back(modseq);
            }
            cv.notify_all();
        };
    }
    /// Waits until a call reports at least `modseq`; returns everything seen.
    std::vector<std::uint64_t> wait_for(std::uint64_t modseq,
                                        std::chrono::milliseconds limit = 3000ms) {
        std::unique_lock lock(mutex);
        cv.wait_for(lock, limit, [&] { return !seen.empty() && seen.back() >= modseq; });
        return seen;
    }
    std::vector<std::uint64_t> snapshot() {
        std::lock_guard lock(mutex);
        return seen;
    }
};

bool strictly_increasing(const std::vector<std::uint64_t>& v) {
    for (std::size_t i = 1; i < v.size(); ++i)
        if (v[i] <= v[i - 1]) return false;
    return true;
}

}  // namespace

TEST_F(StoreTest, WatchesFireOnAppendFlagsAndExpunge) {
    auto in = inbox();
    auto sent = *store_->find_mailbox(in.account_id, "Sent");
    Recorder r1, r2, other;
    auto w1 = store_->watch(in.id, r1.callback());
    auto w2 = store_->watch(in.id, r2.callback());
    auto w3 = store_->watch(sent.id, other.callback());

    auto a = store_->append({NewMessage{in.id, blob("m1"), 0, {}, 0}});
    auto d = store_->deliver({NewMessage{in.id, blob("m2"), 0, {}, 0}}, {});
    ASSERT_TRUE(d.local[0]);
    EXPECT_EQ(r1.wait_for(d.local[0]->modseq).back(), d.local[0]->modseq);
    auto m1 = store_->store_flags(in.id, {a[0].uid}, kSeen, {}, FlagMode::Add);
    EXPECT_EQ(r1.wait_for(m1).back(), m1);
    auto m2 = store_->expunge(in.id, {a[0].uid});
    for (Recorder* r : {&r1, &r2}) {
        auto seen = r->wait_for(m2);
        ASSERT_FALSE(seen.empty());
        EXPECT_EQ(seen.back(), m2);
        EXPECT_TRUE(strictly_increasing(seen));
        // Every write is reported (none merged here: each was its own commit).
        EXPECT_EQ(seen, (std::vector<std::uint64_t>{a[0].modseq, d.local[0]->modseq, m1, m2}));
    }
    // A write that changes nothing is not reported; the other mailbox heard nothing.
    EXPECT_EQ(store_->store_flags(in.id, {d.local[0]->uid}, 0, {}, FlagMode::Add), m2);
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(r1.snapshot().size(), 4u);
    EXPECT_TRUE(other.snapshot().empty());

    // Once destroyed, a watch hears nothing more.
    w2.reset();
    auto m3 = store_->store_flags(in.id, {d.local[0]->uid}, kFlagged, {}, FlagMode::Add);
    r1.wait_for(m3);
    EXPECT_EQ(r2.snapshot().size(), 4u);
    // The Sent watch fires for its own mailbox.
    auto s = store_->append({NewMessage{sent.id, blob("s"), 0, {}, 0}});
    EXPECT_EQ(other.wait_for(s[0].modseq), std::vector<std::uint64_t>{s[0].modseq});
}

TEST_F(StoreTest, WatchesHearRenameAndDelete) {
    auto in = inbox();
    auto box = store_->create_mailbox(in.account_id, "Projects");
    auto a = store_->append({NewMessage{box.id, blob("p"), 0, {}, 0}});
    Recorder r;
    auto w = store_->watch(box.id, r.callback());
    store_->rename_mailbox(box.id, "Work");
    auto seen = r.wait_for(a[0].modseq);
    EXPECT_EQ(seen, std::vector<std::uint64_t>{a[0].modseq});
    store_->delete_mailbox(box.id);
    {
        std::unique_lock lock(r.mutex);
        r.cv.wait_for(lock, 3s, [&] { return r.seen.size() >= 2; });
    }
    EXPECT_EQ(r.snapshot().size(), 2u);
    EXPECT_STORE_ERROR(store_->watch(box.id, [](std::uint64_t) {}), ErrorKind::NotFound);
}

TEST_F(StoreTest, WatchesHearCopyAndMoveInBothMailboxes) {
    auto in = inbox();
    auto archive = *store_->find_mailbox(in.account_id, "Archive");
    store_->append(
        {NewMessage{in.id, blob("1"), 0, {}, 0}, NewMessage{in.id, blob("2"), 0, {}, 0}});
    Recorder src, dst;
    auto ws = store_->watch(in.id, src.callback());
    auto wd = store_->watch(archive.id, dst.callback());
    auto copied = store_->copy_messages(in.id, {1}, archive.id);
    auto seen = dst.wait_for(copied.appended.back().modseq);
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back(), copied.appended.back().modseq);
    EXPECT_TRUE(src.snapshot().empty()) << "a copy does not change its source";

    auto moved = store_->move_messages(in.id, {1, 2}, archive.id);
    auto source_modseq = store_->get_mailbox(in.id)->highestmodseq;
    EXPECT_EQ(src.wait_for(source_modseq).back(), source_modseq);
    EXPECT_EQ(dst.wait_for(moved.appended.back().modseq).back(), moved.appended.back().modseq);
    EXPECT_TRUE(strictly_increasing(dst.snapshot()));
}

TEST_F(StoreTest, WatchesHearRenamedInferiorsAndInboxRename) {
    auto in = inbox();
    auto parent = store_->create_mailbox(in.account_id, "Projects");
    auto child = store_->create_mailbox(in.account_id, "Projects/2026");
    auto a = store_->append({NewMessage{child.id, blob("c"), 0, {}, 0}});
    Recorder r;
    auto w = store_->watch(child.id, r.callback());
    store_->rename_mailbox(parent.id, "Work");
    EXPECT_EQ(r.wait_for(a[0].modseq), std::vector<std::uint64_t>{a[0].modseq});
    EXPECT_EQ(store_->get_mailbox(child.id)->name, "Work/2026");

    auto b = store_->append({NewMessage{in.id, blob("i"), 0, {}, 0}});
    Recorder ri;
    auto wi = store_->watch(in.id, ri.callback());
    store_->rename_mailbox(in.id, "Old");  // INBOX's messages move out: its modseq rises
    auto seen = ri.wait_for(b[0].modseq + 1);
    ASSERT_FALSE(seen.empty());
    EXPECT_GT(seen.back(), b[0].modseq);
}

TEST_F(StoreTest, WatchCanBeCancelledFromItsOwnCallback) {
    auto in = inbox();
    std::unique_ptr<MailboxWatch> w;
    std::atomic<int> calls{0};
    std::promise<void> called;
    w = store_->watch(in.id, [&](std::uint64_t) {
        if (calls++ == 0) {
            w.reset();  // must not deadlock
            called.set_value();
        }
    });
    store_->append({NewMessage{in.id, blob("x"), 0, {}, 0}});
    ASSERT_EQ(called.get_future().wait_for(3s), std::future_status::ready);
    store_->append({NewMessage{in.id, blob("y"), 0, {}, 0}});
    store_->append({NewMessage{in.id, blob("z"), 0, {}, 0}});
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(calls.load(), 1);
}

TEST_F(StoreTest, WatchMayOutliveTheStoreAndIsMovable) {
    auto in = inbox();
    auto w = store_->watch(in.id, [](std::uint64_t) {});
    MailboxWatch moved = std::move(*w);
    MailboxWatch other;
    other = std::move(moved);
    store_.reset();
    other.cancel();
    w.reset();
}

TEST_F(StoreTest, DestroyedWatchIsNeverCalledAgainUnderConcurrentWrites) {
    auto in = inbox();
    store_->append({NewMessage{in.id, blob("target"), 0, {}, 0}});
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        bool on = false;
        while (!stop.load()) {
            on = !on;
            store_->store_flags(in.id, {1}, kSeen, {}, on ? FlagMode::Add : FlagMode::Remove);
        }
    });
    struct State {
        std::atomic<bool> destroyed{false};
        std::atomic<int> in_call{0};
        std::atomic<int> late{0};
        std::atomic<int> calls{0};
    };
    std::vector<std::shared_ptr<State>> states;
    std::mt19937 rng(42);
    int in_progress_after_destroy = 0;
    for (int i = 0; i < 1000; ++i) {
        auto state = std::make_shared<State>();
        states.push_back(state);
        auto w = store_->watch(in.id, [state](std::uint64_t) {
            state->in_call++;
            if (state->destroyed.load()) state->late++;
            state->calls++;
            std::this_thread::sleep_for(std::chrono::microseconds(20));
            state->in_call--;
        });
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
        w.reset();
        if (state->in_call.load() != 0) ++in_progress_after_destroy;
        state->destroyed = true;
    }
    stop = true;
    writer.join();
    std::this_thread::sleep_for(50ms);
    int late = 0, calls = 0;
    for (const auto& s : states) {
        late += s->late.load();
        calls += s->calls.load();
    }
    EXPECT_EQ(late, 0);
    EXPECT_EQ(in_progress_after_destroy, 0);
    EXPECT_GT(calls, 0) << "the race was never exercised";
}

TEST_F(StoreTest, WatchSeesWritesOfAnotherStoreInstance) {
    auto in = inbox();
    Recorder r;
    auto w = store_->watch(in.id, r.callback());
    // A second Store on the same folder stands for the admin CLI in another process.
    auto second = open_store(options_);
    auto wb = second->new_blob();
    wb->write("from elsewhere");
    auto a = second->append({NewMessage{in.id, wb->finish(), 0, {}, 0}});
    auto start = std::chrono::steady_clock::now();
    auto seen = r.wait_for(a[0].modseq, 3000ms);
    ASSERT_FALSE(seen.empty()) << "not noticed within 3 s";
    EXPECT_EQ(seen.back(), a[0].modseq);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    auto m = second->expunge(in.id, {a[0].uid});
    EXPECT_EQ(r.wait_for(m, 3000ms).back(), m);
    EXPECT_TRUE(strictly_increasing(r.snapshot()));
    // Our own writes are still reported once each, not again by the poll.
    auto own = store_->append({NewMessage{in.id, blob("own"), 0, {}, 0}});
    EXPECT_EQ(r.wait_for(own[0].modseq).back(), own[0].modseq);
    std::this_thread::sleep_for(1500ms);
    EXPECT_TRUE(strictly_increasing(r.snapshot()));
    second->delete_mailbox(store_->create_mailbox(in.account_id, "Tmp").id);  // no effect on INBOX
    EXPECT_EQ(r.snapshot().back(), own[0].modseq);
}

}  // namespace hermod::store::test
