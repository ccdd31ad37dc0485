// address.hpp - e-mail addresses as Hermod stores them (RFC 5321 §4.1.2 Mailbox, RFC 6531 UTF-8).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hermod {

struct Address {
    std::string local;   // dot-atom local part (may contain UTF-8), lower case
    std::string domain;  // lower case, no trailing dot
    std::string str() const { return local + "@" + domain; }
};

/// Parses "local@domain" as used for accounts and aliases: a dot-atom local part (RFC 5322
/// §3.2.3 atext, or UTF-8 per RFC 6531) and a domain of LDH labels (or UTF-8). Quoted local
/// parts, source routes, IP literals and the like are refused. Returns nullopt when invalid.
std::optional<Address> parse_address(std::string_view text);

/// True for a domain name of dot-separated LDH (or UTF-8) labels, 1-63 octets each, at most
/// 253 octets in total.
bool is_valid_domain(std::string_view domain);

/// ASCII lower-casing (UTF-8 bytes are left as they are).
std::string ascii_lower(std::string_view text);

}  // namespace hermod
