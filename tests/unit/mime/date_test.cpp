// RFC 5322 §3.3 dates and the obsolete forms of §4.3.
#include "mime/date.hpp"

#include <gtest/gtest.h>

using namespace hermod::mime;

TEST(MimeDate, Rfc5322_3_3_Standard) {
    auto d = parse_date("Fri, 21 Nov 1997 09:55:06 -0600");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->unix_time, 880127706);
    EXPECT_EQ(d->tz_minutes, -360);
    auto e = parse_date("1 Jan 2000 00:00:00 +0000");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->unix_time, 946684800);
    auto f = parse_date("Thu, 13 Feb 1969 23:32 -0330 (Newfoundland Time)");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->tz_minutes, -210);
    EXPECT_EQ(f->unix_time, -27723480);  // 1969-02-14 03:02 UTC
}

TEST(MimeDate, Rfc5322_4_3_ObsoleteForms) {
    auto a = parse_date("21 Nov 97 09:55:06 GMT");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->unix_time, 880106106);
    auto b = parse_date("Fri, 21 Nov 1997 09:55:06 EST");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->tz_minutes, -300);
    auto c = parse_date("Fri, 21 Nov 1997 09:55:06 Z");  // military: treated as +0000
    ASSERT_TRUE(c);
    EXPECT_EQ(c->tz_minutes, 0);
    auto y3 = parse_date("1 Jan 100 00:00:00 +0000");  // three digits: +1900
    ASSERT_TRUE(y3);
    EXPECT_EQ(y3->unix_time, 946684800);
    auto y2 = parse_date("1 Jan 49 00:00:00 +0000");
    ASSERT_TRUE(y2);
    EXPECT_EQ(y2->unix_time, 2493072000);
    auto ws = parse_date("  Fri ,21  nov  1997  09 : 55 : 06  -0600");
    ASSERT_TRUE(ws);
    EXPECT_EQ(ws->unix_time, 880127706);
    auto nozone = parse_date("21 Nov 1997 09:55:06");
    ASSERT_TRUE(nozone);
    EXPECT_EQ(nozone->unix_time, 880106106);
}

TEST(MimeDate, Invalid) {
    EXPECT_FALSE(parse_date(""));
    EXPECT_FALSE(parse_date("yesterday"));
    EXPECT_FALSE(parse_date("32 Jan 2000 00:00:00 +0000"));
    EXPECT_FALSE(parse_date("1 Foo 2000 00:00:00 +0000"));
    EXPECT_FALSE(parse_date("1 Jan 2000 25:00:00 +0000"));
    EXPECT_FALSE(parse_date("1 Jan 2000"));
}

TEST(MimeDate, FuzzFoundGarbageAfterMonthName) {
    // Found by fuzz_mime: a non-number where the day was expected overflowed.
    EXPECT_FALSE(
        parse_date(std::string_view("JulJ lJauAlhPd\xAC\0"
                                    "1`\0\0\n",
                                    20)));
    EXPECT_FALSE(parse_date("Jan x 2020 00:00"));
    EXPECT_FALSE(parse_date("1 Jan 99999 00:00:00 +0000"));
    auto a = parse_date("Jan 2 2020 10:00:00 +0000");  // asctime-like order, tolerated
    ASSERT_TRUE(a);
    EXPECT_EQ(a->unix_time, 1577959200);
}

TEST(MimeDate, BackslashEndingAnUnclosedComment) {
    EXPECT_NO_THROW(parse_date("1 Jan 2000 (x\\"));
}
