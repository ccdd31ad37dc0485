// BDAT receiver (RFC 3030): exact chunks, no unstuffing, sizes and Received: across chunks.
#include "smtp/proto/bdat_receiver.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace hermod::smtp::proto;

TEST(Rfc3030_2, ExactChunkAndRemainder) {
    std::string out;
    BdatReceiver rx({}, [&](std::string_view c) { out.append(c); });
    rx.begin_chunk(5, false);
    auto r = rx.feed("ab");
    EXPECT_EQ(r.status, FeedStatus::NeedMore);
    EXPECT_EQ(r.consumed, 2u);
    r = rx.feed("c\r\n.\r\nBDAT 0 LAST\r\n");
    EXPECT_EQ(r.status, FeedStatus::Done);
    EXPECT_EQ(r.consumed, 3u);
    EXPECT_EQ(out, "abc\r\n");
    EXPECT_FALSE(rx.message_complete());
    rx.begin_chunk(0, true);
    EXPECT_EQ(rx.feed("").status, FeedStatus::Done);
    EXPECT_TRUE(rx.message_complete());
    EXPECT_EQ(rx.size(), 5u);
}

TEST(Rfc3030_2, NoUnstuffingNoTerminator) {
    std::string out;
    BdatReceiver rx({}, [&](std::string_view c) { out.append(c); });
    const std::string text = std::string("..x\r\n.\r\n\r\n.\r\n\0\xff\r\n", 17);
    rx.begin_chunk(text.size(), true);
    auto r = rx.feed(text);
    EXPECT_EQ(r.status, FeedStatus::Done);
    EXPECT_EQ(out, text);
    EXPECT_EQ(rx.outcome(), BdatOutcome::Accepted);
}

// BINARYMIME is not offered: bare CR/LF in BDAT is refused like in DATA (RFC 5321 §2.3.8,
// SMTP smuggling), judged at LAST; a CRLF split across chunks is fine.
TEST(Rfc5321_2_3_8, BdatBareLineEndingsRefusedAtLast) {
    for (std::string bad : {std::string("a\nb\r\n"), std::string("a\rb\r\n"),
                            std::string("x\r\n.\n\r\n"), std::string("end\r")}) {
        BdatReceiver rx({}, {});
        rx.begin_chunk(bad.size(), false);
        EXPECT_EQ(rx.feed(bad).consumed, bad.size());
        EXPECT_EQ(rx.outcome(), BdatOutcome::Accepted) << "not judged before LAST";
        rx.begin_chunk(0, true);
        rx.feed("");
        EXPECT_EQ(rx.outcome(), BdatOutcome::BareLineEnding) << bad;
        ASSERT_TRUE(rejection_reply(rx.outcome()));
        EXPECT_EQ(rejection_reply(rx.outcome())->code, 550);
        rx.reset();
        rx.begin_chunk(4, true);
        rx.feed("ok\r\n");
        EXPECT_EQ(rx.outcome(), BdatOutcome::Accepted) << "reset forgets";
    }
    BdatReceiver rx({}, {});
    rx.begin_chunk(3, false);
    rx.feed("ab\r");
    rx.begin_chunk(4, true);
    rx.feed("\ncd\n");
    EXPECT_EQ(rx.outcome(), BdatOutcome::BareLineEnding);
    rx.reset();
    rx.begin_chunk(3, false);
    rx.feed("ab\r");
    rx.begin_chunk(4, true);
    rx.feed("\ncd\r");
    EXPECT_EQ(rx.outcome(), BdatOutcome::BareLineEnding);
    rx.reset();
    rx.begin_chunk(3, false);
    rx.feed("ab\r");
    rx.begin_chunk(5, true);
    rx.feed("\ncd\r\n");
    EXPECT_EQ(rx.outcome(), BdatOutcome::Accepted);  // CRLF split across chunks
}

TEST(Rfc3030_2, EveryChunkingGivesTheSameBytes) {
    const std::string msg = "Received: a\r\nSubject: s\r\n\r\nbody\r\n";
    for (std::size_t split = 0; split <= msg.size(); ++split) {
        std::string out;
        BdatReceiver rx({}, [&](std::string_view c) { out.append(c); });
        rx.begin_chunk(split, false);
        auto r = rx.feed(msg);
        EXPECT_EQ(r.consumed, split);
        rx.begin_chunk(msg.size() - split, true);
        // Fed byte by byte.
        for (std::size_t i = split; i < msg.size(); ++i)
            rx.feed(std::string_view(&msg[i], 1));
        EXPECT_TRUE(rx.message_complete());
        EXPECT_EQ(out, msg);
        EXPECT_EQ(rx.received_count(), 1u) << split;
    }
}

TEST(Rfc1870, BdatTooBigAcrossChunksStillConsumes) {
    BdatLimits l;
    l.max_size = 8;
    std::string out;
    BdatReceiver rx(l, [&](std::string_view c) { out.append(c); });
    rx.begin_chunk(5, false);
    rx.feed("12345");
    EXPECT_EQ(rx.outcome(), BdatOutcome::Accepted);
    rx.begin_chunk(5, true);
    EXPECT_EQ(rx.outcome(), BdatOutcome::TooBig);  // known before the octets arrive
    auto r = rx.feed("67890QUIT\r\n");
    EXPECT_EQ(r.status, FeedStatus::Done);
    EXPECT_EQ(r.consumed, 5u);
    EXPECT_EQ(out, "12345");
    EXPECT_EQ(rejection_reply(rx.outcome())->wire().substr(0, 9), "552 5.3.4");
}

TEST(Rfc1870, BdatHugeSizesSaturate) {
    BdatLimits l;
    l.max_size = 100;
    BdatReceiver rx(l, {});
    rx.begin_chunk(UINT64_MAX, false);
    EXPECT_EQ(rx.outcome(), BdatOutcome::TooBig);
    rx.reset();
    rx.begin_chunk(50, false);
    rx.feed(std::string(50, 'a'));
    rx.begin_chunk(UINT64_MAX, false);
    EXPECT_EQ(rx.size(), UINT64_MAX);
    EXPECT_EQ(rx.outcome(), BdatOutcome::TooBig);
}

TEST(Rfc5321_6_3, BdatReceivedAcrossChunks) {
    std::string hdrs;
    for (int i = 0; i < 101; ++i)
        hdrs += "Received: x\r\n";
    hdrs += "\r\nReceived: body\r\n";
    BdatReceiver rx({}, {});
    std::size_t half = hdrs.size() / 2 + 3;  // splits inside a "Received" name
    rx.begin_chunk(half, false);
    rx.feed(hdrs.substr(0, half));
    rx.begin_chunk(hdrs.size() - half, true);
    rx.feed(hdrs.substr(half));
    EXPECT_EQ(rx.received_count(), 101u);
    EXPECT_EQ(rx.outcome(), BdatOutcome::TooManyHops);
    EXPECT_EQ(rejection_reply(rx.outcome())->code, 554);
    rx.reset();
    EXPECT_EQ(rx.received_count(), 0u);
    EXPECT_EQ(rx.size(), 0u);
}
