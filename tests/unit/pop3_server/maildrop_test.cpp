// maildrop_test.cpp - the POP3 maildrop against a real store in a temporary folder: snapshot
// order and numbering, deletion marks, RSET, the UPDATE commit (expunge, \Seen, EXPIRE 0), the
// per-account lock and LOGIN-DELAY.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "pop3/server/maildrop.hpp"

namespace hermod::pop3::test {
namespace {

class MaildropTest : public ::testing::Test {
  protected:
    void SetUp() override {
        seed(*store_);
        alice_ = store_->find_account("alice@example.org")->id;
        inbox_ = store_->find_mailbox(alice_, "INBOX")->id;
    }
    std::vector<store::Message> inbox() { return store_->list_messages(inbox_); }

    TempStore store_;
    store::Id alice_ = 0;
    store::Id inbox_ = 0;
};

TEST_F(MaildropTest, SnapshotOfInboxOldestFirst) {
    auto drop = Maildrop::load(*store_, alice_, {"INBOX"});
    EXPECT_EQ(drop.size(), 3u);
    EXPECT_EQ(drop.count(), 3u);
    EXPECT_EQ(drop.total_size(), kMessage1.size() + kMessage2.size() + kMessage3.size());
    ASSERT_NE(drop.find(1), nullptr);
    EXPECT_EQ(drop.find(1)->size, kMessage1.size());
    EXPECT_EQ(drop.find(2)->size, kMessage2.size());
    EXPECT_EQ(drop.find(3)->size, kMessage3.size());
    EXPECT_EQ(drop.find(0), nullptr);
    EXPECT_EQ(drop.find(4), nullptr);
    auto box = store_->find_mailbox(alice_, "INBOX");
    char want[17];
    std::snprintf(want, sizeof want, "%08x%08x", box->uidvalidity, 1u);
    EXPECT_EQ(drop.find(1)->uidl, want);
}

TEST_F(MaildropTest, SeveralMailboxesMergedByDateAndMissingOnesSkipped) {
    auto drop = Maildrop::load(*store_, alice_, {"INBOX", "Junk", "NoSuchBox"});
    ASSERT_EQ(drop.size(), 4u);
    EXPECT_EQ(drop.find(2)->size, kJunk.size());  // internal date 1500: between 1 and 2
    // UIDLs stay unique across mailboxes (uidvalidity differs).
    EXPECT_NE(drop.find(1)->uidl, drop.find(2)->uidl);
    EXPECT_EQ(drop.find(1)->uidl.size(), 16u);
}

TEST_F(MaildropTest, ImapDeletedMessagesAreLeftOut) {
    store_->store_flags(inbox_, {2}, store::kDeleted, {}, store::FlagMode::Add);
    auto drop = Maildrop::load(*store_, alice_, {"INBOX"});
    EXPECT_EQ(drop.size(), 2u);
    EXPECT_EQ(drop.find(2)->size, kMessage3.size());
}

TEST_F(MaildropTest, OtherAccountsAreInvisible) {
    auto bob = store_->find_account("bob@example.org")->id;
    auto drop = Maildrop::load(*store_, bob, {"INBOX", "Junk"});
    EXPECT_EQ(drop.size(), 0u);
    EXPECT_EQ(drop.total_size(), 0u);
}

TEST_F(MaildropTest, DeleteResetAndNumbersStayFixed) {
    auto drop = Maildrop::load(*store_, alice_, {"INBOX"});
    EXPECT_TRUE(drop.mark_deleted(2));
    EXPECT_FALSE(drop.mark_deleted(2));  // already deleted
    EXPECT_FALSE(drop.mark_deleted(0));
    EXPECT_FALSE(drop.mark_deleted(9));
    EXPECT_TRUE(drop.is_deleted(2));
    EXPECT_FALSE(drop.is_deleted(1));
    EXPECT_FALSE(drop.is_deleted(9));
    EXPECT_EQ(drop.find(2), nullptr);
    EXPECT_EQ(drop.size(), 3u);
    EXPECT_EQ(drop.count(), 2u);
    EXPECT_EQ(drop.total_size(), kMessage1.size() + kMessage3.size());
    EXPECT_EQ(drop.find(3)->size, kMessage3.size());
    drop.reset();
    EXPECT_EQ(drop.count(), 3u);
    EXPECT_NE(drop.find(2), nullptr);
}

TEST_F(MaildropTest, CommitExpungesDeletedAndMarksRetrievedSeen) {
    auto drop = Maildrop::load(*store_, alice_, {"INBOX"});
    drop.mark_deleted(1);
    drop.mark_retrieved(2);
    drop.commit(*store_, false);
    auto msgs = inbox();
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0].uid, 2u);
    EXPECT_TRUE(msgs[0].flags & store::kSeen);
    EXPECT_FALSE(msgs[1].flags & store::kSeen);
    // IMAP sees the expunge in the change log.
    bool expunged = false;
    for (const auto& c : store_->changes_since(inbox_, 0))
        if (c.kind == store::ChangeKind::Expunged && c.uid == 1) expunged = true;
    EXPECT_TRUE(expunged);
}

TEST_F(MaildropTest, CommitWithExpireRetrievedExpungesThem) {
    auto drop = Maildrop::load(*store_, alice_, {"INBOX"});
    drop.mark_retrieved(1);
    drop.mark_retrieved(3);
    drop.commit(*store_, true);
    auto msgs = inbox();
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].uid, 2u);
}

TEST_F(MaildropTest, CommitWithoutChangesWritesNothing) {
    auto before = store_->find_mailbox(alice_, "INBOX")->highestmodseq;
    auto drop = Maildrop::load(*store_, alice_, {"INBOX"});
    drop.mark_deleted(1);
    drop.reset();
    drop.commit(*store_, false);
    EXPECT_EQ(inbox().size(), 3u);
    EXPECT_EQ(store_->find_mailbox(alice_, "INBOX")->highestmodseq, before);
}

TEST_F(MaildropTest, CommitToleratesMessagesExpungedMeanwhile) {
    auto drop = Maildrop::load(*store_, alice_, {"INBOX"});
    drop.mark_deleted(1);
    drop.mark_retrieved(2);
    store_->expunge(inbox_, {1, 2});  // an IMAP session got there first
    EXPECT_NO_THROW(drop.commit(*store_, false));
    EXPECT_EQ(inbox().size(), 1u);
}

TEST(MaildropLocks, OneSessionPerAccount) {
    MaildropLocks& locks = MaildropLocks::instance();
    {
        auto a = locks.try_lock(1001);
        EXPECT_TRUE(a);
        EXPECT_FALSE(locks.try_lock(1001));
        EXPECT_TRUE(locks.try_lock(1002));  // another account; released at once
        auto moved = std::move(a);
        EXPECT_TRUE(moved);
        EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
        EXPECT_FALSE(locks.try_lock(1001));
    }
    EXPECT_TRUE(locks.try_lock(1001));
}

TEST(LoginDelays, SecondLoginTooSoon) {
    LoginDelays& d = LoginDelays::instance();
    EXPECT_TRUE(d.allow(2001, 0));
    EXPECT_TRUE(d.allow(2001, 0));
    EXPECT_TRUE(d.allow(2002, 3600));
    EXPECT_FALSE(d.allow(2002, 3600));
    EXPECT_TRUE(d.allow(2003, 3600));  // per account
    EXPECT_TRUE(d.allow(2002, 0));     // off
}

}  // namespace
}  // namespace hermod::pop3::test
