#include "common/address.hpp"

#include <gtest/gtest.h>

#include "common/sha256.hpp"

using hermod::parse_address;

TEST(Address, AcceptsDotAtomAndLowercases) {
    auto a = parse_address("John.Doe+tag@Example.ORG");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->local, "john.doe+tag");
    EXPECT_EQ(a->domain, "example.org");
    EXPECT_EQ(a->str(), "john.doe+tag@example.org");
}

TEST(Address, AcceptsUtf8Rfc6531) {
    auto a = parse_address(
        "j\xC3\xB6rg@b\xC3\xBC"
        "cher.example");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->domain,
              "b\xC3\xBC"
              "cher.example");
}

TEST(Address, RefusesWhatAccountsMustNotBe) {
    for (const char* bad :
         {"", "@x.org", "a@", "a..b@x.org", ".a@x.org", "a.@x.org", "a b@x.org", "\"q\"@x.org",
          "a@[127.0.0.1]", "a@-x.org", "a@x..org", "a@x_y.org", "@a:b@x.org", "a%b@x.org@y.org"}) {
        EXPECT_FALSE(parse_address(bad)) << bad;
    }
}

TEST(Sha256, KnownVector) {
    EXPECT_EQ(hermod::sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
