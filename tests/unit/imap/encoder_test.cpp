// Response encoding (RFC 9051 §7, §9; RFC 4315 §3; RFC 6855 §3; RFC 5530).
#include "imap/proto/encoder.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace hermod::imap::proto;

TEST(imap_encoder_Rfc9051_7_1, TaggedAndUntagged) {
    EXPECT_EQ(tagged("A1", Status::Ok, "LOGIN completed"), "A1 OK LOGIN completed\r\n");
    EXPECT_EQ(tagged("A2", Status::No, "No such mailbox", {Code::TryCreate, {}}),
              "A2 NO [TRYCREATE] No such mailbox\r\n");
    EXPECT_EQ(untagged(Status::Ok, "UIDs valid", uidvalidity(3857529045)),
              "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n");
    EXPECT_EQ(untagged(Status::Bye, "bye"), "* BYE bye\r\n");
    EXPECT_EQ(tagged("A3", Status::Ok, "", {Code::ReadWrite, {}}), "A3 OK [READ-WRITE] OK\r\n");
    EXPECT_EQ(continuation(), "+ Ready\r\n");
    EXPECT_EQ(continuation_raw(""), "+ \r\n");
}

TEST(imap_encoder_Security, TextCannotBreakTheLine) {
    EXPECT_EQ(tagged("A1", Status::Bad, "x\r\nA2 OK forged"), "A1 BAD x  A2 OK forged\r\n");
    EXPECT_EQ(untagged(Status::No, "[ALERT] fake"), "* NO  [ALERT] fake\r\n");
    EXPECT_EQ(tagged("", Status::Bad, "t"), "* BAD t\r\n");
}

TEST(imap_encoder_Rfc5530, EveryCodeHasAName) {
    for (int c = static_cast<int>(Code::Alert); c <= static_cast<int>(Code::UseAttr); ++c)
        EXPECT_FALSE(code_name(static_cast<Code>(c)).empty()) << c;
    EXPECT_EQ(code_name(Code::ReadOnly), "READ-ONLY");
    EXPECT_EQ(code_name(Code::AuthenticationFailed), "AUTHENTICATIONFAILED");
    EXPECT_EQ(code_name(Code::ExpungeIssued), "EXPUNGEISSUED");
    EXPECT_EQ(code_name(Code::None), "");
}

TEST(imap_encoder_Rfc4315_3, UidPlusCodes) {
    std::vector<std::uint32_t> src{304, 319, 320, 321, 322, 323, 324, 325, 326, 327, 328};
    std::vector<std::uint32_t> dst{3956, 3957, 3958, 3959, 3960, 3961,
                                   3962, 3963, 3964, 3965, 3966};
    EXPECT_EQ(tagged("A004", Status::Ok, "Done", copyuid(38505, src, dst)),
              "A004 OK [COPYUID 38505 304,319:328 3956:3966] Done\r\n");
    std::vector<std::uint32_t> one{3955};
    EXPECT_EQ(tagged("A003", Status::Ok, "APPEND completed", appenduid(38505, one)),
              "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n");
}

TEST(imap_encoder_Rfc9051_7_1, CodeBuilders) {
    std::vector<std::string> flags{"\\Deleted", "\\Seen"};
    EXPECT_EQ(permanentflags(flags, true).args, "(\\Deleted \\Seen \\*)");
    EXPECT_EQ(permanentflags({}, false).args, "()");
    std::vector<std::string_view> caps{"IMAP4rev2", "IMAP4rev1"};
    EXPECT_EQ(tagged("a", Status::Ok, "hi", capability(caps)),
              "a OK [CAPABILITY IMAP4rev2 IMAP4rev1] hi\r\n");
    EXPECT_EQ(tagged("a", Status::No, "x", badcharset()),
              "a NO [BADCHARSET (UTF-8 US-ASCII)] x\r\n");
    EXPECT_EQ(uidnext(4392).args, "4392");
    EXPECT_EQ(highestmodseq(715194045007).args, "715194045007");
}

TEST(imap_encoder_Rfc9051_4_3, QuotedOrLiteral) {
    std::string out;
    append_string(out, "plain \"q\" \\b");
    EXPECT_EQ(out, "\"plain \\\"q\\\" \\\\b\"");
    out.clear();
    append_string(out, "two\r\nlines");
    EXPECT_EQ(out, "{10}\r\ntwo\r\nlines");
    out.clear();
    append_string(out, "caf\xC3\xA9");  // 8-bit: literal for rev1
    EXPECT_EQ(out, "{5}\r\ncaf\xC3\xA9");
    out.clear();
    append_string(out, "caf\xC3\xA9", EncodeOptions{.utf8 = true});  // RFC 6855 §3
    EXPECT_EQ(out, "\"caf\xC3\xA9\"");
    out.clear();
    append_string(out, "\xFF", EncodeOptions{.utf8 = true});  // not UTF-8: literal
    EXPECT_EQ(out, "{1}\r\n\xFF");
    out.clear();
    append_string(out, std::string(2000, 'a'));
    EXPECT_TRUE(out.starts_with("{2000}\r\n"));
    out.clear();
    append_literal8(out, std::string("a\0b", 3));
    EXPECT_EQ(out, std::string("~{3}\r\na\0b", 9));
}

TEST(imap_encoder_Rfc9051_9, AstringNstringNil) {
    std::string out;
    append_astring(out, "INBOX");
    out += ' ';
    append_astring(out, "a b");
    out += ' ';
    append_astring(out, "");
    out += ' ';
    append_astring(out, "nil");
    out += ' ';
    append_astring(out, "x]y");
    out += ' ';
    append_nstring(out, std::nullopt);
    out += ' ';
    append_nstring(out, "v");
    EXPECT_EQ(out, "INBOX \"a b\" \"\" \"nil\" x]y NIL \"v\"");
}

TEST(imap_encoder_Rfc3501_5_1_3, MailboxNames) {
    std::string out;
    append_mailbox(out, "~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97");
    EXPECT_EQ(out, "~peter/mail/&U,BTFw-");
    out.clear();
    append_mailbox(out, "\xE5\x8F\xB0", EncodeOptions{.utf8 = true});
    EXPECT_EQ(out, "\"\xE5\x8F\xB0\"");
    out.clear();
    append_mailbox(out, "Tom & Jerry");
    EXPECT_EQ(out, "\"Tom &- Jerry\"");
    out.clear();
    std::vector<std::string> flags{"\\Seen", "$Junk"};
    append_atom_list(out, flags);
    EXPECT_EQ(out, "(\\Seen $Junk)");
}

TEST(imap_encoder_Rfc9051_9, InternalDate) {
    EXPECT_EQ(format_internal_date(837596665, -420), "\"17-Jul-1996 02:44:25 -0700\"");
    EXPECT_EQ(format_internal_date(0), "\"01-Jan-1970 00:00:00 +0000\"");
    EXPECT_EQ(format_internal_date(951782400, 330), "\"29-Feb-2000 05:30:00 +0530\"");
    EXPECT_EQ(format_internal_date(-1), "\"31-Dec-1969 23:59:59 +0000\"");
}
