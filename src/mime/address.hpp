// address.hpp - RFC 5322 §3.4 address lists (with groups, route-addr, comments, quoted local
// parts and the obsolete syntax of §4.4) in the shape IMAP ENVELOPE needs (RFC 9051 §7.5.2).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hermod::mime {

struct Address {
    enum class Kind : std::uint8_t { Mailbox, GroupStart, GroupEnd };
    Kind kind = Kind::Mailbox;
    /// Display name, raw (encoded words kept, quotes removed, phrase words joined by one
    /// space); for a mailbox without one, the last comment (as Dovecot does). Empty = NIL.
    std::string name;
    std::string adl;      ///< obsolete source route "@a,@b"; empty = NIL
    std::string mailbox;  ///< local part (quotes removed); the group name for GroupStart
    std::string host;     ///< domain; empty for group markers
    bool operator==(const Address&) const = default;
};

/// Parses a raw (possibly folded) header value. Never fails: unparsable pieces are skipped
/// up to the next ','. Dovecot's placeholders keep ENVELOPE output identical to Dovecot's: a
/// mailbox without '@' gets host "MISSING_DOMAIN", an empty local part "MISSING_MAILBOX", a
/// broken <...> host "SYNTAX_ERROR" (and a broken route adl "INVALID_ROUTE"). A phrase without
/// an address ("Someone Else", a lone quoted string) is a name with MISSING_MAILBOX and
/// MISSING_DOMAIN (a lone atom stays a mailbox); "<>" is MISSING_MAILBOX / MISSING_DOMAIN; an
/// unterminated quoted string takes the rest of the value and gives one MISSING_MAILBOX /
/// MISSING_DOMAIN entry. Group markers: GroupStart{mailbox=name} ... GroupEnd{} (RFC 9051
/// §7.5.2).
std::vector<Address> parse_address_list(std::string_view raw, std::size_t max_addresses = 10000);

/// "local@host" for a mailbox entry (search/compare form).
std::string addr_spec(const Address& a);

}  // namespace hermod::mime
