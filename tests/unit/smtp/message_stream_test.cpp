// Received: counter shared by DATA and BDAT (RFC 5321 §6.3), independent of chunking.
#include "smtp/proto/message_stream.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace hermod::smtp::proto;

namespace {

ReceivedCounter count_split(std::string_view text, std::size_t a, std::size_t b) {
    ReceivedCounter c;
    c.feed(text.substr(0, a));
    c.feed(text.substr(a, b - a));
    c.feed(text.substr(b));
    return c;
}

}  // namespace

TEST(Rfc5321_6_3, ReceivedCounterGrind) {
    const std::string text =
        "Received: a\r\n RECEIVED: folded\r\nreceived\t: b\r\nReceivedX: no\r\nReceive: no\r\n"
        "Received\r\nX: y\nReceived: lf-only\n\r\nReceived: body\r\n";
    for (std::size_t a = 0; a <= text.size(); ++a) {
        for (std::size_t b = a; b <= text.size(); ++b) {
            auto c = count_split(text, a, b);
            EXPECT_EQ(c.count(), 3u) << a << "," << b;
            EXPECT_FALSE(c.in_headers());
        }
    }
}

TEST(Rfc5321_6_3, HeaderSectionEndsAtEmptyLine) {
    ReceivedCounter c;
    c.feed("Subject: x\r\n");
    EXPECT_TRUE(c.in_headers());
    c.feed("\r\n");
    EXPECT_FALSE(c.in_headers());
    c.feed("Received: x\r\n");
    EXPECT_EQ(c.count(), 0u);
    c.reset();
    EXPECT_TRUE(c.in_headers());
    c.feed("\nReceived: x\r\n");  // LF-only empty line (BINARYMIME) also ends the headers
    EXPECT_EQ(c.count(), 0u);
}
