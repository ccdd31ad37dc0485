// DATA receiver: terminator, dot-unstuffing, smuggling variants, limits, pipelining remainder,
// Received counting - each case ground at every split point (RFC 5321 §4.1.1.4, §4.5.2, §6.3).
#include "smtp/proto/data_receiver.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace hermod::smtp::proto;

namespace {

struct Run {
    std::string output;
    bool done = false;
    std::size_t rest_offset = 0;  // offset in the whole input where the next command begins
    DataOutcome outcome = DataOutcome::Accepted;
    std::size_t received = 0;
    std::uint64_t size = 0;
    bool long_line = false;

    bool operator==(const Run& o) const {
        // A rejected message's output is discarded by contract, and how much of it reached the
        // sink before the verdict depends on chunking: compare it only for accepted messages.
        bool same_output = outcome != DataOutcome::Accepted || output == o.output;
        return same_output && done == o.done && rest_offset == o.rest_offset &&
               outcome == o.outcome && received == o.received && size == o.size &&
               long_line == o.long_line;
    }
};

// Feeds `input` in pieces given by `cuts` (sorted split offsets).
Run feed_split(std::string_view input, const std::vector<std::size_t>& cuts, DataLimits limits) {
    Run run;
    DataReceiver rx(limits, [&](std::string_view chunk) { run.output.append(chunk); });
    std::size_t pos = 0;
    std::vector<std::size_t> ends = cuts;
    ends.push_back(input.size());
    for (std::size_t end : ends) {
        if (end < pos) continue;
        std::string piece(input.substr(pos, end - pos));  // own copy: views must not outlive it
        auto r = rx.feed(piece);
        if (r.status == FeedStatus::Done) {
            run.done = true;
            run.rest_offset = pos + r.consumed;
            break;
        }
        EXPECT_EQ(r.consumed, piece.size());
        pos = end;
    }
    run.outcome = rx.outcome();
    run.received = rx.received_count();
    run.size = rx.size();
    run.long_line = rx.saw_long_line();
    return run;
}

// The whole input at once, then every single split point, then every pair of split points for
// short inputs, then byte by byte: all must agree (Beast parsegrind, STYLE.md §3.4).
Run grind(std::string_view input, DataLimits limits = {}) {
    Run whole = feed_split(input, {}, limits);
    for (std::size_t i = 0; i <= input.size(); ++i) {
        EXPECT_EQ(feed_split(input, {i}, limits), whole) << "split at " << i;
    }
    if (input.size() <= 64) {
        for (std::size_t i = 0; i <= input.size(); ++i)
            for (std::size_t j = i; j <= input.size(); ++j)
                EXPECT_EQ(feed_split(input, {i, j}, limits), whole) << "split " << i << "," << j;
    }
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < input.size(); ++i)
        every.push_back(i);
    EXPECT_EQ(feed_split(input, every, limits), whole) << "byte by byte";
    return whole;
}

}  // namespace

TEST(Rfc5321_4_1_1_4, SimpleMessage) {
    auto r = grind("Subject: hi\r\n\r\nbody\r\n.\r\n");
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.output, "Subject: hi\r\n\r\nbody\r\n");
    EXPECT_EQ(r.outcome, DataOutcome::Accepted);
    EXPECT_EQ(r.size, r.output.size());
}

TEST(Rfc5321_4_1_1_4, EmptyMessageEndsAtOnce) {
    // DATA's own CRLF precedes the data, so ".\r\n" first thing is the terminator.
    auto r = grind(".\r\n");
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.output, "");
    EXPECT_EQ(r.rest_offset, 3u);
}

TEST(Rfc5321_4_1_1_4, NotDoneWithoutTerminator) {
    auto r = grind("Subject: x\r\n\r\nbody\r\n.");
    EXPECT_FALSE(r.done);
    EXPECT_EQ(r.output, "Subject: x\r\n\r\nbody\r\n");
    auto r2 = grind("abc\r\n.\r");
    EXPECT_FALSE(r2.done);
    EXPECT_EQ(r2.output, "abc\r\n");
}

TEST(Rfc2920, PipelinedRemainderAfterTerminator) {
    const std::string msg = "a\r\n.\r\n";
    const std::string next = "MAIL FROM:<>\r\nRCPT TO:<x@y.example>\r\n";
    auto r = grind(msg + next);
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.output, "a\r\n");
    EXPECT_EQ(r.rest_offset, msg.size());
}

TEST(Rfc5321_4_5_2, DotUnstuffing) {
    auto r = grind("..\r\n..leading\r\n...\r\nmid.dle\r\n .space\r\n.\r\n");
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.output, ".\r\n.leading\r\n..\r\nmid.dle\r\n .space\r\n");
    EXPECT_EQ(r.outcome, DataOutcome::Accepted);
    auto first = grind("..x\r\n.\r\n");
    EXPECT_EQ(first.output, ".x\r\n");
    // A stuffed dot followed by anything else is removed (RFC 5321 §4.5.2 second rule).
    auto other = grind(".x\r\n.\r\n");
    EXPECT_EQ(other.output, "x\r\n");
}

TEST(Rfc5321_4_5_2, DoneObjectConsumesNothing) {
    DataReceiver rx({}, {});
    EXPECT_EQ(rx.feed(".\r\nNOOP\r\n").consumed, 3u);
    EXPECT_TRUE(rx.done());
    auto again = rx.feed("more");
    EXPECT_EQ(again.status, FeedStatus::Done);
    EXPECT_EQ(again.consumed, 0u);
    rx.reset();
    EXPECT_FALSE(rx.done());
    EXPECT_EQ(rx.feed("x\r\n.\r\n").status, FeedStatus::Done);
}

// SMTP smuggling (CVE-2023-51764 family): none of these end or split the message; all are
// rejected after the real terminator, and the session stays in sync.
TEST(Rfc5321_2_3_8, SmugglingVariantsNeverEndData) {
    const std::string smuggled = "MAIL FROM:<evil@x.example>\r\nRCPT TO:<v@y.example>\r\nDATA\r\n";
    for (const char* marker : {"\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r", "\r\n.\n"}) {
        std::string input =
            "Subject: a\r\n\r\nx" + std::string(marker) + smuggled + "bad\r\n.\r\nQUIT\r\n";
        auto r = grind(input);
        EXPECT_TRUE(r.done) << marker;
        EXPECT_EQ(r.rest_offset, input.size() - 6) << marker;  // only "QUIT\r\n" remains
        EXPECT_EQ(r.outcome, DataOutcome::BareLineEnding) << marker;
    }
}

TEST(Rfc5321_2_3_8, BareLfAndBareCrAnywhere) {
    for (const char* body : {"a\nb", "a\rb", "\n.", "\r\n\n.", "a\r", ".\n.", ".\rx", "\r", "\n"}) {
        auto r = grind(std::string(body) + "\r\n.\r\n");
        EXPECT_TRUE(r.done) << body;
        EXPECT_EQ(r.outcome, DataOutcome::BareLineEnding) << body;
    }
    DataReceiver rx({}, {});
    rx.feed("a\nb\rc\r\n.\r\n");
    EXPECT_TRUE(rx.saw_bare_lf());
    EXPECT_TRUE(rx.saw_bare_cr());
    ASSERT_TRUE(rejection_reply(rx.outcome()));
    EXPECT_EQ(rejection_reply(rx.outcome())->wire().substr(0, 9), "550 5.6.0");
}

TEST(Rfc5321_2_3_8, BareCrBeforeRealTerminator) {
    // "x\r\r\n.\r\n": the real terminator ends the data; the bare CR before it rejects.
    auto r = grind("x\r\r\n.\r\nQUIT\r\n");
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.rest_offset, 7u);
    EXPECT_EQ(r.outcome, DataOutcome::BareLineEnding);
}

TEST(Rfc5321_2_3_8, DotCrThenTextIsStuffedDotAndBareCr) {
    // "\r\n.\rX": the dot is stuffing, the CR is bare; output keeps the CR.
    auto r = grind("a\r\n.\rX\r\n.\r\n");
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.outcome, DataOutcome::BareLineEnding);
}

TEST(Rfc5321_2_3_8, DotCrThenTextOutputWhenNotRejecting) {
    // Output up to the first violation is streamed; the CR of ".\r" appears once only.
    std::string out;
    DataReceiver rx({}, [&](std::string_view c) { out.append(c); });
    rx.feed("a\r\n.");
    rx.feed("\r");
    EXPECT_EQ(out, "a\r\n");
    rx.feed("\r\n.\r\n");
    EXPECT_TRUE(rx.done());
    EXPECT_EQ(rx.outcome(), DataOutcome::BareLineEnding);
}

TEST(Rfc1870, TooBigKeepsSync) {
    DataLimits l;
    l.max_size = 10;
    std::string input = std::string("0123456789ABCDEF\r\n") + "more\r\n.\r\nRSET\r\n";
    auto r = grind(input, l);
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.outcome, DataOutcome::TooBig);
    EXPECT_EQ(r.rest_offset, input.size() - 6);
    EXPECT_EQ(r.size, 24u);  // counted past the limit
    EXPECT_LE(r.output.size(), 10u);
    EXPECT_EQ(rejection_reply(r.outcome)->wire(),
              "552 5.3.4 Message size exceeds fixed maximum\r\n");
}

TEST(Rfc1870, ExactlyAtLimitAccepted) {
    DataLimits l;
    l.max_size = 5;
    auto r = grind("abc\r\n.\r\n", l);
    EXPECT_EQ(r.outcome, DataOutcome::Accepted);
    EXPECT_EQ(r.output, "abc\r\n");
    l.max_size = 4;
    EXPECT_EQ(grind("abc\r\n.\r\n", l).outcome, DataOutcome::TooBig);
}

TEST(Rfc1870, SizeIsAfterUnstuffing) {
    DataLimits l;
    l.max_size = 4;
    EXPECT_EQ(grind("..a\r\n.\r\n", l).outcome, DataOutcome::Accepted);  // ".a\r\n"
}

TEST(Rfc5321_4_5_3_1_6, LongLinesReported) {
    std::string ok_line(998, 'x');
    auto a = grind(ok_line + "\r\n.\r\n");
    EXPECT_FALSE(a.long_line);
    std::string long_line(999, 'x');
    auto b = grind(long_line + "\r\n.\r\n");
    EXPECT_TRUE(b.long_line);
    EXPECT_EQ(b.outcome, DataOutcome::Accepted);  // reported, not rejected by default
    DataLimits strict;
    strict.reject_long_lines = true;
    EXPECT_EQ(grind(long_line + "\r\n.\r\n", strict).outcome, DataOutcome::LineTooLong);
    EXPECT_EQ(grind(ok_line + "\r\n.\r\n", strict).outcome, DataOutcome::Accepted);
    // A stuffed dot counts on the wire.
    EXPECT_TRUE(grind("." + ok_line + "\r\n.\r\n", strict).long_line);
    // Unterminated long line is reported as soon as it passes the ceiling.
    DataReceiver rx({}, {});
    rx.feed(std::string(5000, 'y'));
    EXPECT_TRUE(rx.saw_long_line());
}

TEST(Rfc5321_6_3, ReceivedCounting) {
    std::string hdrs =
        "Received: from a\r\n\tby b\r\nRECEIVED : x\r\nreceived:y\r\n"
        "Received-SPF: pass\r\nX-Received: no\r\nSubject: s\r\n";
    auto r = grind(hdrs + "\r\nReceived: in body\r\n.\r\n");
    EXPECT_EQ(r.received, 3u);
    EXPECT_EQ(r.outcome, DataOutcome::Accepted);
    // Dot-stuffed header line is counted after unstuffing.
    EXPECT_EQ(grind(".Received: x\r\n\r\n.\r\n").received, 1u);
}

TEST(Rfc5321_6_3, TooManyHops) {
    std::string hdrs;
    for (int i = 0; i < 100; ++i)
        hdrs += "Received: from hop\r\n";
    DataReceiver rx({}, {});
    rx.feed(hdrs + "\r\nbody\r\n.\r\n");
    EXPECT_EQ(rx.received_count(), 100u);
    EXPECT_EQ(rx.outcome(), DataOutcome::Accepted);
    rx.reset();
    rx.feed(hdrs + "Received: one more\r\n\r\nbody\r\n.\r\n");
    EXPECT_EQ(rx.received_count(), 101u);
    EXPECT_EQ(rx.outcome(), DataOutcome::TooManyHops);
    EXPECT_EQ(rejection_reply(rx.outcome())->wire().substr(0, 9), "554 5.4.6");
}

TEST(Rfc5321_4_1_1_4, StreamsInChunksWithoutBuffering) {
    // Output arrives while data is still incoming: never accumulated until the end.
    std::size_t delivered = 0;
    DataReceiver rx({}, [&](std::string_view c) { delivered += c.size(); });
    std::string block(4096, 'z');
    block += "\r\n";
    for (int i = 0; i < 100; ++i) {
        rx.feed(block);
        EXPECT_EQ(delivered, block.size() * (i + 1));
    }
    EXPECT_EQ(rx.feed(".\r\n").status, FeedStatus::Done);
}

TEST(Rfc5321_4_1_1_4, RejectionReplies) {
    EXPECT_FALSE(rejection_reply(DataOutcome::Accepted));
    EXPECT_EQ(rejection_reply(DataOutcome::LineTooLong)->code, 550);
}
