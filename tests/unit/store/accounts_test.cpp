// accounts_test.cpp - domains, accounts, aliases and mailboxes: CRUD and error reporting.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "store_fixture.hpp"

namespace hermod::store::test {

TEST_F(StoreTest, DomainsCrud) {
    auto d = store_->add_domain("Example.ORG");
    EXPECT_EQ(d.name, "example.org");
    EXPECT_GT(d.id, 0);
    store_->add_domain("example.net");
    auto all = store_->list_domains();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "example.net");
    EXPECT_TRUE(store_->find_domain("EXAMPLE.org"));
    EXPECT_FALSE(store_->find_domain("nope.org"));
    EXPECT_STORE_ERROR(store_->add_domain("example.org"), ErrorKind::AlreadyExists);
    EXPECT_STORE_ERROR(store_->add_domain(""), ErrorKind::Invalid);
    store_->delete_domain("example.net");
    EXPECT_FALSE(store_->find_domain("example.net"));
    EXPECT_STORE_ERROR(store_->delete_domain("example.net"), ErrorKind::NotFound);
}

TEST_F(StoreTest, DeleteDomainRefusedWhileAccountsExist) {
    store_->add_domain("example.org");
    store_->add_account("bob@example.org", "h");
    try {
        store_->delete_domain("example.org");
        FAIL() << "no error";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Invalid);
        EXPECT_STREQ(e.what(), "domain example.org still has 1 account; delete them first");
    }
    store_->delete_account("bob@example.org");
    store_->delete_domain("example.org");
}

TEST_F(StoreTest, AccountsCrud) {
    store_->add_domain("example.org");
    auto a = store_->add_account("Alice@Example.org", "{ARGON2ID}x", 1000);
    EXPECT_EQ(a.address, "alice@example.org");
    EXPECT_EQ(a.quota_bytes, 1000);
    EXPECT_GT(a.created, 0);
    store_->add_account("bob@example.org", "h2");
    EXPECT_EQ(store_->list_accounts().size(), 2u);
    EXPECT_EQ(store_->list_accounts("example.org").size(), 2u);
    EXPECT_EQ(store_->list_accounts("other.org").size(), 0u);
    store_->set_password_hash("alice@example.org", "{ARGON2ID}y");
    store_->set_quota("alice@example.org", 5);
    auto found = store_->find_account("ALICE@example.org");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->password_hash, "{ARGON2ID}y");
    EXPECT_EQ(found->quota_bytes, 5);
    EXPECT_STORE_ERROR(store_->add_account("alice@example.org", "h"), ErrorKind::AlreadyExists);
    EXPECT_STORE_ERROR(store_->add_account("", "h"), ErrorKind::Invalid);
    EXPECT_STORE_ERROR(store_->add_account("noat", "h"), ErrorKind::Invalid);
    EXPECT_STORE_ERROR(store_->set_password_hash("carol@example.org", "h"), ErrorKind::NotFound);
    EXPECT_STORE_ERROR(store_->set_quota("carol@example.org", 1), ErrorKind::NotFound);
    store_->delete_account("bob@example.org");
    EXPECT_FALSE(store_->find_account("bob@example.org"));
    EXPECT_STORE_ERROR(store_->delete_account("bob@example.org"), ErrorKind::NotFound);
}

TEST_F(StoreTest, AccountForUnknownDomain) {
    try {
        store_->add_account("x@example.org", "h");
        FAIL() << "no error";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::NotFound);
        EXPECT_STREQ(e.what(), "domain example.org is not a local domain");
    }
}

TEST_F(StoreTest, DefaultMailboxesWithSpecialUse) {
    store_->add_domain("example.org");
    auto a = store_->add_account("alice@example.org", "h");
    auto boxes = store_->list_mailboxes(a.id);
    ASSERT_EQ(boxes.size(), 6u);
    EXPECT_EQ(boxes[0].name, "INBOX");
    std::map<std::string, SpecialUse> uses;
    std::set<std::uint32_t> validities;
    for (const auto& b : boxes) {
        uses[b.name] = b.special_use;
        validities.insert(b.uidvalidity);
        EXPECT_EQ(b.uidnext, 1u);
        EXPECT_TRUE(b.subscribed);
        EXPECT_EQ(b.account_id, a.id);
    }
    EXPECT_EQ(validities.size(), 6u) << "UIDVALIDITY must be unique per mailbox";
    EXPECT_EQ(uses["INBOX"], SpecialUse::None);
    EXPECT_EQ(uses["Sent"], SpecialUse::Sent);
    EXPECT_EQ(uses["Drafts"], SpecialUse::Drafts);
    EXPECT_EQ(uses["Trash"], SpecialUse::Trash);
    EXPECT_EQ(uses["Junk"], SpecialUse::Junk);
    EXPECT_EQ(uses["Archive"], SpecialUse::Archive);
    EXPECT_EQ(to_string(SpecialUse::Sent), "\\Sent");
    EXPECT_EQ(to_string(SpecialUse::Archive), "\\Archive");
    EXPECT_EQ(to_string(SpecialUse::None), "");
    EXPECT_TRUE(store_->find_mailbox(a.id, "inbox"));
}

TEST_F(StoreTest, MailboxesCrud) {
    auto in = inbox();
    Id acct = in.account_id;
    auto m = store_->create_mailbox(acct, "Work");
    store_->create_mailbox(acct, "Work/2024");
    EXPECT_FALSE(m.subscribed);
    EXPECT_STORE_ERROR(store_->create_mailbox(acct, "Work"), ErrorKind::AlreadyExists);
    EXPECT_STORE_ERROR(store_->create_mailbox(acct, ""), ErrorKind::Invalid);
    EXPECT_STORE_ERROR(store_->create_mailbox(9999, "X"), ErrorKind::NotFound);
    store_->set_subscribed(m.id, true);
    EXPECT_TRUE(store_->find_mailbox(acct, "Work")->subscribed);
    store_->rename_mailbox(m.id, "Jobs");
    EXPECT_FALSE(store_->find_mailbox(acct, "Work"));
    EXPECT_TRUE(store_->find_mailbox(acct, "Jobs"));
    EXPECT_TRUE(store_->find_mailbox(acct, "Jobs/2024")) << "inferiors are renamed too";
    EXPECT_STORE_ERROR(store_->rename_mailbox(m.id, "Sent"), ErrorKind::AlreadyExists);
    EXPECT_STORE_ERROR(store_->rename_mailbox(m.id, "Jobs/2024/x"), ErrorKind::Invalid);
    EXPECT_STORE_ERROR(store_->delete_mailbox(in.id), ErrorKind::Invalid);
    // A re-created mailbox never reuses a UIDVALIDITY.
    auto old_validity = store_->find_mailbox(acct, "Jobs")->uidvalidity;
    store_->delete_mailbox(m.id);
    EXPECT_FALSE(store_->find_mailbox(acct, "Jobs"));
    auto again = store_->create_mailbox(acct, "Jobs");
    EXPECT_NE(again.uidvalidity, old_validity);
    EXPECT_STORE_ERROR(store_->delete_mailbox(m.id), ErrorKind::NotFound);
}

TEST_F(StoreTest, AliasesCrud) {
    store_->add_domain("example.org");
    store_->add_alias("Postmaster@example.org", "alice@example.org");
    store_->add_alias("postmaster@example.org", "bob@remote.net");
    store_->add_alias("@example.org", "alice@example.org");  // catch-all
    EXPECT_EQ(store_->list_aliases().size(), 3u);
    auto pm = store_->list_aliases("postmaster@example.org");
    ASSERT_EQ(pm.size(), 2u);
    EXPECT_EQ(pm[0].target, "alice@example.org");
    EXPECT_EQ(store_->list_aliases("@example.org").size(), 1u);
    EXPECT_STORE_ERROR(store_->add_alias("postmaster@example.org", "alice@example.org"),
                       ErrorKind::AlreadyExists);
    EXPECT_STORE_ERROR(store_->add_alias("x@other.org", "alice@example.org"), ErrorKind::NotFound);
    EXPECT_STORE_ERROR(store_->add_alias("x@example.org", ""), ErrorKind::Invalid);
    EXPECT_STORE_ERROR(store_->add_alias("x@example.org", "nodomain"), ErrorKind::Invalid);
    store_->delete_alias("postmaster@example.org", "bob@remote.net");
    EXPECT_EQ(store_->list_aliases("postmaster@example.org").size(), 1u);
    store_->delete_alias("postmaster@example.org");
    EXPECT_TRUE(store_->list_aliases("postmaster@example.org").empty());
    EXPECT_STORE_ERROR(store_->delete_alias("postmaster@example.org"), ErrorKind::NotFound);
    // Deleting the (account-less) domain takes its aliases along.
    store_->delete_domain("example.org");
    EXPECT_TRUE(store_->list_aliases().empty());
}

TEST_F(StoreTest, DataSurvivesReopen) {
    auto in = inbox();
    store_->add_alias("@example.org", "alice@example.org");
    auto b = blob("Subject: hi\r\n\r\nbody\r\n");
    auto app = store_->append({NewMessage{in.id, b, kSeen, {"$Important"}, 1234}});
    reopen();
    ASSERT_TRUE(store_->find_domain("example.org"));
    ASSERT_TRUE(store_->find_account("alice@example.org"));
    EXPECT_EQ(store_->list_aliases().size(), 1u);
    auto msgs = store_->list_messages(in.id);
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].uid, app[0].uid);
    EXPECT_EQ(msgs[0].flags, kSeen);
    EXPECT_EQ(msgs[0].keywords, std::vector<std::string>{"$Important"});
    EXPECT_EQ(msgs[0].internal_date, 1234);
    EXPECT_EQ(store_->read_blob(msgs[0].blob_hash), "Subject: hi\r\n\r\nbody\r\n");
    auto box = store_->find_mailbox(in.account_id, "INBOX");
    EXPECT_EQ(box->uidnext, 2u);
    EXPECT_EQ(box->message_count, 1u);
}

TEST_F(StoreTest, RelativeDataDir) {
    // The server chdirs into its data folder and opens ".": nothing may depend on absolute paths.
    store_.reset();
    auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir_);
    StoreOptions o;
    o.data_dir = ".";
    o.inline_blob_max = 16;
    {
        auto s = open_store(o);
        s->add_domain("example.org");
        auto a = s->add_account("a@example.org", "h");
        auto box = s->find_mailbox(a.id, "INBOX");
        auto w = s->new_blob();
        w->write(std::string(100, 'x'));
        auto b = w->finish();
        EXPECT_TRUE(b->in_file);
        s->append({NewMessage{box->id, b, 0, {}, 0}});
        EXPECT_EQ(s->read_blob(b->hash), std::string(100, 'x'));
    }
    std::filesystem::current_path(cwd);
    EXPECT_TRUE(std::filesystem::exists(dir_ + "/hermod.db"));
    store_ = open_store(options_);
}

}  // namespace hermod::store::test
