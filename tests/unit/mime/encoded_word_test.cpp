// RFC 2047 encoded words and charset conversion to UTF-8 (via iconv).
#include "mime/encoded_word.hpp"

#include <gtest/gtest.h>

#include "mime/charset.hpp"

using namespace hermod::mime;

TEST(MimeEncodedWord, Rfc2047_4_BAndQ) {
    EXPECT_EQ(decode_encoded_words("=?UTF-8?B?w6l0w6k=?="), "\xC3\xA9t\xC3\xA9");
    EXPECT_EQ(decode_encoded_words("=?utf-8?q?caf=C3=A9_au_lait?="), "caf\xC3\xA9 au lait");
    EXPECT_EQ(decode_encoded_words("plain text"), "plain text");
}

TEST(MimeEncodedWord, Rfc2047_6_2_WhiteSpaceBetweenAdjacentWords) {
    EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?="), "ab");
    EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?=\r\n =?ISO-8859-1?Q?b?="), "ab");
    EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?= x =?ISO-8859-1?Q?b?="), "a x b");
    EXPECT_EQ(decode_encoded_words("Re: =?utf-8?q?x?= end"), "Re: x end");
}

TEST(MimeEncodedWord, Rfc2047_Charsets) {
    EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?Andr=E9?="), "Andr\xC3\xA9");
    EXPECT_EQ(decode_encoded_words("=?iso-8859-15?q?=A4?="), "\xE2\x82\xAC");
    EXPECT_EQ(decode_encoded_words("=?windows-1252?Q?=80_=93q=94?="),
              "\xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D");
    // KOI8-R "привет"
    EXPECT_EQ(decode_encoded_words("=?KOI8-R?B?0NLJ18XU?="),
              "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
    // ISO-2022-JP "日本" (escape sequences inside the word)
    EXPECT_EQ(decode_encoded_words("=?ISO-2022-JP?B?GyRCRnxLXBsoQg==?="),
              "\xE6\x97\xA5\xE6\x9C\xAC");
    // GB2312 "中文"
    EXPECT_EQ(decode_encoded_words("=?gb2312?B?1tDOxA==?="), "\xE4\xB8\xAD\xE6\x96\x87");
    // GBK-only character in a GB2312-labelled word still decodes (label treated as GB18030).
    EXPECT_EQ(decode_encoded_words("=?GB2312?Q?=95=A8?="), "\xE6\x9A\x94");
    // Big5 "中文"
    EXPECT_EQ(decode_encoded_words("=?big5?B?pKSk5Q==?="), "\xE4\xB8\xAD\xE6\x96\x87");
}

TEST(MimeEncodedWord, MultiByteCharacterSplitAcrossWords) {
    // "é" = C3 A9 split over two words: decoded together, not as two U+FFFD.
    EXPECT_EQ(decode_encoded_words("=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?="), "\xC3\xA9");
}

TEST(MimeEncodedWord, MalformedKeptLiterally) {
    EXPECT_EQ(decode_encoded_words("=?utf-8?x?abc?="), "=?utf-8?x?abc?=");
    EXPECT_EQ(decode_encoded_words("=?utf-8?q?unterminated"), "=?utf-8?q?unterminated");
    EXPECT_EQ(decode_encoded_words("=??q?a?="), "=??q?a?=");
    // Dovecot-like: words glued to text are decoded anyway.
    EXPECT_EQ(decode_encoded_words("x=?utf-8?q?y?=z"), "xyz");
    // RFC 2231 §5 language suffix.
    EXPECT_EQ(decode_encoded_words("=?US-ASCII*EN?Q?Keith?="), "Keith");
}

TEST(MimeCharset, UnknownCharsetAndInvalidBytes) {
    EXPECT_EQ(to_utf8("caf\xC3\xA9", "x-no-such-charset"), "caf\xC3\xA9");
    EXPECT_EQ(to_utf8("caf\xE9", "x-no-such-charset"), "caf\xEF\xBF\xBD");
    EXPECT_EQ(to_utf8("a\xFF"
                      "b",
                      "utf-8"),
              "a\xEF\xBF\xBD"
              "b");
    // Invalid sequence in a known multi-byte charset: replaced, conversion continues.
    EXPECT_EQ(to_utf8("\xA4\xA4\xFF"
                      "ok",
                      "big5"),
              "\xE4\xB8\xAD\xEF\xBF\xBD"
              "ok");
    EXPECT_EQ(to_utf8("\x80", "us-ascii"), "\xEF\xBF\xBD");
}
