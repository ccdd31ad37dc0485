// Message encoder: byte-stuffing and terminator (RFC 1939 §3), TOP (RFC 1939 §7), and the
// same output however the message is split into chunks.
#include "pop3/proto/message_encoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace hermod::pop3::proto;

namespace {

// Feeds `msg` in chunks of `step` octets (0: in one piece) and finishes.
std::string encode(std::string_view msg, std::optional<std::uint32_t> lines = std::nullopt,
                   std::size_t step = 0) {
    MessageEncoder enc(lines);
    std::string out;
    if (step == 0) step = msg.size() + 1;
    for (std::size_t i = 0; i < msg.size(); i += step)
        enc.feed(msg.substr(i, step), out);
    enc.finish(out);
    return out;
}

// Feeds `msg` split at one position.
std::string encode_split(std::string_view msg, std::size_t at,
                         std::optional<std::uint32_t> lines = std::nullopt) {
    MessageEncoder enc(lines);
    std::string out;
    enc.feed(msg.substr(0, at), out);
    enc.feed(msg.substr(at), out);
    enc.finish(out);
    return out;
}

const std::string kMessage =
    "From: a@example.org\r\n"
    "Subject: dots\r\n"
    "\r\n"
    ".hidden line\r\n"
    "body 2\r\n"
    "..\r\n"
    ".\r\n"
    "last";

}  // namespace

TEST(pop3_encoder_Rfc1939_3, RetrCopiesAndTerminates) {
    EXPECT_EQ(encode("Subject: x\r\n\r\nhello\r\n"), "Subject: x\r\n\r\nhello\r\n.\r\n");
}

TEST(pop3_encoder_Rfc1939_3, EmptyMessageIsJustTheTerminator) {
    EXPECT_EQ(encode(""), ".\r\n");
    EXPECT_EQ(encode("", 0u), ".\r\n");
}

TEST(pop3_encoder_Rfc1939_3, LinesStartingWithDotAreStuffed) {
    EXPECT_EQ(encode(".\r\n"), "..\r\n.\r\n");
    EXPECT_EQ(encode("a\r\n.b\r\n..c\r\n"), "a\r\n..b\r\n...c\r\n.\r\n");
    // Only at line starts.
    EXPECT_EQ(encode("a.b\r\n x.\r\n"), "a.b\r\n x.\r\n.\r\n");
}

TEST(pop3_encoder_Rfc1939_3, MissingFinalCrlfIsAdded) {
    EXPECT_EQ(encode("a\r\nb"), "a\r\nb\r\n.\r\n");
    EXPECT_EQ(encode("a\r\n."), "a\r\n..\r\n.\r\n");
    EXPECT_EQ(encode("a\r"), "a\r\r\n.\r\n");
}

TEST(pop3_encoder_Rfc1939_3, EverySplitPointGivesTheSameOutput) {
    const std::string whole = encode(kMessage);
    EXPECT_EQ(whole,
              "From: a@example.org\r\nSubject: dots\r\n\r\n..hidden line\r\nbody 2\r\n...\r\n"
              "..\r\nlast\r\n.\r\n");
    for (std::size_t at = 0; at <= kMessage.size(); ++at)
        EXPECT_EQ(encode_split(kMessage, at), whole) << "split at " << at;
    for (std::size_t step = 1; step < 8; ++step)
        EXPECT_EQ(encode(kMessage, std::nullopt, step), whole) << "step " << step;
}

TEST(pop3_encoder_Rfc1939_3, SplitBetweenCrAndLfAtTheEnd) {
    MessageEncoder enc;
    std::string out;
    enc.feed("a\r", out);
    enc.feed("\n", out);
    enc.finish(out);
    EXPECT_EQ(out, "a\r\n.\r\n");
    EXPECT_FALSE(enc.done());  // RETR never stops early
}

TEST(pop3_encoder_Rfc1939_3, AppendsToExistingOutput) {
    MessageEncoder enc;
    std::string out = "+OK 3 octets\r\n";
    enc.feed(".\r\n", out);
    enc.finish(out);
    EXPECT_EQ(out, "+OK 3 octets\r\n..\r\n.\r\n");
}

TEST(pop3_encoder_Rfc1939_3, LargeMessageInChunks) {
    std::string line = ".0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n";
    std::string msg;
    while (msg.size() < (1u << 20))
        msg += line;
    std::string expected;
    for (std::size_t i = 0; i < msg.size(); i += line.size())
        expected += "." + line;
    expected += ".\r\n";
    EXPECT_EQ(encode(msg, std::nullopt, 65536), expected);
}

TEST(pop3_encoder_Rfc1939_7, TopZeroSendsHeaderAndBlankLine) {
    EXPECT_EQ(encode(kMessage, 0u), "From: a@example.org\r\nSubject: dots\r\n\r\n.\r\n");
}

TEST(pop3_encoder_Rfc1939_7, TopNSendsNBodyLinesStuffed) {
    EXPECT_EQ(encode(kMessage, 1u),
              "From: a@example.org\r\nSubject: dots\r\n\r\n..hidden line\r\n.\r\n");
    EXPECT_EQ(encode(kMessage, 3u),
              "From: a@example.org\r\nSubject: dots\r\n\r\n..hidden line\r\nbody 2\r\n...\r\n"
              ".\r\n");
}

TEST(pop3_encoder_Rfc1939_7, TopBeyondTheBodyIsTheWholeMessage) {
    EXPECT_EQ(encode(kMessage, 5u), encode(kMessage));
    EXPECT_EQ(encode(kMessage, 4294967295u), encode(kMessage));
}

TEST(pop3_encoder_Rfc1939_7, MessageWithoutBlankLineIsAllHeader) {
    EXPECT_EQ(encode("A: 1\r\nB: 2\r\n", 0u), "A: 1\r\nB: 2\r\n.\r\n");
    EXPECT_EQ(encode("A: 1\r\nB: 2", 0u), "A: 1\r\nB: 2\r\n.\r\n");
}

TEST(pop3_encoder_Rfc1939_7, EmptyHeader) {
    // A message starting with the blank line has an empty header.
    EXPECT_EQ(encode("\r\nbody\r\nmore\r\n", 0u), "\r\n.\r\n");
    EXPECT_EQ(encode("\r\nbody\r\nmore\r\n", 1u), "\r\nbody\r\n.\r\n");
}

TEST(pop3_encoder_Rfc1939_7, DoneOnceEverythingIsSent) {
    MessageEncoder enc(1u);
    std::string out;
    enc.feed("A: 1\r\n\r\nline 1\r", out);
    EXPECT_FALSE(enc.done());
    enc.feed("\nline 2\r\n", out);
    EXPECT_TRUE(enc.done());
    enc.feed("ignored\r\n", out);
    enc.finish(out);
    EXPECT_EQ(out, "A: 1\r\n\r\nline 1\r\n.\r\n");
}

TEST(pop3_encoder_Rfc1939_7, TopZeroIsDoneAfterTheBlankLine) {
    MessageEncoder enc(0u);
    std::string out;
    enc.feed("A: 1\r\n\r", out);
    EXPECT_FALSE(enc.done());
    enc.feed("\n", out);
    EXPECT_TRUE(enc.done());
}

TEST(pop3_encoder_Rfc1939_7, TopIsSplitIndependent) {
    for (std::uint32_t n : {0u, 1u, 2u, 3u, 4u, 10u}) {
        const std::string whole = encode(kMessage, n);
        for (std::size_t at = 0; at <= kMessage.size(); ++at)
            EXPECT_EQ(encode_split(kMessage, at, n), whole) << "TOP " << n << " split " << at;
        for (std::size_t step = 1; step < 6; ++step)
            EXPECT_EQ(encode(kMessage, n, step), whole) << "TOP " << n << " step " << step;
    }
}

TEST(pop3_encoder_Rfc1939_7, CrInsideAHeaderLineIsNotABlankLine) {
    // "\r" followed by text is not the blank line, even split right after the CR.
    std::string msg = "A: 1\r\n\rX\r\n\r\nbody\r\n";
    EXPECT_EQ(encode(msg, 0u), "A: 1\r\n\rX\r\n\r\n.\r\n");
    for (std::size_t at = 0; at <= msg.size(); ++at)
        EXPECT_EQ(encode_split(msg, at, 0u), "A: 1\r\n\rX\r\n\r\n.\r\n") << at;
}
