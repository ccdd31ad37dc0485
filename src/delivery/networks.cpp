// networks.cpp - CIDR matching for trusted networks (see networks.hpp).
#include "delivery/networks.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace hermod::delivery {

std::optional<NetworkList::Bytes> NetworkList::parse_ip(std::string_view ip, bool& v4_out) {
    if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    if (auto pct = ip.find('%'); pct != std::string_view::npos) ip = ip.substr(0, pct);
    if (ip.empty() || ip.size() > 64) return std::nullopt;
    std::string text(ip);
    Bytes out{};
    in_addr v4{};
    if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        // ::ffff:a.b.c.d
        out[10] = 0xff;
        out[11] = 0xff;
        std::memcpy(out.data() + 12, &v4, 4);
        v4_out = true;
        return out;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
        std::memcpy(out.data(), &v6, 16);
        v4_out = false;
        return out;
    }
    return std::nullopt;
}

NetworkList::NetworkList(const std::vector<std::string>& cidrs,
                         std::vector<std::string>* invalid_out) {
    for (const auto& entry : cidrs) {
        std::string_view text = entry;
        std::string_view addr = text;
        std::optional<unsigned> bits;
        if (auto slash = text.find('/'); slash != std::string_view::npos) {
            addr = text.substr(0, slash);
            std::string_view len = text.substr(slash + 1);
            unsigned n = 0;
            auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), n);
            if (ec != std::errc() || end != len.data() + len.size() || len.empty()) {
                if (invalid_out) invalid_out->push_back(entry);
                continue;
            }
            bits = n;
        }
        bool v4 = false;
        auto bytes = parse_ip(addr, v4);
        unsigned max = v4 ? 32 : 128;
        if (!bytes || (bits && *bits > max)) {
            if (invalid_out) invalid_out->push_back(entry);
            continue;
        }
        Network net;
        net.bits = (bits ? *bits : max) + (v4 ? 96 : 0);
        // Clear host bits so "192.0.2.7/24" means the /24 it lies in.
        for (unsigned i = 0; i < 16; ++i) {
            unsigned keep = net.bits > i * 8 ? std::min(8u, net.bits - i * 8) : 0;
            auto mask = static_cast<std::uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
            net.prefix[i] = static_cast<std::uint8_t>((*bytes)[i] & mask);
        }
        networks_.push_back(net);
    }
}

bool NetworkList::contains(std::string_view ip) const {
    bool v4 = false;
    auto bytes = parse_ip(ip, v4);
    if (!bytes) return false;
    for (const auto& net : networks_) {
        bool match = true;
        for (unsigned i = 0; i < 16 && match; ++i) {
            unsigned keep = net.bits > i * 8 ? std::min(8u, net.bits - i * 8) : 0;
            if (keep == 0) break;
            auto mask = static_cast<std::uint8_t>(0xff << (8 - keep));
            match = ((*bytes)[i] & mask) == net.prefix[i];
        }
        if (match) return true;
    }
    return false;
}

}  // namespace hermod::delivery
