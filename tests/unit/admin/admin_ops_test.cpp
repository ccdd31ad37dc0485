// admin_ops_test.cpp - domain/user/alias operations (admin_ops.hpp) on any Store.
#include "admin_ops_test.hpp"

#include <gmock/gmock.h>

#include <algorithm>

#include "admin/admin_ops.hpp"
#include "auth/password.hpp"

namespace hermod::admin::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Expects `stmt` to throw AdminError whose message is exactly `msg`.
#define EXPECT_ADMIN_ERROR(stmt, msg)                           \
    do {                                                        \
        try {                                                   \
            stmt;                                               \
            ADD_FAILURE() << "no AdminError from " #stmt;       \
        } catch (const AdminError& e) {                         \
            EXPECT_EQ(std::string(e.what()), std::string(msg)); \
        }                                                       \
    } while (0)

TEST_P(AdminOpsTest, DomainAddListDelete) {
    EXPECT_EQ(add_domain(store(), "Example.ORG.").name, "example.org");
    add_domain(store(), "a.example");
    EXPECT_THAT(list_domains(store()), ElementsAre("a.example", "example.org"));
    EXPECT_ADMIN_ERROR(add_domain(store(), "example.org"), "domain already exists: example.org");
    EXPECT_EQ(delete_domain(store(), "EXAMPLE.org"), "example.org");
    EXPECT_THAT(list_domains(store()), ElementsAre("a.example"));
    EXPECT_ADMIN_ERROR(delete_domain(store(), "example.org"), "no such domain: example.org");
}

TEST_P(AdminOpsTest, DomainInvalid) {
    EXPECT_ADMIN_ERROR(add_domain(store(), ""), "invalid domain name: ");
    EXPECT_ADMIN_ERROR(add_domain(store(), "bad domain"), "invalid domain name: bad domain");
    EXPECT_ADMIN_ERROR(add_domain(store(), "-x.org"), "invalid domain name: -x.org");
    EXPECT_ADMIN_ERROR(add_domain(store(), "a..b"), "invalid domain name: a..b");
    EXPECT_ADMIN_ERROR(delete_domain(store(), "a@b"), "invalid domain name: a@b");
    EXPECT_THAT(list_domains(store()), IsEmpty());
}

TEST_P(AdminOpsTest, DomainDeleteRefusedWhileUsed) {
    add_domain(store(), "example.org");
    add_user(store(), "alice@example.org", "pw");
    EXPECT_ADMIN_ERROR(delete_domain(store(), "example.org"),
                       "domain example.org still has 1 user(s) and 0 alias(es); delete them first");
    delete_user(store(), "alice@example.org");
    add_alias(store(), "@example.org", "bob@elsewhere.net");
    EXPECT_ADMIN_ERROR(delete_domain(store(), "example.org"),
                       "domain example.org still has 0 user(s) and 1 alias(es); delete them first");
    delete_alias(store(), "@example.org");
    delete_domain(store(), "example.org");
    EXPECT_THAT(list_domains(store()), IsEmpty());
}

TEST_P(AdminOpsTest, UserAddAndVerify) {
    add_domain(store(), "example.org");
    auto acc = add_user(store(), "Alice@Example.org", "s3cret", 1 << 20);
    EXPECT_EQ(acc.address, "alice@example.org");
    auto found = store().find_account("alice@example.org");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->quota_bytes, 1 << 20);
    EXPECT_TRUE(found->password_hash.starts_with("{ARGON2ID}"));
    EXPECT_EQ(found->password_hash.find("s3cret"), std::string::npos);
    EXPECT_TRUE(auth::verify_password(found->password_hash, "s3cret"));
    EXPECT_FALSE(auth::verify_password(found->password_hash, "wrong"));
}

TEST_P(AdminOpsTest, UserAddErrors) {
    add_domain(store(), "example.org");
    add_user(store(), "alice@example.org", "pw");
    EXPECT_ADMIN_ERROR(add_user(store(), "ALICE@example.org", "pw"),
                       "user already exists: alice@example.org");
    EXPECT_ADMIN_ERROR(add_user(store(), "bob@example.net", "pw"), "no such domain: example.net");
    EXPECT_ADMIN_ERROR(add_user(store(), "not an address", "pw"),
                       "invalid address: not an address");
    EXPECT_ADMIN_ERROR(add_user(store(), "@example.org", "pw"), "invalid address: @example.org");
    EXPECT_ADMIN_ERROR(add_user(store(), "a..b@example.org", "pw"),
                       "invalid address: a..b@example.org");
    EXPECT_ADMIN_ERROR(add_user(store(), "bob@example.org", ""), "empty password");
    EXPECT_ADMIN_ERROR(add_user(store(), "bob@example.org", "pw", -1), "invalid quota: -1");
    EXPECT_ADMIN_ERROR(check_new_user(store(), "alice@example.org"),
                       "user already exists: alice@example.org");
    EXPECT_EQ(check_new_user(store(), "Bob@example.org"), "bob@example.org");
    EXPECT_THAT(list_users(store()), ElementsAre("alice@example.org"));
}

TEST_P(AdminOpsTest, UserPasswordAndQuota) {
    add_domain(store(), "example.org");
    add_user(store(), "alice@example.org", "old");
    EXPECT_EQ(set_password(store(), "alice@EXAMPLE.org", "new"), "alice@example.org");
    auto acc = store().find_account("alice@example.org");
    ASSERT_TRUE(acc);
    EXPECT_TRUE(auth::verify_password(acc->password_hash, "new"));
    EXPECT_FALSE(auth::verify_password(acc->password_hash, "old"));
    EXPECT_ADMIN_ERROR(set_password(store(), "alice@example.org", ""), "empty password");
    EXPECT_ADMIN_ERROR(set_password(store(), "bob@example.org", "x"),
                       "no such user: bob@example.org");
    set_quota(store(), "alice@example.org", 5000);
    EXPECT_EQ(store().find_account("alice@example.org")->quota_bytes, 5000);
    EXPECT_ADMIN_ERROR(set_quota(store(), "bob@example.org", 1), "no such user: bob@example.org");
}

TEST_P(AdminOpsTest, UserListShowDelete) {
    add_domain(store(), "example.org");
    add_domain(store(), "example.net");
    add_user(store(), "zed@example.org", "pw");
    add_user(store(), "alice@example.org", "pw");
    add_user(store(), "carol@example.net", "pw");
    EXPECT_THAT(list_users(store()),
                ElementsAre("alice@example.org", "carol@example.net", "zed@example.org"));
    EXPECT_THAT(list_users(store(), "Example.ORG"),
                ElementsAre("alice@example.org", "zed@example.org"));
    EXPECT_ADMIN_ERROR(list_users(store(), "nowhere.test"), "no such domain: nowhere.test");

    auto info = show_user(store(), "alice@example.org");
    EXPECT_EQ(info.account.address, "alice@example.org");
    std::vector<std::string> names;
    for (const auto& m : info.mailboxes)
        names.push_back(m.name);
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names.front(), "INBOX");
    EXPECT_TRUE(std::is_sorted(names.begin() + 1, names.end()));
    EXPECT_THAT(format_user_info(info), HasSubstr("address: alice@example.org\n"));
    EXPECT_ADMIN_ERROR(show_user(store(), "nobody@example.org"),
                       "no such user: nobody@example.org");

    EXPECT_EQ(delete_user(store(), "ZED@example.org"), "zed@example.org");
    EXPECT_THAT(list_users(store(), "example.org"), ElementsAre("alice@example.org"));
    EXPECT_ADMIN_ERROR(delete_user(store(), "zed@example.org"), "no such user: zed@example.org");
    EXPECT_ADMIN_ERROR(delete_user(store(), "zed"), "invalid address: zed");
}

TEST_P(AdminOpsTest, AliasAddListDelete) {
    add_domain(store(), "example.org");
    auto a = add_alias(store(), "Postmaster@Example.org", "Alice@Example.org");
    EXPECT_EQ(a.source, "postmaster@example.org");
    EXPECT_EQ(a.target, "alice@example.org");
    add_alias(store(), "postmaster@example.org", "bob@remote.net");
    add_alias(store(), "@EXAMPLE.org", "catchall@remote.net");
    EXPECT_ADMIN_ERROR(add_alias(store(), "postmaster@example.org", "BOB@remote.net"),
                       "alias already exists: postmaster@example.org bob@remote.net");

    auto all = list_aliases(store());
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].source, "@example.org");
    EXPECT_EQ(all[0].target, "catchall@remote.net");
    EXPECT_EQ(all[1].target, "alice@example.org");
    EXPECT_EQ(all[2].target, "bob@remote.net");
    EXPECT_EQ(list_aliases(store(), "POSTMASTER@example.org").size(), 2u);
    EXPECT_EQ(list_aliases(store(), "@example.org").size(), 1u);

    EXPECT_EQ(delete_alias(store(), "postmaster@example.org", "Bob@remote.net"), 1u);
    EXPECT_EQ(list_aliases(store(), "postmaster@example.org").size(), 1u);
    EXPECT_ADMIN_ERROR(delete_alias(store(), "postmaster@example.org", "bob@remote.net"),
                       "no such alias: postmaster@example.org bob@remote.net");
    add_alias(store(), "postmaster@example.org", "carol@remote.net");
    EXPECT_EQ(delete_alias(store(), "postmaster@example.org"), 2u);
    EXPECT_ADMIN_ERROR(delete_alias(store(), "postmaster@example.org"),
                       "no such alias: postmaster@example.org");
    EXPECT_EQ(delete_alias(store(), "@example.org"), 1u);
    EXPECT_THAT(list_aliases(store()), IsEmpty());
}

TEST_P(AdminOpsTest, AliasErrors) {
    add_domain(store(), "example.org");
    EXPECT_ADMIN_ERROR(add_alias(store(), "x@other.org", "a@example.org"),
                       "no such domain: other.org");
    EXPECT_ADMIN_ERROR(add_alias(store(), "@other.org", "a@example.org"),
                       "no such domain: other.org");
    EXPECT_ADMIN_ERROR(add_alias(store(), "x@example.org", "nope"), "invalid alias target: nope");
    EXPECT_ADMIN_ERROR(add_alias(store(), "x@example.org", "@example.org"),
                       "invalid alias target: @example.org");
    EXPECT_ADMIN_ERROR(add_alias(store(), "x y@example.org", "a@b.org"),
                       "invalid alias source: x y@example.org");
    EXPECT_ADMIN_ERROR(add_alias(store(), "@", "a@b.org"), "invalid alias source: @");
    EXPECT_ADMIN_ERROR(add_alias(store(), "@bad..domain", "a@b.org"),
                       "invalid alias source: @bad..domain");
    EXPECT_ADMIN_ERROR(add_alias(store(), "x@example.org", "X@example.org"),
                       "alias would point to itself: x@example.org");
    EXPECT_ADMIN_ERROR(list_aliases(store(), "junk"), "invalid alias source: junk");
    EXPECT_ADMIN_ERROR(delete_alias(store(), "x@example.org", "bad"), "invalid alias target: bad");
    EXPECT_THAT(list_aliases(store()), IsEmpty());
}

}  // namespace
}  // namespace hermod::admin::testing
