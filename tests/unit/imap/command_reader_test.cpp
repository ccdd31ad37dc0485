// Command assembly: literals (RFC 9051 §4.3, §7.5), LITERAL+/LITERAL- (RFC 7888 §3-4), literal8
// (RFC 3516 §4.1), limits and TOOBIG (RFC 9051 §7.1), APPEND streaming.
#include "imap/proto/command_reader.hpp"

#include <gtest/gtest.h>

#include "assemble.hpp"
#include "imap/proto/arguments.hpp"

using namespace hermod::imap::proto;
using hermod::imap::proto::test::assemble;
using Kind = Step::Kind;

TEST(imap_literal_header_Rfc7888_3, Detection) {
    auto h = literal_header_at_end("A1 LOGIN {5}");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->pos, 9u);
    EXPECT_EQ(h->size, 5u);
    EXPECT_FALSE(h->nonsync);
    EXPECT_FALSE(h->binary);
    h = literal_header_at_end("A1 APPEND x ~{12+}");
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->nonsync);
    EXPECT_TRUE(h->binary);
    EXPECT_EQ(h->pos, 12u);
    EXPECT_EQ(h->size, 12u);
    EXPECT_EQ(literal_header_at_end("{99999999999999999999}")->size, UINT64_MAX);
    EXPECT_FALSE(literal_header_at_end("A1 NOOP"));
    EXPECT_FALSE(literal_header_at_end("A1 X {}"));
    EXPECT_FALSE(literal_header_at_end("A1 X {+}"));
    EXPECT_FALSE(literal_header_at_end("A1 X {1a}"));
    EXPECT_FALSE(literal_header_at_end("}"));
}

TEST(imap_assembler_Rfc9051_2_2_1, SimpleLineCompletes) {
    CommandAssembler a;
    EXPECT_EQ(a.feed_line("").kind, Kind::NeedLine);  // blank lines ignored
    auto s = a.feed_line("a001 NOOP");
    EXPECT_EQ(s.kind, Kind::Complete);
    EXPECT_EQ(a.command().text, "a001 NOOP");
    EXPECT_TRUE(a.command().literals.empty());
    EXPECT_TRUE(a.idle());
}

TEST(imap_assembler_Rfc9051_7_5, SynchronizingLiteralAsksForContinuation) {
    CommandAssembler a;
    auto s = a.feed_line("A003 LOGIN {11}");
    ASSERT_EQ(s.kind, Kind::Literal);
    EXPECT_TRUE(s.send_continuation);
    EXPECT_FALSE(s.streamed);
    EXPECT_EQ(s.size, 11u);
    EXPECT_EQ(a.tag(), "A003");
    // Octets split across feeds; feed_literal never takes more than owed.
    EXPECT_EQ(a.feed_literal("FRED "), 5u);
    EXPECT_EQ(a.feed_literal("FOOBAR and more"), 6u);
    EXPECT_EQ(a.literal_remaining(), 0u);
    s = a.feed_line(" {7}");
    ASSERT_EQ(s.kind, Kind::Literal);
    EXPECT_EQ(a.feed_literal("fat man"), 7u);
    s = a.feed_line("");
    ASSERT_EQ(s.kind, Kind::Complete);
    const auto& c = a.command();
    ASSERT_EQ(c.literals.size(), 2u);
    Parser p(c);
    p.command_head();
    p.sp();
    EXPECT_EQ(p.astring(), "FRED FOOBAR");
    p.sp();
    EXPECT_EQ(p.astring(), "fat man");
    EXPECT_TRUE(p.end()) << p.error()->text;
}

TEST(imap_assembler_Rfc7888_3, NonSynchronizingLiteralNoContinuation) {
    CommandAssembler a;
    auto s = a.feed_line("A1 LOGIN {4+}");
    ASSERT_EQ(s.kind, Kind::Literal);
    EXPECT_FALSE(s.send_continuation);
    a.feed_literal("fred");
    EXPECT_EQ(a.feed_line(" pw").kind, Kind::Complete);
    EXPECT_TRUE(a.command().literals[0].nonsync);
}

TEST(imap_assembler_Rfc9051_4_3, ZeroLengthLiteral) {
    auto r = assemble("A1 LOGIN {0}\r\n {0+}\r\n");
    ASSERT_TRUE(r.complete);
    Parser p(r.command);
    p.command_head();
    p.sp();
    EXPECT_EQ(p.astring(), "");
    p.sp();
    EXPECT_EQ(p.astring(), "");
    EXPECT_TRUE(p.end());
}

TEST(imap_assembler_Rfc9051_7_1, SyncLiteralTooBigIsNoTooBig) {
    AssemblyLimits l;
    l.max_literal = 100;
    CommandAssembler a(l);
    auto s = a.feed_line("A1 LOGIN {101}");
    ASSERT_EQ(s.kind, Kind::Reject);
    EXPECT_EQ(s.error->kind, AssemblyError::Kind::LiteralTooBig);
    EXPECT_EQ(s.error->recovery, Recovery::None);
    EXPECT_EQ(s.error->response(), "A1 NO [TOOBIG] Literal too big\r\n");
    EXPECT_TRUE(a.idle());
    EXPECT_EQ(a.feed_line("A2 NOOP").kind, Kind::Complete);  // next command works
}

TEST(imap_assembler_Rfc7888_4, NonSyncLiteralTooBigIsDiscarded) {
    AssemblyLimits l;
    l.max_literal = 100;
    CommandAssembler a(l);
    auto s = a.feed_line("A1 LOGIN {200+}");
    ASSERT_EQ(s.kind, Kind::Reject);
    EXPECT_EQ(s.error->recovery, Recovery::Discard);
    EXPECT_TRUE(s.discard);
    EXPECT_EQ(s.size, 200u);
    EXPECT_EQ(s.error->response(), "A1 BAD [TOOBIG] Literal too big\r\n");
    EXPECT_EQ(a.literal_remaining(), 200u);
    EXPECT_EQ(a.feed_literal(std::string(150, 'x')), 150u);
    EXPECT_EQ(a.feed_literal(std::string(80, 'x')), 50u);
    // The rest of the rejected command, with another non-sync literal, is dropped too.
    s = a.feed_line(" {3+}");
    EXPECT_EQ(s.kind, Kind::Literal);
    EXPECT_TRUE(s.discard);
    EXPECT_FALSE(s.send_continuation);
    EXPECT_EQ(a.feed_literal("abc"), 3u);
    EXPECT_EQ(a.feed_line("").kind, Kind::NeedLine);
    EXPECT_TRUE(a.idle());
    EXPECT_EQ(a.feed_line("A2 NOOP").kind, Kind::Complete);
    EXPECT_EQ(a.command().text, "A2 NOOP");
}

TEST(imap_assembler_Rfc7888_4, NonSyncPastDiscardLimitCloses) {
    AssemblyLimits l;
    l.max_literal = 100;
    l.max_discard = 1000;
    CommandAssembler a(l);
    auto s = a.feed_line("A1 APPEND INBOX {5000+}");
    ASSERT_EQ(s.kind, Kind::Reject);
    EXPECT_EQ(s.error->recovery, Recovery::Close);
    EXPECT_EQ(s.error->response(),
              "A1 BAD [TOOBIG] Literal too big\r\n* BYE Too much data, closing\r\n");
}

TEST(imap_assembler_Rfc7888_4, LiteralMinusLimitsNonSync) {
    AssemblyLimits l;
    l.max_nonsync_literal = kLiteralMinusMax;
    CommandAssembler a(l);
    auto s = a.feed_line("A1 LOGIN {4097+}");
    ASSERT_EQ(s.kind, Kind::Reject);
    EXPECT_EQ(s.error->kind, AssemblyError::Kind::NonSyncTooBig);
    EXPECT_EQ(s.error->recovery, Recovery::Discard);
    EXPECT_TRUE(s.error->response().starts_with("A1 BAD [TOOBIG] "));
    CommandAssembler b(l);
    EXPECT_EQ(b.feed_line("A1 LOGIN {4096+}").kind, Kind::Literal);
    CommandAssembler c(l);
    EXPECT_EQ(c.feed_line("A1 LOGIN {4097}").kind, Kind::Literal);  // sync: fine
}

TEST(imap_assembler_Limits, CommandTooLongCountsLiterals) {
    AssemblyLimits l;
    l.max_command = 64;
    CommandAssembler a(l);
    auto s = a.feed_line("A1 LOGIN {60}");
    ASSERT_EQ(s.kind, Kind::Reject);
    EXPECT_EQ(s.error->kind, AssemblyError::Kind::CommandTooLong);
    EXPECT_EQ(s.error->response(), "A1 NO [TOOBIG] Command too long\r\n");

    CommandAssembler b(l);
    ASSERT_EQ(b.feed_line("A1 LOGIN {20}").kind, Kind::Literal);
    b.feed_literal(std::string(20, 'u'));
    s = b.feed_line(" " + std::string(40, 'p'));
    ASSERT_EQ(s.kind, Kind::Reject);
    EXPECT_EQ(s.error->tag, "A1");
    EXPECT_EQ(s.error->recovery, Recovery::None);

    CommandAssembler c(l);
    s = c.feed_line(std::string(70, 'a'));
    ASSERT_EQ(s.kind, Kind::Reject);
    EXPECT_EQ(s.error->tag, "*");
}

TEST(imap_assembler_Limits, LineTooLongCloses) {
    CommandAssembler a;
    auto s = a.line_too_long();
    ASSERT_EQ(s.kind, Kind::Reject);
    EXPECT_EQ(s.error->recovery, Recovery::Close);
    EXPECT_EQ(s.error->response(),
              "* BAD [TOOBIG] Command line too long\r\n* BYE Too much data, closing\r\n");
}

TEST(imap_assembler_Rfc9051_6_3_12, AppendMessageLiteralIsStreamed) {
    CommandAssembler a;
    auto s = a.feed_line("A003 APPEND saved-messages (\\Seen) {310}");
    ASSERT_EQ(s.kind, Kind::Literal);
    EXPECT_TRUE(s.streamed);
    EXPECT_TRUE(s.send_continuation);
    std::string body(310, 'm');
    std::string got;
    for (std::size_t i = 0; i < body.size(); i += 100) {
        std::string_view chunk = std::string_view(body).substr(i, 100);
        std::size_t n = a.feed_literal(chunk);
        got.append(chunk.substr(0, n));
    }
    EXPECT_EQ(got, body);
    ASSERT_EQ(a.feed_line("").kind, Kind::Complete);
    EXPECT_LT(a.command().text.size(), 100u);  // the message never entered the buffer
    Parser p(a.command());
    p.command_head();
    auto req = parse_append(p);
    ASSERT_TRUE(req) << p.error()->text;
    EXPECT_EQ(req->mailbox, "saved-messages");
    ASSERT_EQ(req->messages.size(), 1u);
    EXPECT_TRUE(req->messages[0].literal.streamed);
    EXPECT_EQ(req->messages[0].literal.size, 310u);
    EXPECT_EQ(req->messages[0].flags, std::vector<std::string>{"\\Seen"});
}

TEST(imap_assembler_Rfc3502, MultiAppendStreamsEachMessageButNotTheMailboxLiteral) {
    std::string wire =
        "A1 APPEND {5}\r\nDraft (\\Draft) \"17-Jul-1996 02:44:25 -0700\" {3+}\r\nabc ~{4}\r\nd";
    wire += '\0';
    wire += "ef UTF8 (~{2+}\r\ngh)";
    auto r = assemble(wire);
    ASSERT_TRUE(r.complete);
    EXPECT_EQ(r.streamed, std::string("abcd\0efgh", 9));
    Parser p(r.command);
    p.command_head();
    auto req = parse_append(p);
    ASSERT_TRUE(req) << p.error()->text;
    EXPECT_EQ(req->mailbox, "Draft");
    ASSERT_EQ(req->messages.size(), 3u);
    EXPECT_TRUE(req->messages[0].internal_date);
    EXPECT_EQ(req->messages[0].literal.index, 1u);
    EXPECT_TRUE(req->messages[1].literal.binary);
    EXPECT_TRUE(req->messages[1].literal.has_nul);
    EXPECT_TRUE(req->messages[2].utf8);
    EXPECT_TRUE(req->messages[2].literal.streamed);
    EXPECT_FALSE(r.command.literals[0].streamed);  // the mailbox name
}

TEST(imap_assembler_Rfc9051_6_3_12, StreamingCanBeTurnedOff) {
    AssemblyLimits l;
    l.stream_append = false;
    auto r = assemble("A1 APPEND INBOX {5}\r\nhello", l);
    ASSERT_TRUE(r.complete);
    EXPECT_TRUE(r.streamed.empty());
    Parser p(r.command);
    p.command_head();
    auto req = parse_append(p);
    ASSERT_TRUE(req);
    EXPECT_EQ(req->messages[0].literal.data, "hello");
}

TEST(imap_assembler_Rfc9051_6_3_12, StreamedLiteralNotCountedInCommandSize) {
    AssemblyLimits l;
    l.max_command = 100;
    l.max_literal = 1000;
    CommandAssembler a(l);
    auto s = a.feed_line("A1 APPEND INBOX {900}");
    ASSERT_EQ(s.kind, Kind::Literal);
    EXPECT_TRUE(s.streamed);
    CommandAssembler b(l);
    s = b.feed_line("A1 APPEND INBOX {1001}");
    ASSERT_EQ(s.kind, Kind::Reject);
    EXPECT_EQ(s.error->response(), "A1 NO [TOOBIG] Literal too big\r\n");
}

TEST(imap_assembler_Rfc9051_4_3, LiteralInsideOtherCommandsIsNotStreamed) {
    CommandAssembler a;
    auto s = a.feed_line("A1 SEARCH SUBJECT {5}");
    ASSERT_EQ(s.kind, Kind::Literal);
    EXPECT_FALSE(s.streamed);
    CommandAssembler b;
    s = b.feed_line("A1 UID APPEND INBOX {5}");  // not a command: no streaming
    EXPECT_FALSE(s.streamed);
}
