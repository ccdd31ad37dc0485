// RFC 2045 §6.7 quoted-printable and §6.8 base64, tolerant decoding.
#include "mime/transfer.hpp"

#include <gtest/gtest.h>

using namespace hermod::mime;

TEST(MimeTransfer, Rfc2045_6_8_Base64Tolerant) {
    EXPECT_EQ(decode_base64("aGVsbG8gd29ybGQ="), "hello world");
    EXPECT_EQ(decode_base64("aGVs\r\nbG8g\r\nd29y bGQ=\r\n"), "hello world");
    EXPECT_EQ(decode_base64("aGVs!!bG8"), "hello");
    EXPECT_EQ(decode_base64("aGk=trailing junk"), "hi");
    EXPECT_EQ(decode_base64("aGVsbA"), "hell");
    EXPECT_EQ(decode_base64(""), "");
}

TEST(MimeTransfer, Base64Streaming) {
    std::string out;
    Base64Decoder d;
    d.feed("aGVs", out);
    d.feed("bG8g", out);
    d.feed("d2", out);
    d.feed("9ybGQ=", out);
    EXPECT_EQ(out, "hello world");
    EXPECT_TRUE(d.finished());
}

TEST(MimeTransfer, Rfc2045_6_7_QuotedPrintable) {
    EXPECT_EQ(decode_quoted_printable("caf=C3=A9 =3d=\r\nnext\r\n"), "caf\xC3\xA9 =next\r\n");
    EXPECT_EQ(decode_quoted_printable("trailing   \r\nspace\t\nx"), "trailing\r\nspace\nx");
    EXPECT_EQ(decode_quoted_printable("soft=  \r\nbreak="), "softbreak");
    EXPECT_EQ(decode_quoted_printable("bad=ZZ=4"), "bad=ZZ=4");
    EXPECT_EQ(decode_quoted_printable("mid space"), "mid space");
}

TEST(MimeTransfer, EncodingKinds) {
    EXPECT_EQ(encoding_kind(" Base64 "), Encoding::Base64);
    EXPECT_EQ(encoding_kind("QUOTED-PRINTABLE"), Encoding::QuotedPrintable);
    EXPECT_EQ(encoding_kind("8bit"), Encoding::Identity);
    EXPECT_EQ(encoding_kind(""), Encoding::Identity);
    EXPECT_EQ(encoding_kind("x-uuencode"), Encoding::Unknown);
    EXPECT_EQ(decode_transfer("aGk=", Encoding::Base64), "hi");
    EXPECT_EQ(decode_transfer("aGk=", Encoding::Unknown), "aGk=");
}
