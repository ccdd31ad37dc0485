// networks_test.cpp - trusted networks for relaying (RFC 5321 §3.6): CIDR v4, v6, v4-mapped.
#include "delivery/networks.hpp"

#include <gtest/gtest.h>

namespace hermod::delivery::test {

TEST(DeliverNetworksTest, Ipv4Cidr) {
    NetworkList nets({"192.0.2.0/24", "10.1.2.3"});
    EXPECT_TRUE(nets.contains("192.0.2.1"));
    EXPECT_TRUE(nets.contains("192.0.2.255"));
    EXPECT_FALSE(nets.contains("192.0.3.1"));
    EXPECT_TRUE(nets.contains("10.1.2.3"));
    EXPECT_FALSE(nets.contains("10.1.2.4"));
    EXPECT_FALSE(nets.contains(""));
    EXPECT_FALSE(nets.contains("not an ip"));
    EXPECT_FALSE(nets.contains("2001:db8::1"));
}

TEST(DeliverNetworksTest, HostBitsAndOddPrefixes) {
    NetworkList nets({"198.51.100.77/25", "172.16.0.0/12"});
    EXPECT_TRUE(nets.contains("198.51.100.1"));
    EXPECT_FALSE(nets.contains("198.51.100.128"));
    EXPECT_TRUE(nets.contains("172.31.255.255"));
    EXPECT_FALSE(nets.contains("172.32.0.0"));
}

TEST(DeliverNetworksTest, Ipv6CidrBracketsAndZones) {
    NetworkList nets({"2001:db8::/32", "::1", "fe80::/10"});
    EXPECT_TRUE(nets.contains("2001:db8:1234::5"));
    EXPECT_TRUE(nets.contains("[2001:db8::1]"));
    EXPECT_FALSE(nets.contains("2001:db9::1"));
    EXPECT_TRUE(nets.contains("::1"));
    EXPECT_FALSE(nets.contains("::2"));
    EXPECT_TRUE(nets.contains("fe80::1%eth0"));
    EXPECT_FALSE(nets.contains("127.0.0.1"));
}

TEST(DeliverNetworksTest, Ipv4MappedIpv6_Rfc4291_2_5_5_2) {
    NetworkList v4({"192.0.2.0/24"});
    EXPECT_TRUE(v4.contains("::ffff:192.0.2.9"));
    EXPECT_FALSE(v4.contains("::ffff:192.0.3.9"));
    NetworkList mapped({"::ffff:192.0.2.0/120"});
    EXPECT_TRUE(mapped.contains("192.0.2.9"));
    EXPECT_FALSE(mapped.contains("192.0.3.9"));
}

TEST(DeliverNetworksTest, EverythingAndNothing) {
    NetworkList all4({"0.0.0.0/0"});
    EXPECT_TRUE(all4.contains("203.0.113.5"));
    EXPECT_FALSE(all4.contains("2001:db8::1"));
    NetworkList none;
    EXPECT_TRUE(none.empty());
    EXPECT_FALSE(none.contains("127.0.0.1"));
}

TEST(DeliverNetworksTest, InvalidEntriesMatchNothing) {
    std::vector<std::string> bad;
    NetworkList nets({"192.0.2.0/33", "2001:db8::/129", "nonsense", "10.0.0.0/", "10.0.0.0/x"},
                     &bad);
    EXPECT_TRUE(nets.empty());
    EXPECT_EQ(bad.size(), 5u);
}

}  // namespace hermod::delivery::test
