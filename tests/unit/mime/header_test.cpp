// RFC 5322 §2.2 header fields: iteration, unfolding, lookup.
#include "mime/header.hpp"

#include <gtest/gtest.h>

using namespace hermod::mime;

TEST(MimeHeader, Rfc5322_2_2_3_FoldedFieldsAndLookup) {
    std::string_view block = "Subject: hello\r\n  world\r\nFrom : a@b\r\nX-Empty:\r\n\r\nbody";
    auto end = header_end(block);
    EXPECT_EQ(block.substr(end), "body");
    auto fields = parse_header(block.substr(0, end));
    ASSERT_EQ(fields.size(), 3u);
    EXPECT_EQ(fields[0].name, "Subject");
    EXPECT_EQ(fields[0].value, " hello\r\n  world");
    EXPECT_EQ(unfold(fields[0].value), "hello  world");
    EXPECT_EQ(fields[1].name, "From");  // white space before ':' tolerated
    ASSERT_NE(find_field(fields, "x-EMPTY"), nullptr);
    EXPECT_EQ(find_field(fields, "x-empty")->value, "");
    EXPECT_EQ(find_field(fields, "Cc"), nullptr);
}

TEST(MimeHeader, BareLfBrokenLinesAndLeadingContinuation) {
    std::string_view block = "  orphan\nNoColonLine\nA: 1\n\tcont\n\nrest";
    auto end = header_end(block);
    EXPECT_EQ(block.substr(end), "rest");
    auto fields = parse_header(block.substr(0, end));
    ASSERT_EQ(fields.size(), 2u);
    EXPECT_EQ(fields[0].name, "NoColonLine");
    EXPECT_EQ(fields[0].value, "");
    EXPECT_EQ(unfold(fields[1].value), "1\tcont");
}

TEST(MimeHeader, NoEmptyLineAndSizeCap) {
    EXPECT_EQ(header_end("A: 1\r\nB: 2"), 10u);
    std::string_view block = "A: 1\r\nB: 22222222222\r\n\r\n";
    EXPECT_EQ(header_end(block, 10), 6u);  // cap: ends at the last complete line
    EXPECT_EQ(parse_header(block, 1).size(), 1u);
}
