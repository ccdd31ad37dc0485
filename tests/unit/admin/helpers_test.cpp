// helpers_test.cpp - parse_quota, read_password_line and format_user_info.
#include <gtest/gtest.h>

#include <sstream>

#include "admin/admin_ops.hpp"
#include "admin/password_input.hpp"

namespace hermod::admin {
namespace {

TEST(AdminQuotaTest, Parses) {
    EXPECT_EQ(parse_quota("0"), 0);
    EXPECT_EQ(parse_quota("unlimited"), 0);
    EXPECT_EQ(parse_quota("12345"), 12345);
    EXPECT_EQ(parse_quota("100b"), 100);
    EXPECT_EQ(parse_quota("1K"), 1024);
    EXPECT_EQ(parse_quota("2KiB"), 2048);
    EXPECT_EQ(parse_quota("10M"), 10 << 20);
    EXPECT_EQ(parse_quota("1gb"), std::int64_t{1} << 30);
    EXPECT_EQ(parse_quota("3T"), std::int64_t{3} << 40);
}

TEST(AdminQuotaTest, Refuses) {
    for (const char* bad : {"", "-1", "abc", "1X", "1 K", "K", "1.5G", "1KK", "99999999999T",
                            "99999999999999999999"}) {
        EXPECT_THROW(parse_quota(bad), AdminError) << bad;
    }
}

TEST(AdminPasswordInputTest, ReadsOneLine) {
    std::istringstream lf("hunter2\nsecond line\n");
    EXPECT_EQ(read_password_line(lf), "hunter2");
    std::istringstream crlf("pass word\r\n");
    EXPECT_EQ(read_password_line(crlf), "pass word");
    std::istringstream no_newline("  spaces kept  ");
    EXPECT_EQ(read_password_line(no_newline), "  spaces kept  ");
}

TEST(AdminPasswordInputTest, RefusesEmpty) {
    std::istringstream empty("");
    EXPECT_THROW(read_password_line(empty), AdminError);
    std::istringstream blank("\n");
    EXPECT_THROW(read_password_line(blank), AdminError);
    std::istringstream cr("\r\n");
    EXPECT_THROW(read_password_line(cr), AdminError);
}

TEST(AdminPasswordInputTest, Wipe) {
    std::string s = "secret";
    wipe(s);
    EXPECT_TRUE(s.empty());
}

TEST(AdminFormatTest, UserInfo) {
    UserInfo info;
    info.account.address = "alice@example.org";
    info.account.created = 0;
    info.account.quota_bytes = 2048;
    store::Mailbox inbox;
    inbox.name = "INBOX";
    inbox.message_count = 3;
    inbox.total_size = 300;
    store::Mailbox sent;
    sent.name = "Sent";
    sent.special_use = store::SpecialUse::Sent;
    sent.message_count = 1;
    sent.total_size = 50;
    info.mailboxes = {inbox, sent};
    EXPECT_EQ(format_user_info(info),
              "address: alice@example.org\n"
              "created: 1970-01-01 00:00:00 UTC\n"
              "quota:   2048 bytes\n"
              "usage:   350 bytes in 4 message(s)\n"
              "mailboxes:\n"
              "  INBOX: 3 message(s), 300 bytes\n"
              "  Sent: 1 message(s), 50 bytes (\\Sent)");
}

}  // namespace
}  // namespace hermod::admin
