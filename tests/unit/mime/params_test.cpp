// RFC 2045 §5.1 parameters and RFC 2231 continuations / charsets.
#include <gtest/gtest.h>

#include "mime/parser.hpp"

using namespace hermod::mime;

TEST(MimeParams, Rfc2045_5_1_QuotedAndTokenValues) {
    auto ps = parse_params("; Charset=\"us-ascii\" (comment); format=flowed;delsp=yes");
    ASSERT_EQ(ps.size(), 3u);
    EXPECT_EQ(ps[0].name, "charset");
    EXPECT_EQ(ps[0].value, "us-ascii");
    EXPECT_EQ(ps[1].value, "flowed");
    EXPECT_EQ(ps[2].value, "yes");
    auto q = parse_params("; name=\"a \\\"quoted\\\" ;name\"");
    ASSERT_EQ(q.size(), 1u);
    EXPECT_EQ(q[0].value, "a \"quoted\" ;name");
}

TEST(MimeParams, UnquotedBoundaryWithEqualsSign) {
    auto ps = parse_params("; boundary=----=_NextPart_000_0001; x=y");
    ASSERT_EQ(ps.size(), 2u);
    EXPECT_EQ(ps[0].value, "----=_NextPart_000_0001");
}

TEST(MimeParams, Rfc2231_3_Continuations) {
    auto ps = parse_params(
        "; URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub/moore/\"; URL*2=\"bulk-mailer.tar\"");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_EQ(ps[0].name, "url");
    EXPECT_FALSE(ps[0].extended);
    EXPECT_EQ(ps[0].value, "ftp://cs.utk.edu/pub/moore/bulk-mailer.tar");
    EXPECT_EQ(ps[0].decoded, ps[0].value);
}

TEST(MimeParams, Rfc2231_4_CharsetLanguageAndOutOfOrder) {
    auto ps = parse_params("; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_TRUE(ps[0].extended);
    EXPECT_EQ(ps[0].value, "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
    EXPECT_EQ(ps[0].decoded, "This is ***fun***");

    // RFC 2231 §4.1 mixed segments, listed out of order, ISO-8859-1 text.
    auto m = parse_params(
        "; title*2=\"isn't it!\"; title*1*=%2A%2A%2Afun%2A%2A%2A%20; "
        "title*0*=iso-8859-1'en'Caf%E9%20");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_TRUE(m[0].extended);
    EXPECT_EQ(m[0].decoded, "Caf\xC3\xA9 ***fun*** isn't it!");
    // Dovecot's merged form: plain sections only get '%' escaped.
    EXPECT_EQ(m[0].value, "iso-8859-1'en'Caf%E9%20%2A%2A%2Afun%2A%2A%2A%20isn't it!");
}

TEST(MimeParams, Rfc2231_KoiAndRfc2047InParameter) {
    auto ps = parse_params("; filename*=koi8-r''%D0%D2%C9%D7%C5%D4.txt");
    EXPECT_EQ(ps[0].decoded, "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82.txt");
    // Not standard, but what many clients send: RFC 2047 inside a quoted parameter.
    auto w = parse_params("; name=\"=?UTF-8?B?w6l0w6kucGRm?=\"");
    EXPECT_EQ(w[0].value, "=?UTF-8?B?w6l0w6kucGRm?=");
    EXPECT_EQ(w[0].decoded, "\xC3\xA9t\xC3\xA9.pdf");
}

TEST(MimeParams, GarbageIsSkipped) {
    auto ps = parse_params("; ; junk ; =x; a=1; \"q\"; b=");
    ASSERT_EQ(ps.size(), 2u);
    EXPECT_EQ(ps[0].name, "a");
    EXPECT_EQ(ps[1].name, "b");
    EXPECT_EQ(ps[1].value, "");
}

TEST(MimeParams, ContentTypeAndDisposition) {
    std::string t, st;
    std::vector<Param> ps;
    EXPECT_TRUE(parse_content_type(" Text / HTML ; charset=UTF-8", t, st, ps));
    EXPECT_EQ(t, "text");
    EXPECT_EQ(st, "html");
    EXPECT_EQ(ps.at(0).value, "UTF-8");
    EXPECT_TRUE(parse_content_type("Text", t, st, ps));  // broken: type kept, no subtype
    EXPECT_EQ(t, "text");
    EXPECT_EQ(st, "");
    EXPECT_TRUE(ps.empty());
    EXPECT_FALSE(parse_content_type("/plain", t, st, ps));
    std::string d;
    EXPECT_TRUE(parse_disposition("INLINE; filename=a.txt", d, ps));
    EXPECT_EQ(d, "inline");
    EXPECT_EQ(ps.at(0).value, "a.txt");
}

TEST(MimeParams, Rfc2231_DovecotOrderAndBrokenSections) {
    // Plain parameters first, then merged RFC 2231 ones; "''" added when the first section
    // is plain but a later one is extended.
    auto ps = parse_params("; b*0=\"x%\"; b*1*=%41; a=1; c*0=u; c*2=w");
    ASSERT_EQ(ps.size(), 4u);
    EXPECT_EQ(ps[0].name, "a");
    EXPECT_EQ(ps[1].name, "b");
    EXPECT_EQ(ps[1].value, "''x%25%41");
    EXPECT_EQ(ps[1].decoded, "x%A");
    // Missing section 1: not merged.
    EXPECT_EQ(ps[2].name, "c*0");
    EXPECT_EQ(ps[3].name, "c*2");
    EXPECT_EQ(ps[3].value, "w");
}

TEST(MimeParams, BackslashEndingAnUnclosedComment) {
    // Found by fuzz_mime: the comment scanner stepped past the end and substr() threw.
    EXPECT_NO_THROW(parse_params("; a=(b\\"));
    auto ps = parse_params("; a=(b\\");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_EQ(ps[0].value, "");
}

TEST(MimeParams, UnterminatedQuotedValueIsDropped) {
    // As Dovecot 2.3: the value ran to the end of the field, so it is no parameter.
    EXPECT_TRUE(parse_params("; charset=\"unterminated; format=flowed").empty());
    auto ps = parse_params("; format=flowed; charset=\"unterminated\\\"");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_EQ(ps[0].name, "format");
    std::string t, st;
    std::vector<Param> params;
    ASSERT_TRUE(
        parse_content_type("text/plain; charset=\"unterminated; format=flowed", t, st, params));
    EXPECT_EQ(st, "plain");
    EXPECT_TRUE(params.empty());  // the IMAP encoder then adds charset us-ascii
    ASSERT_TRUE(parse_disposition("attachment; size=3; filename=\"x.bin", t, params));
    ASSERT_EQ(params.size(), 1u);
    EXPECT_EQ(params[0].name, "size");
}
