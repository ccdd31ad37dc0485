// Stored form of a Structure: exact round trip, versioned, robust against corrupt rows.
#include "mime/serialize.hpp"

#include <gtest/gtest.h>

#include "mime/parser.hpp"

using namespace hermod::mime;

namespace {
const char kMsg[] =
    "From: \"A\" <a@b.test>\r\nTo: g:c@d.test;\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\nMessage-ID: <m@x>\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nhi\r\n"
    "--b\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; "
    "filename*=utf-8''x%C3%A9\r\n\r\nSubject: in\r\n\r\nbody\r\n--b--\r\n";
}

TEST(MimeSerialize, RoundTripIsExact) {
    Structure s = parse(kMsg);
    std::string bytes = serialize(s);
    auto back = deserialize(bytes);
    ASSERT_TRUE(back);
    EXPECT_TRUE(*back == s);
    EXPECT_EQ(back->root.envelope->subject_utf8, "caf\xC3\xA9");
    EXPECT_EQ(back->root.envelope->date_unix, 880127706);
    EXPECT_EQ(back->root.children[1].children[0].envelope->subject, "in");
    EXPECT_LT(bytes.size(), sizeof kMsg);  // compact: smaller than the message here
}

TEST(MimeSerialize, RejectsCorruptTruncatedAndNewer) {
    std::string bytes = serialize(parse(kMsg));
    for (std::size_t n = 0; n < bytes.size(); ++n)
        EXPECT_FALSE(deserialize(std::string_view(bytes).substr(0, n))) << n;
    std::string newer = bytes;
    newer[3] = static_cast<char>(kSerializeVersion + 1);
    EXPECT_FALSE(deserialize(newer));
    EXPECT_FALSE(deserialize(bytes + "x"));
    std::string huge = "HMS\x01";
    huge += '\0';
    huge += std::string(9, '\xFF') + '\x01';  // absurd varint
    EXPECT_FALSE(deserialize(huge));
}
