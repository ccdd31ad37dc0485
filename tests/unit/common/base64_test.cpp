// Strict base64 (RFC 4648) used by the AUTH exchanges.
#include "common/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

using namespace hermod;

TEST(Rfc4648_10, Base64Vectors) {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (auto [raw, enc] : vectors) {
        EXPECT_EQ(base64_encode(raw), enc);
        EXPECT_EQ(*base64_decode(enc), raw);
    }
    std::string all;
    for (int i = 0; i < 256; ++i)
        all.push_back(static_cast<char>(i));
    EXPECT_EQ(*base64_decode(base64_encode(all)), all);
}

TEST(Rfc4648_3_5, Base64StrictDecoding) {
    for (const char* bad : {"Zg", "Zg=", "Zg===", "Z===", "====", "Zm9v\r\n", "Zm 9v",
                            "Zm9v=", "Zh==", "Zm9=", "Zg==Zg==", "Z=g=", "Zm-v", "Zm_v", "*"}) {
        EXPECT_FALSE(base64_decode(bad)) << bad;
    }
}
