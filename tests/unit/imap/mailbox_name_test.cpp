// Modified UTF-7 mailbox names (RFC 3501 §5.1.3, RFC 9051 §5.1.3) and INBOX (RFC 9051 §5.1).
#include "imap/proto/mailbox_name.hpp"

#include <gtest/gtest.h>

using namespace hermod::imap::proto;

TEST(imap_mutf7_Rfc3501_5_1_3, SpecExampleDecodes) {
    // "~peter/mail/台北/日本語"
    auto d = mutf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, "~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
    EXPECT_EQ(mutf7_encode(*d), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
}

TEST(imap_mutf7_Rfc3501_5_1_3, AmpersandIsAmpersandDash) {
    EXPECT_EQ(mutf7_decode("Tom &- Jerry"), "Tom & Jerry");
    EXPECT_EQ(mutf7_encode("Tom & Jerry"), "Tom &- Jerry");
}

TEST(imap_mutf7_Rfc3501_5_1_3, RoundTrips) {
    for (std::string_view s : {"INBOX", "",
                               "Entw\xC3\xBC"
                               "rfe",
                               "\xC3\xA9t\xC3\xA9", "\xF0\x9F\x98\x80 smile",
                               "a\xE2\x82\xAC&\xE2\x82\xAC"
                               "b",
                               "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"}) {
        std::string enc = mutf7_encode(s);
        auto dec = mutf7_decode(enc);
        ASSERT_TRUE(dec) << enc;
        EXPECT_EQ(*dec, s);
    }
    EXPECT_EQ(mutf7_encode("Entw\xC3\xBCrfe"), "Entw&APw-rfe");
    EXPECT_EQ(mutf7_encode("\xF0\x9F\x98\x80"), "&2D3eAA-");
}

TEST(imap_mutf7_Rfc3501_5_1_3, RejectsNonCanonicalAndInvalid) {
    EXPECT_FALSE(mutf7_decode("&U,BTFw"));      // unterminated
    EXPECT_FALSE(mutf7_decode("&AGE-"));        // "a" must be direct
    EXPECT_FALSE(mutf7_decode("&U,B-"));        // partial UTF-16 unit
    EXPECT_FALSE(mutf7_decode("&U,BTFx-"));     // non-zero padding bits
    EXPECT_FALSE(mutf7_decode("&U,A-&U,A-"));   // adjacent runs must be merged
    EXPECT_FALSE(mutf7_decode("&2D0-"));        // lone high surrogate
    EXPECT_FALSE(mutf7_decode("&3gA-"));        // lone low surrogate
    EXPECT_FALSE(mutf7_decode("&U/BTFw-"));     // '/' is ',' in modified base64
    EXPECT_FALSE(mutf7_decode("&U,BTFw=-"));    // no padding
    EXPECT_FALSE(mutf7_decode("caf\xC3\xA9"));  // raw 8-bit
    EXPECT_FALSE(mutf7_decode("a\tb"));         // control
    EXPECT_FALSE(mutf7_decode("&"));
    EXPECT_TRUE(mutf7_decode("&AAk-"));  // U+0009 encoded is canonical (not printable)
}

TEST(imap_mailbox_Rfc9051_5_1, InboxIsCaseInsensitive) {
    EXPECT_TRUE(is_inbox("inbox"));
    EXPECT_TRUE(is_inbox("InBoX"));
    EXPECT_FALSE(is_inbox("INBOX/x"));
    EXPECT_EQ(normalize_inbox("inbox"), "INBOX");
    EXPECT_EQ(normalize_inbox("Inbox/Sub"), "INBOX/Sub");
    EXPECT_EQ(normalize_inbox("Inboxes"), "Inboxes");
    EXPECT_EQ(normalize_inbox("Other/inbox"), "Other/inbox");
}

TEST(imap_mailbox_Rfc9051_5_1, NameProblems) {
    EXPECT_FALSE(mailbox_name_problem("Archive/2024"));
    EXPECT_TRUE(mailbox_name_problem(""));
    EXPECT_TRUE(mailbox_name_problem("/a"));
    EXPECT_TRUE(mailbox_name_problem("a/"));
    EXPECT_TRUE(mailbox_name_problem("a//b"));
    EXPECT_TRUE(mailbox_name_problem("a%b"));
    EXPECT_TRUE(mailbox_name_problem("a*"));
    EXPECT_TRUE(mailbox_name_problem("a\x01"));
    EXPECT_TRUE(mailbox_name_problem("\xC2\x85"));  // C1 control
    EXPECT_TRUE(mailbox_name_problem("\xFF"));
    EXPECT_TRUE(mailbox_name_problem(std::string(kMaxMailboxName + 1, 'a')));
}
