// Tokens and primitive readers (RFC 9051 §9 formal syntax; RFC 5182 "$").
#include "imap/proto/parser.hpp"

#include <gtest/gtest.h>

#include "assemble.hpp"

using namespace hermod::imap::proto;
using hermod::imap::proto::test::assemble;
using hermod::imap::proto::test::Parsed;

namespace {

CommandBuffer text(std::string_view s) {
    CommandBuffer b;
    b.text = std::string(s);
    return b;
}

}  // namespace

TEST(imap_parser_Rfc9051_9, CommandHeadIsCaseInsensitiveAndFoldsUid) {
    auto b = text("a001 login fred secret");
    Parser p(b);
    auto h = p.command_head();
    ASSERT_TRUE(h);
    EXPECT_EQ(h->tag, "a001");
    EXPECT_EQ(h->verb, Verb::Login);
    EXPECT_FALSE(h->uid);

    auto b2 = text("A2 uid Fetch 1:* FLAGS");
    Parser p2(b2);
    h = p2.command_head();
    ASSERT_TRUE(h);
    EXPECT_EQ(h->verb, Verb::Fetch);
    EXPECT_TRUE(h->uid);
    EXPECT_EQ(h->name, "uid Fetch");
    EXPECT_EQ(p2.rest(), " 1:* FLAGS");

    auto b3 = text("A3 XYZZY");
    Parser p3(b3);
    h = p3.command_head();
    ASSERT_TRUE(h);
    EXPECT_EQ(h->verb, Verb::Unknown);

    auto b4 = text("A4 UID LOGIN");
    Parser p4(b4);
    EXPECT_EQ(p4.command_head()->verb, Verb::Unknown);
}

TEST(imap_parser_Rfc9051_9, TagErrors) {
    for (std::string_view bad : {"", " NOOP", "+1 NOOP", "A*1 NOOP", "A1", "A1  NOOP"}) {
        auto b = text(bad);
        Parser p(b);
        auto h = p.command_head();
        EXPECT_FALSE(h && p.ok()) << bad;
        EXPECT_TRUE(p.error()) << bad;
    }
    auto b = text(std::string(kMaxTag + 1, 'a') + " NOOP");
    Parser p(b);
    EXPECT_FALSE(p.command_head());
    EXPECT_EQ(p.error()->text, "tag too long");
}

TEST(imap_parser_Rfc9051_9, Numbers) {
    auto b = text("0 4294967295 4294967296 9223372036854775807 9223372036854775808");
    Parser p(b);
    EXPECT_EQ(p.number(), 0u);
    p.sp();
    EXPECT_EQ(p.number(), 4294967295u);
    p.sp();
    EXPECT_FALSE(p.number());
    EXPECT_EQ(p.error()->text, "number too large");

    auto b2 = text("9223372036854775807 9223372036854775808");
    Parser p2(b2);
    EXPECT_EQ(p2.number64(), 9223372036854775807ull);
    p2.sp();
    EXPECT_FALSE(p2.number64());

    auto b3 = text("0");
    Parser p3(b3);
    EXPECT_FALSE(p3.nz_number());
    EXPECT_EQ(p3.error()->text, "expected a non-zero number");
}

TEST(imap_parser_Rfc9051_9, QuotedStringsAndEscapes) {
    auto b = text(R"("a \"b\" \\c" "" "x\y")");
    Parser p(b);
    EXPECT_EQ(p.string(), "a \"b\" \\c");
    p.sp();
    EXPECT_EQ(p.string(), "");
    p.sp();
    EXPECT_FALSE(p.string());
    EXPECT_NE(p.error()->text.find("invalid escape"), std::string::npos);

    auto b2 = text("\"unterminated");
    Parser p2(b2);
    EXPECT_FALSE(p2.string());
    EXPECT_EQ(p2.error()->text, "unterminated quoted string");

    auto b3 = text("\"bad \xFF utf8\"");
    Parser p3(b3);
    EXPECT_FALSE(p3.string());
    EXPECT_EQ(p3.error()->text, "quoted string is not valid UTF-8");

    auto b4 = text("\"caf\xC3\xA9\"");
    Parser p4(b4);
    EXPECT_EQ(p4.string(), "caf\xC3\xA9");  // UTF-8 in quoted (RFC 6855 §3)
}

TEST(imap_parser_Rfc9051_4_3, LiteralsOnlyWhereAssembled) {
    Parsed login("A1 LOGIN {4}\r\nfred {6+}\r\nsecret");
    auto& p = login.parser;
    p.sp();
    EXPECT_EQ(p.astring(), "fred");
    p.sp();
    EXPECT_EQ(p.astring(), "secret");
    EXPECT_TRUE(p.end()) << login.error();

    // A "{3}" in the middle of a line is not a literal.
    auto b = text("A1 LOGIN {3} x");
    Parser q(b);
    q.command_head();
    q.sp();
    EXPECT_FALSE(q.astring());
    EXPECT_EQ(q.error()->text, "a literal must end its line");
}

TEST(imap_parser_Rfc9051_4_3, LiteralWithNulIsRefusedAsString) {
    Parsed c(std::string("A1 LOGIN {3}\r\na\0b x", 19));
    c.parser.sp();
    EXPECT_FALSE(c.parser.astring());
    EXPECT_EQ(c.error(), "NUL in literal");
}

TEST(imap_parser_Rfc3516_4_1, Literal8NotAString) {
    Parsed c("A1 LOGIN ~{3}\r\nabc x");
    c.parser.sp();
    EXPECT_FALSE(c.parser.astring());
    EXPECT_EQ(c.error(), "literal8 (~{n}) not allowed here");
}

TEST(imap_parser_Rfc9051_9, AstringAtomsAndNstring) {
    auto b = text("foo]bar NIL nil \"NIL\" (x");
    Parser p(b);
    EXPECT_EQ(p.astring(), "foo]bar");  // resp-specials allowed in ASTRING-CHAR
    p.sp();
    auto n = p.nstring();
    ASSERT_TRUE(n);
    EXPECT_FALSE(*n);
    p.sp();
    n = p.nstring();
    ASSERT_TRUE(n);
    EXPECT_FALSE(*n);
    p.sp();
    n = p.nstring();
    ASSERT_TRUE(n && *n);
    EXPECT_EQ(**n, "NIL");
    p.sp();
    EXPECT_FALSE(p.astring());
    EXPECT_EQ(p.error()->text, "expected an atom");
}

TEST(imap_parser_Rfc9051_5_1, MailboxInboxAndModifiedUtf7) {
    auto b = text("inbox INBOX/x &ZeVnLIqe- &Jjo!- caf\xC3\xA9");
    Parser p(b);
    EXPECT_EQ(p.mailbox(), "INBOX");
    p.sp();
    EXPECT_EQ(p.mailbox(), "INBOX/x");
    p.sp();
    EXPECT_EQ(p.mailbox(), "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
    p.sp();
    EXPECT_FALSE(p.mailbox());
    EXPECT_NE(p.error()->text.find("modified UTF-7"), std::string::npos);

    // UTF8=ACCEPT: names are UTF-8 (RFC 6855 §3), '&' is literal.
    auto b2 = text("\"caf\xC3\xA9\" a&b");
    Parser u(b2, ParserOptions{.utf8 = true});
    EXPECT_EQ(u.mailbox(), "caf\xC3\xA9");
    u.sp();
    EXPECT_EQ(u.mailbox(), "a&b");
}

TEST(imap_parser_Rfc9051_9, ListMailboxKeepsWildcards) {
    auto b = text("% INBOX/* \"a b%\"");
    Parser p(b);
    EXPECT_EQ(p.list_mailbox(), "%");
    p.sp();
    EXPECT_EQ(p.list_mailbox(), "INBOX/*");
    p.sp();
    EXPECT_EQ(p.list_mailbox(), "a b%");
}

TEST(imap_parser_Rfc9051_2_3_2, Flags) {
    auto b = text("(\\seen \\ANSWERED $Junk \\Custom) (\\Recent) (\\Seen");
    Parser p(b);
    auto f = p.flag_list();
    ASSERT_TRUE(f);
    EXPECT_EQ(*f, (std::vector<std::string>{"\\Seen", "\\Answered", "$Junk", "\\Custom"}));
    p.sp();
    EXPECT_FALSE(p.flag_list());
    EXPECT_EQ(p.error()->text, "\\Recent cannot be set by the client");

    auto b2 = text("(\\Seen");
    Parser q(b2);
    EXPECT_FALSE(q.flag_list());
    EXPECT_EQ(q.error()->text, "expected SP or ')' in the flag list (command ends early)");

    auto b3 = text("()");
    Parser r(b3);
    EXPECT_EQ(r.flag_list(), std::vector<std::string>{});
}

TEST(imap_parser_Rfc9051_9, Dates) {
    auto b = text("1-Feb-1994 \"29-feb-2024\" 29-Feb-2023 1-Foo-2000 1-Jan-99");
    Parser p(b);
    EXPECT_EQ(p.date(), (Date{1994, 2, 1}));
    p.sp();
    EXPECT_EQ(p.date(), (Date{2024, 2, 29}));
    p.sp();
    EXPECT_FALSE(p.date());
    EXPECT_EQ(p.error()->text, "invalid date (expected d-Mon-yyyy)");
    for (std::string_view bad :
         {"1-Foo-2000", "1-Jan-99", "32-Jan-2000", "-Jan-2000", "\"1-Jan-2000"}) {
        auto bb = text(bad);
        Parser q(bb);
        EXPECT_FALSE(q.date()) << bad;
    }
}

TEST(imap_parser_Rfc9051_9, DateTime) {
    auto b = text("\"17-Jul-1996 02:44:25 -0700\" \" 7-Jul-1996 02:44:25 +0000\"");
    Parser p(b);
    auto dt = p.date_time();
    ASSERT_TRUE(dt);
    EXPECT_EQ(dt->date, (Date{1996, 7, 17}));
    EXPECT_EQ(dt->zone_minutes, -420);
    EXPECT_EQ(dt->to_unix(), 837596665);  // 1996-07-17T09:44:25Z
    p.sp();
    dt = p.date_time();
    ASSERT_TRUE(dt);
    EXPECT_EQ(dt->date.day, 7);
    for (std::string_view bad :
         {"\"17-Jul-1996 02:44:25\"", "17-Jul-1996 02:44:25 -0700", "\"7-Jul-1996 02:44:25 -0700\"",
          "\"17-Jul-1996 24:00:00 -0700\"", "\"17-Jul-1996 02:44:25 -0760\"",
          "\"31-Apr-1996 02:44:25 -0700\""}) {
        auto bb = text(bad);
        Parser q(bb);
        EXPECT_FALSE(q.date_time()) << bad;
    }
}

TEST(imap_parser_Rfc9051_9, SequenceSets) {
    auto b = text("1:3,5,7:*,*:4 $ 0 1:0 1,,2 2:x");
    Parser p(b);
    auto s = p.sequence_set();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->ranges.size(), 4u);
    EXPECT_EQ(s->ranges[2], (SeqRange{7, kStar}));
    EXPECT_EQ(s->to_string(), "1:3,5,7:*,*:4");
    EXPECT_TRUE(s->contains(6, 10));  // *:4 with * = 10
    EXPECT_FALSE(s->contains(11, 10));
    auto r = s->resolve(10);
    EXPECT_EQ(r, (std::vector<SeqRange>{{1, 10}}));
    p.sp();
    s = p.sequence_set();
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->saved);  // RFC 5182
    for (std::string_view bad : {"0", "1:0", "1,,2", "2:x", "", "$,1", "1.5"}) {
        auto bb = text(bad);
        Parser q(bb);
        EXPECT_FALSE(q.sequence_set()) << bad;
        EXPECT_NE(q.error()->text.find("sequence set"), std::string::npos) << bad;
    }
}

TEST(imap_parser_Rfc9051_9, ErrorsAreSticky) {
    auto b = text("x y");
    Parser p(b);
    EXPECT_FALSE(p.number());
    EXPECT_FALSE(p.atom());  // would succeed, but the first error stands
    EXPECT_EQ(p.error()->text, "expected a number");
}

TEST(imap_parser_Rfc9051_9, EndRequiresNothingMore) {
    auto b = text("NOOP x");
    Parser p(b);
    p.atom();
    EXPECT_FALSE(p.end());
    EXPECT_EQ(p.error()->text, "unexpected characters after the command arguments");
}

TEST(imap_sequence_set_Rfc4315_3, CompactUidSet) {
    std::vector<std::uint32_t> uids{1, 2, 3, 5, 7, 8, 4};
    EXPECT_EQ(format_uid_set(uids), "1:3,5,7:8,4");
    EXPECT_EQ(format_uid_set(std::vector<std::uint32_t>{}), "");
    EXPECT_EQ(format_uid_set(std::vector<std::uint32_t>{42}), "42");
    std::vector<SeqRange> ranges{{5, 5}, {1, 3}, {4, 4}, {9, 7}};
    EXPECT_EQ(format_ranges(ranges), "1:5,7:9");
}
