// networks.hpp - "is this client address inside one of these networks?" for relay policy.
//
// Entries are CIDR ("192.0.2.0/24", "2001:db8::/32") or single addresses, as validated by the
// config loader ([smtp] trusted_networks). IPv4 is kept as IPv4-mapped IPv6 (RFC 4291 §2.5.5.2),
// so "::ffff:192.0.2.7" (a v4 client on a dual-stack socket) matches "192.0.2.0/24" and a v4
// client matches "::ffff:192.0.2.0/120".
//
// Security: this decides who may relay without authenticating; anything unparsable matches
// nothing (fail closed).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hermod::delivery {

class NetworkList {
  public:
    NetworkList() = default;
    /// Parses every entry; invalid ones are skipped and returned in `invalid_out` if given.
    explicit NetworkList(const std::vector<std::string>& cidrs,
                         std::vector<std::string>* invalid_out = nullptr);

    /// True when `ip` (an IPv4 or IPv6 literal, optionally in brackets or with a "%zone") is in
    /// one of the networks. False for an empty or unparsable address.
    bool contains(std::string_view ip) const;
    bool empty() const { return networks_.empty(); }

  private:
    using Bytes = std::array<std::uint8_t, 16>;
    struct Network {
        Bytes prefix{};
        unsigned bits = 0;  // 0..128, in the IPv6 (mapped) space
    };
    static std::optional<Bytes> parse_ip(std::string_view ip, bool& v4_out);

    std::vector<Network> networks_;
};

}  // namespace hermod::delivery
