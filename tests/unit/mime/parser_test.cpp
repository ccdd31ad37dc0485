// RFC 2045/2046 structure: offsets, defaults, multipart nesting, message/rfc822, malformed input.
#include "mime/parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "mime/serialize.hpp"

using namespace hermod::mime;

namespace {

std::string_view body_of(std::string_view msg, const Part& p) {
    return msg.substr(p.body_offset, p.body_size);
}
std::string_view header_of(std::string_view msg, const Part& p) {
    return msg.substr(p.header_offset, p.header_size);
}

}  // namespace

TEST(MimeParser, Rfc2045_5_2_DefaultTextPlain) {
    std::string msg = "Subject: hi\r\nFrom: a@b.c\r\n\r\nline1\r\nline2\r\n";
    auto s = parse(msg);
    EXPECT_EQ(s.root.type, "text");
    EXPECT_EQ(s.root.subtype, "plain");
    EXPECT_FALSE(s.root.has_content_type);
    EXPECT_EQ(header_of(msg, s.root), "Subject: hi\r\nFrom: a@b.c\r\n\r\n");
    EXPECT_EQ(body_of(msg, s.root), "line1\r\nline2\r\n");
    EXPECT_EQ(s.root.body_lines, 2u);
    EXPECT_EQ(s.root.body_vsize, s.root.body_size);
    ASSERT_TRUE(s.root.envelope);
    EXPECT_EQ(s.root.envelope->subject, "hi");
    ASSERT_EQ(s.root.envelope->from.size(), 1u);
    EXPECT_EQ(s.root.envelope->from[0].host, "b.c");
    EXPECT_FALSE(s.truncated);
}

TEST(MimeParser, Rfc2046_5_1_MultipartPreambleEpilogue) {
    std::string msg =
        "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
        "\r\n"
        "preamble\r\n"
        "--XX\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "one\r\n"
        "--XX  \r\n"
        "\r\n"
        "two\r\n"
        "\r\n"
        "--XX--\r\n"
        "epilogue\r\n";
    auto s = parse(msg);
    ASSERT_TRUE(s.root.is_multipart());
    EXPECT_EQ(s.root.subtype, "mixed");
    ASSERT_EQ(s.root.children.size(), 2u);
    const Part& a = s.root.children[0];
    EXPECT_EQ(header_of(msg, a), "Content-Type: text/plain; charset=utf-8\r\n\r\n");
    EXPECT_EQ(body_of(msg, a), "one");  // the CRLF before the delimiter belongs to it
    EXPECT_EQ(a.body_lines, 0u);
    ASSERT_NE(find_param(a.params, "charset"), nullptr);
    EXPECT_EQ(find_param(a.params, "charset")->value, "utf-8");
    const Part& b = s.root.children[1];
    EXPECT_EQ(header_of(msg, b), "\r\n");
    EXPECT_EQ(body_of(msg, b), "two\r\n");
    EXPECT_EQ(b.body_lines, 1u);
    EXPECT_FALSE(b.has_content_type);
    // The multipart's body runs to the end, epilogue included.
    EXPECT_EQ(s.root.body_offset + s.root.body_size, msg.size());
}

TEST(MimeParser, Rfc2046_5_1_NestedMultipartAndBoundaryPrefix) {
    // The inner boundary "b" is a prefix of the outer "bb": the longest match wins.
    std::string msg =
        "Content-Type: multipart/mixed; boundary=bb\n\n"
        "--bb\n"
        "Content-Type: multipart/alternative; boundary=b\n\n"
        "--b\n\ninner1\n"
        "--b\n\ninner2\n"
        "--bb\n\nouter2\n"
        "--bb--\n";
    auto s = parse(msg);
    ASSERT_EQ(s.root.children.size(), 2u);
    const Part& alt = s.root.children[0];
    EXPECT_EQ(alt.subtype, "alternative");
    ASSERT_EQ(alt.children.size(), 2u);
    EXPECT_EQ(body_of(msg, alt.children[0]), "inner1");
    // The inner multipart had no close delimiter: the outer boundary ends it.
    EXPECT_EQ(body_of(msg, alt.children[1]), "inner2");
    EXPECT_EQ(body_of(msg, s.root.children[1]), "outer2");
}

TEST(MimeParser, Rfc2046_5_1_1_MissingFinalBoundary) {
    std::string msg = "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\nonly part\r\n";
    auto s = parse(msg);
    ASSERT_EQ(s.root.children.size(), 1u);
    EXPECT_EQ(body_of(msg, s.root.children[0]), "only part\r\n");
    EXPECT_EQ(s.root.body_offset + s.root.body_size, msg.size());
}

TEST(MimeParser, MultipartWithoutBoundaryOrMatchingLines) {
    std::string msg = "Content-Type: multipart/mixed\r\n\r\n--x\r\nhello\r\n";
    auto s = parse(msg);
    EXPECT_TRUE(s.root.is_multipart());
    EXPECT_TRUE(s.root.children.empty());
    std::string msg2 = "Content-Type: multipart/mixed; boundary=zz\r\n\r\nno delimiters\r\n";
    auto s2 = parse(msg2);
    EXPECT_TRUE(s2.root.children.empty());
    EXPECT_EQ(body_of(msg2, s2.root), "no delimiters\r\n");
}

TEST(MimeParser, BoundaryLineInsidePartHeaderEndsIt) {
    // Dovecot: a delimiter seen while reading a part's header ends that part.
    std::string msg =
        "Content-Type: multipart/mixed; boundary=k\r\n\r\n"
        "--k\r\nContent-Type: text/html\r\n--k\r\n\r\nsecond\r\n--k--\r\n";
    auto s = parse(msg);
    ASSERT_EQ(s.root.children.size(), 2u);
    const Part& a = s.root.children[0];
    EXPECT_EQ(a.subtype, "html");
    EXPECT_EQ(header_of(msg, a), "Content-Type: text/html");
    EXPECT_EQ(a.body_size, 0u);
    EXPECT_EQ(body_of(msg, s.root.children[1]), "second");
}

TEST(MimeParser, Rfc2046_5_2_1_MessageRfc822) {
    std::string inner = "Subject: inner\r\nFrom: x@y\r\n\r\ninner body\r\n";
    std::string msg = "Subject: outer\r\nContent-Type: message/rfc822\r\n\r\n" + inner;
    auto s = parse(msg);
    ASSERT_TRUE(s.root.is_message());
    const Part& m = s.root.children[0];
    EXPECT_EQ(m.header_offset, s.root.body_offset);
    EXPECT_EQ(body_of(msg, m), "inner body\r\n");
    ASSERT_TRUE(m.envelope);
    EXPECT_EQ(m.envelope->subject, "inner");
    EXPECT_EQ(s.root.body_lines, 4u);  // the whole embedded message
    EXPECT_EQ(s.root.envelope->subject, "outer");
}

TEST(MimeParser, Rfc2046_5_1_5_DigestDefaultsToMessageRfc822) {
    std::string msg =
        "Content-Type: multipart/digest; boundary=d\r\n\r\n"
        "--d\r\n\r\nSubject: one\r\n\r\nbody1\r\n"
        "--d\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
        "--d--\r\n";
    auto s = parse(msg);
    ASSERT_EQ(s.root.children.size(), 2u);
    const Part& d1 = s.root.children[0];
    EXPECT_EQ(d1.type, "message");
    EXPECT_EQ(d1.subtype, "rfc822");
    ASSERT_TRUE(d1.is_message());
    EXPECT_EQ(d1.children[0].envelope->subject, "one");
    EXPECT_EQ(body_of(msg, d1.children[0]), "body1");
    EXPECT_EQ(s.root.children[1].type, "text");
}

TEST(MimeParser, MessageRfc822InsideMultipartEndsAtOuterBoundary) {
    std::string msg =
        "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
        "--o\r\nContent-Type: message/rfc822\r\n\r\n"
        "Subject: fwd\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n"
        "--i\r\n\r\nA\r\n--i\r\n\r\nB\r\n--i--\r\n"
        "--o--\r\n";
    auto s = parse(msg);
    ASSERT_EQ(s.root.children.size(), 1u);
    const Part& m = s.root.children[0];
    ASSERT_TRUE(m.is_message());
    const Part& inner = m.children[0];
    ASSERT_EQ(inner.children.size(), 2u);
    EXPECT_EQ(body_of(msg, inner.children[1]), "B");
    EXPECT_EQ(m.body_offset + m.body_size, inner.body_offset + inner.body_size);
    // Dovecot: after "--i--" CRLF the epilogue is empty and the next line is the outer close.
    EXPECT_EQ(msg.substr(m.body_offset + m.body_size), "--o--\r\n");
}

TEST(MimeParser, LimitsDepthAndParts) {
    std::string msg;
    for (int i = 0; i < 10; ++i)
        msg += "Content-Type: message/rfc822\r\n\r\n";
    msg += "Subject: deep\r\n\r\nbody\r\n";
    Limits l;
    l.max_depth = 3;
    auto s = parse(msg, l);
    EXPECT_TRUE(s.truncated);
    int depth = 0;
    for (const Part* p = &s.root; !p->children.empty(); p = &p->children[0])
        ++depth;
    EXPECT_EQ(depth, 3);

    std::string many = "Content-Type: multipart/mixed; boundary=m\r\n\r\n";
    for (int i = 0; i < 20; ++i)
        many += "--m\r\n\r\npart\r\n";
    many += "--m--\r\n";
    Limits lp;
    lp.max_parts = 5;
    auto sp = parse(many, lp);
    EXPECT_TRUE(sp.truncated);
    EXPECT_EQ(sp.root.children.size(), 4u);
    EXPECT_EQ(sp.root.body_offset + sp.root.body_size, many.size());
}

TEST(MimeParser, HeaderSizeLimitMakesTheRestBody) {
    std::string msg = "A: 1\r\nB: " + std::string(100, 'x') + "\r\n\r\nbody";
    Limits l;
    l.max_header_size = 50;
    auto s = parse(msg, l);
    EXPECT_TRUE(s.truncated);
    EXPECT_EQ(s.root.header_size, 6u);
    EXPECT_EQ(s.root.body_offset + s.root.body_size, msg.size());
}

TEST(MimeParser, BareLfVirtualSizes) {
    std::string msg = "Subject: x\n\nl1\nl2\r\nl3";
    auto s = parse(msg);
    EXPECT_EQ(s.root.header_vsize, s.root.header_size + 2);
    EXPECT_EQ(s.root.body_lines, 2u);
    EXPECT_EQ(s.root.body_vsize, s.root.body_size + 1);
}

TEST(MimeParser, Rfc2045_ContentFieldsAndDisposition) {
    std::string msg =
        "Content-Type: Application/PDF; name=\"a.pdf\"\r\n"
        "Content-Transfer-Encoding: BASE64 (comment)\r\n"
        "Content-ID: <id@x>\r\n"
        "Content-Description: a\r\n  file\r\n"
        "Content-Disposition: attachment;\r\n filename*=utf-8''%C3%A9t%C3%A9.pdf\r\n"
        "Content-Language: en, fr\r\n"
        "Content-Location: http://x/y\r\n"
        "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
        "\r\nAAAA";
    auto s = parse(msg);
    const Part& p = s.root;
    EXPECT_EQ(p.type, "application");
    EXPECT_EQ(p.subtype, "pdf");
    EXPECT_EQ(p.encoding, "BASE64");
    EXPECT_EQ(p.id, "<id@x>");
    EXPECT_EQ(p.description, "a  file");
    EXPECT_EQ(p.disposition, "attachment");
    ASSERT_EQ(p.disposition_params.size(), 1u);
    EXPECT_EQ(p.disposition_params[0].name, "filename");
    EXPECT_TRUE(p.disposition_params[0].extended);
    EXPECT_EQ(p.disposition_params[0].value, "utf-8''%C3%A9t%C3%A9.pdf");
    EXPECT_EQ(p.disposition_params[0].decoded, "\xC3\xA9t\xC3\xA9.pdf");
    EXPECT_EQ(p.language, "en, fr");
    EXPECT_EQ(p.location, "http://x/y");
    EXPECT_EQ(p.md5, "Q2hlY2sgSW50ZWdyaXR5IQ==");
}

TEST(MimeParser, FirstContentTypeWinsAndBrokenKeepsItsType) {
    auto s = parse("Content-Type: text/html\r\nContent-Type: image/png\r\n\r\nx");
    EXPECT_EQ(s.root.subtype, "html");
    // Dovecot keeps a broken type (IMAP then says "garbage" "unknown").
    auto s2 = parse("Content-Type: garbage\r\n\r\nx");
    EXPECT_EQ(s2.root.type, "garbage");
    EXPECT_EQ(s2.root.subtype, "");
    EXPECT_TRUE(s2.root.has_content_type);
    auto s3 = parse("Content-Type: ;\r\n\r\nx");
    EXPECT_EQ(s3.root.type, "text");
    EXPECT_FALSE(s3.root.has_content_type);
}

TEST(MimeParser, EmptyAndHeaderOnlyInputs) {
    auto s = parse("");
    EXPECT_EQ(s.root.header_size, 0u);
    EXPECT_EQ(s.root.body_size, 0u);
    std::string h = "Subject: x\r\n";
    auto s2 = parse(h);
    EXPECT_EQ(s2.root.header_size, h.size());
    EXPECT_EQ(s2.root.body_size, 0u);
}

TEST(MimeParser, Rfc2231_EncodedBoundary) {
    std::string msg =
        "Content-Type: multipart/signed;\r\n\tboundary*=\"us-ascii''Qq\"\r\n\r\n"
        "--Qq\r\n\r\none\r\n--Qq--\r\n";
    auto s = parse(msg);
    ASSERT_EQ(s.root.children.size(), 1u);
    EXPECT_EQ(body_of(msg, s.root.children[0]), "one");
}

TEST(MimeParser, HeaderFieldLimitIgnoresTheRest) {
    std::string msg;
    for (int i = 0; i < 20; ++i)
        msg += "X-F: " + std::to_string(i) + "\r\n";
    msg += "Content-Type: text/html\r\n\r\nbody";
    Limits l;
    l.max_header_fields = 10;
    auto s = parse(msg, l);
    EXPECT_TRUE(s.truncated);
    EXPECT_EQ(s.root.subtype, "plain");  // the Content-Type field was beyond the limit
    EXPECT_EQ(msg.substr(s.root.body_offset), "body");
}

TEST(MimeParser, HugeConfiguredDepthIsStillBounded) {
    std::string msg;
    for (int i = 0; i < 1100; ++i)
        msg += "Content-Type: message/rfc822\n\n";
    Limits l;
    l.max_depth = 1000000;
    l.max_parts = 1000000;
    auto s = parse(msg, l);
    EXPECT_TRUE(s.truncated);
    EXPECT_TRUE(deserialize(serialize(s)).has_value());
}

TEST(MimeParser, Rfc2045_4_ContentFieldsNeedMimeOnAMessage) {
    auto s = parse("Content-Transfer-Encoding: base64\r\nContent-ID: <x>\r\n\r\naGk=");
    EXPECT_FALSE(s.root.encoding);
    EXPECT_FALSE(s.root.id);
    auto m = parse("MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=");
    EXPECT_EQ(m.root.encoding, "base64");
    // Body parts of a multipart are MIME without MIME-Version.
    auto b = parse(
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\naGk=\r\n--b--\r\n");
    ASSERT_EQ(b.root.children.size(), 1u);
    EXPECT_EQ(b.root.children[0].encoding, "base64");
}

// The message of Dovecot's src/lib-imap/test-imap-bodystructure.c, whose expected
// BODYSTRUCTURE gives these sizes (virtual: bare LF counted as CRLF) and line counts.
TEST(MimeParser, DovecotBodystructureTestVector) {
    std::string msg =
        "From: user@domain.org\n"
        "Date: Sat, 24 Mar 2007 23:00:00 +0200\n"
        "Mime-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=\"foo\n"
        " bar\"\n"
        "\n"
        "Root MIME prologue\n"
        "\n"
        "--foo bar\n"
        "Content-Type: text/x-myown; charset=us-ascii; foo=\"quoted\\\"string\"\n"
        "Content-ID: <foo@example.com>\n"
        "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n"
        "Content-Disposition: inline; foo=bar\n"
        "Content-Description: hellodescription\n"
        "Content-Language: en, fi, se\n"
        "Content-Location: http://example.com/test.txt\n"
        "\n"
        "hello\n"
        "\n"
        "--foo bar\n"
        "Content-Type: message/rfc822\n"
        "\n"
        "From: sub@domain.org\n"
        "To: sub-to1@domain.org, sub-to2@domain.org\n"
        "Date: Sun, 12 Aug 2012 12:34:56 +0300\n"
        "Subject: submsg\n"
        "Content-Type: multipart/alternative; boundary=\"sub1\"\n"
        "\n"
        "Sub MIME prologue\n"
        "--sub1\n"
        "Content-Type: text/html\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        "<p>Hello world</p>\n"
        "\n"
        "--sub1\n"
        "Content-Type: text/plain\n"
        "Content-Transfer-Encoding: ?invalid\n"
        "\n"
        "Hello another world\n"
        "\n"
        "--sub1--\n"
        "Sub MIME epilogue\n"
        "\n"
        "--foo bar--\n"
        "Root MIME epilogue\n";
    auto s = parse(msg);
    ASSERT_EQ(s.root.children.size(), 2u);
    EXPECT_EQ(find_param(s.root.params, "boundary")->value, "foo bar");
    const Part& a = s.root.children[0];
    EXPECT_EQ(a.subtype, "x-myown");
    ASSERT_EQ(a.params.size(), 2u);
    EXPECT_EQ(a.params[1].value, "quoted\"string");
    EXPECT_EQ(a.body_vsize, 7u);
    EXPECT_EQ(a.body_lines, 1u);
    EXPECT_EQ(a.id, "<foo@example.com>");
    EXPECT_EQ(a.language, "en, fi, se");
    const Part& m = s.root.children[1];
    EXPECT_EQ(m.body_vsize, 412u);
    EXPECT_EQ(m.body_lines, 21u);
    const Part& inner = m.children[0];
    ASSERT_EQ(inner.envelope->to.size(), 2u);
    EXPECT_EQ(inner.envelope->date, "Sun, 12 Aug 2012 12:34:56 +0300");
    ASSERT_EQ(inner.children.size(), 2u);
    EXPECT_EQ(inner.children[0].body_vsize, 20u);
    EXPECT_EQ(inner.children[0].body_lines, 1u);
    EXPECT_EQ(inner.children[0].encoding, "8bit");
    EXPECT_EQ(inner.children[1].body_vsize, 21u);
    EXPECT_EQ(inner.children[1].body_lines, 1u);
    EXPECT_FALSE(inner.children[1].encoding);  // "?invalid" is no token: Dovecot says 7bit
}

TEST(MimeParser, EnvelopeRepeatedFieldsAndTransferEncodingToken) {
    auto s = parse(
        "Subject: first\r\nSubject: second\r\nTo: a@b\r\nTo: c@d, e@f\r\n"
        "MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64 junk\r\n\r\n");
    EXPECT_EQ(s.root.envelope->subject, "second");  // Dovecot: the last one
    // Dovecot: the addresses of every To: field, in order.
    ASSERT_EQ(s.root.envelope->to.size(), 3u);
    EXPECT_EQ(s.root.envelope->to[0].mailbox, "a");
    EXPECT_EQ(s.root.envelope->to[2].mailbox, "e");
    EXPECT_FALSE(s.root.encoding);  // not a lone token: Dovecot reports 7bit
}

TEST(MimeParser, EnvelopeJoinsEveryAddressFieldLastTextFieldWins) {
    // Checked against Dovecot 2.3.19: address fields are joined, the others count by the
    // last occurrence.
    auto s = parse(
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\n"
        "From: f1@x\r\nFrom: f2@x\r\nSender: s1@x\r\nSender: s2@x\r\n"
        "Reply-To: r1@x\r\nReply-To: r2@x\r\nTo: G: a@x;\r\nTO:\r\nto: b@x\r\n"
        "Cc: c1@x\r\nCC: c2@x\r\nBcc: b1@x\r\nBcc: b2@x\r\n"
        "In-Reply-To: <i1@x>\r\nIn-Reply-To: <i2@x>\r\nMessage-ID: <m1@x>\r\n"
        "Message-ID: <m2@x>\r\nSubject: one\r\nSubject: two\r\n\r\nbody\r\n");
    const Envelope& e = *s.root.envelope;
    EXPECT_EQ(e.date, "Tue, 2 Jan 2024 10:00:00 +0000");
    EXPECT_EQ(e.subject, "two");
    EXPECT_EQ(e.in_reply_to, "<i2@x>");
    EXPECT_EQ(e.message_id, "<m2@x>");
    for (const auto* l : {&e.from, &e.sender, &e.reply_to, &e.cc, &e.bcc}) {
        ASSERT_EQ(l->size(), 2u);
        EXPECT_EQ((*l)[0].mailbox.back(), '1');
        EXPECT_EQ((*l)[1].mailbox.back(), '2');
    }
    ASSERT_EQ(e.to.size(), 4u);  // group start, a, group end, b
    EXPECT_EQ(e.to[0].kind, Address::Kind::GroupStart);
    EXPECT_EQ(e.to[2].kind, Address::Kind::GroupEnd);
    EXPECT_EQ(e.to[3].mailbox, "b");
}
