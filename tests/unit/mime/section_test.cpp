// RFC 9051 §6.4.5 section numbers, and decoded bodies for SEARCH / BINARY.
#include "mime/section.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "mime/parser.hpp"

using namespace hermod::mime;

namespace {
const Part* at(const Part& root, std::vector<std::uint32_t> path) {
    return find_section(root, path);
}
std::string_view body(std::string_view msg, const Part* p) {
    return p ? msg.substr(p->body_offset, p->body_size) : "<null>";
}
}  // namespace

TEST(MimeSection, Rfc9051_6_4_5_Numbering) {
    // The RFC's example shape: text, application, message/rfc822 with a multipart inside.
    std::string msg =
        "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
        "--o\r\n\r\nPART1\r\n"
        "--o\r\nContent-Type: application/octet-stream\r\n\r\nPART2\r\n"
        "--o\r\nContent-Type: message/rfc822\r\n\r\n"
        "Subject: in\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n"
        "--i\r\n\r\nPART3.1\r\n--i\r\n\r\nPART3.2\r\n--i--\r\n"
        "--o\r\nContent-Type: message/rfc822\r\n\r\nSubject: s\r\n\r\nPART4.1\r\n"
        "--o--\r\n";
    Part root = parse(msg).root;
    EXPECT_EQ(at(root, {}), &root);
    EXPECT_EQ(body(msg, at(root, {1})), "PART1");
    EXPECT_EQ(body(msg, at(root, {2})), "PART2");
    EXPECT_EQ(body(msg, at(root, {3, 1})), "PART3.1");
    EXPECT_EQ(body(msg, at(root, {3, 2})), "PART3.2");
    EXPECT_EQ(body(msg, at(root, {4, 1})), "PART4.1");  // non-multipart embedded message
    const Part* p3 = at(root, {3});
    ASSERT_NE(p3, nullptr);
    ASSERT_NE(embedded(*p3), nullptr);  // 3.HEADER / 3.TEXT
    EXPECT_EQ(embedded(*p3)->envelope->subject, "in");
    EXPECT_EQ(at(root, {5}), nullptr);
    EXPECT_EQ(at(root, {1, 1}), nullptr);
    EXPECT_EQ(at(root, {4, 2}), nullptr);
    EXPECT_EQ(at(root, {0}), nullptr);
}

TEST(MimeSection, SinglePartMessageHasPartOne) {
    std::string msg = "Subject: x\r\n\r\nhello";
    Part root = parse(msg).root;
    EXPECT_EQ(at(root, {1}), &root);
    EXPECT_EQ(at(root, {2}), nullptr);
    EXPECT_EQ(at(root, {1, 1}), nullptr);
}

TEST(MimeSection, DecodedBodyAndUtf8Text) {
    std::string msg =
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n"
        "--b\r\nContent-Type: image/gif\r\nContent-Transfer-Encoding: base64\r\n\r\nR0lGODlh\r\n"
        "--b--\r\n";
    Part root = parse(msg).root;
    EXPECT_EQ(body_text_utf8(msg, *at(root, {1})), "caf\xC3\xA9");
    EXPECT_EQ(decoded_body(msg, *at(root, {2})), "GIF89a");
    EXPECT_EQ(body_text_utf8(msg, *at(root, {2})), "");
}
