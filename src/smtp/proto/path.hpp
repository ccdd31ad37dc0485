// path.hpp - the <reverse-path> / <forward-path> of MAIL and RCPT (RFC 5321 §4.1.2, §4.1.1.3,
// §4.5.3.1; RFC 6531 §3.3 for UTF-8 mailboxes).
// Security: this is the input of the relay decision. Besides parsing, it classifies every
// construct that has historically been used to trick a server into relaying (percent hack,
// bang paths, quoted local parts hiding '@', source routes, address literals, trailing dots), so
// the relay policy can refuse anything that is not a plain local candidate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.hpp"

namespace hermod::smtp::proto {

// RFC 5321 §4.5.3.1.1-3 size limits, in octets.
inline constexpr std::size_t kMaxLocalPart = 64;
inline constexpr std::size_t kMaxDomain = 255;
inline constexpr std::size_t kMaxPath = 256;  ///< including '<' '>' and any source route

enum class DomainKind : std::uint8_t {
    None,            ///< null path "<>" or "<Postmaster>"
    Name,            ///< LDH labels (or U-labels under SMTPUTF8)
    Ipv4Literal,     ///< [192.0.2.1]
    Ipv6Literal,     ///< [IPv6:2001:db8::1]
    GeneralLiteral,  ///< [tag:content] (RFC 5321 §4.1.3 General-address-literal)
};

/// Bits describing constructs a relay policy must look at (see is_safe_local_candidate()).
enum PathFlag : std::uint32_t {
    kFlagSourceRoute = 1u << 0,      ///< "<@a,@b:user@c>" - route stripped (RFC 5321 §4.1.1.3)
    kFlagPercentHack = 1u << 1,      ///< '%' in the local part: "user%remote@local"
    kFlagBangPath = 1u << 2,         ///< '!' in the local part: "remote!user@local"
    kFlagQuotedLocal = 1u << 3,      ///< local part was a quoted-string
    kFlagQuotedSpecial = 1u << 4,    ///< quoted local part not expressible as a dot-string
                                     ///< (contains '@', space, '"', '\\', ... )
    kFlagAtInLocal = 1u << 5,        ///< '@' inside the (quoted) local part
    kFlagAddressLiteral = 1u << 6,   ///< domain is [...]
    kFlagTrailingDot = 1u << 7,      ///< "user@example.org." (dot stripped in `domain`)
    kFlagEmptyLocal = 1u << 8,       ///< ""@example.org
    kFlagNonAscii = 1u << 9,         ///< UTF-8 in local part or domain (RFC 6531)
    kFlagBarePostmaster = 1u << 10,  ///< "<Postmaster>" without a domain (RFC 5321 §4.1.1.3)
};

/// A parsed path. `local` is the semantic local part: quotes and quoted-pairs removed, so
/// "\"john\"@x" and "john@x" give the same `local` (RFC 5321 §4.1.2 says they are equivalent).
struct Path {
    bool null = false;  ///< "<>" (only valid as a reverse-path)
    std::string local;
    std::string domain;  ///< as sent, trailing dot stripped; literals keep their brackets
    DomainKind domain_kind = DomainKind::None;
    std::vector<std::string> route;  ///< source-route domains, in order, without '@'
    std::uint32_t flags = 0;

    bool has(PathFlag f) const { return (flags & f) != 0; }

    /// True when the path is a plain "dot-string@name" that a relay policy may look up as a
    /// local recipient: no source route, no '%' or '!' in the local part, no quoted local part
    /// hiding specials, no address literal, no trailing dot, no empty local part. A false
    /// answer does not make the path invalid, only unsuitable for "is this ours?" shortcuts.
    bool is_safe_local_candidate() const;

    /// The mailbox as "local@domain", re-quoting the local part when it is not a dot-string.
    /// Empty for the null path; "Postmaster" for the bare postmaster form.
    std::string mailbox() const;
};

enum class PathError : std::uint8_t {
    None,
    Syntax,          ///< does not match the grammar
    TooLong,         ///< a §4.5.3.1 limit was exceeded
    Utf8NotAllowed,  ///< non-ASCII without SMTPUTF8 (RFC 6531 §3.6.3: 553 5.6.7)
    NullNotAllowed,  ///< "<>" where a forward-path is required
};

struct PathOptions {
    bool allow_null = false;        ///< reverse-path: "<>" allowed
    bool allow_postmaster = false;  ///< forward-path: "<Postmaster>" allowed
    bool allow_utf8 = false;        ///< SMTPUTF8 was given for this transaction
};

struct PathResult {
    Path path;
    PathError error = PathError::None;
    std::size_t consumed = 0;  ///< octets of input used, '<' through '>'
    bool ok() const { return error == PathError::None; }
};

/// Parses a path starting at input[0] == '<' and ending at the matching '>'; whatever follows
/// is left to the caller (ESMTP parameters). Grammar (RFC 5321 §4.1.2):
///   Path = "<" [ A-d-l ":" ] Mailbox ">"
///   A-d-l = At-domain *( "," At-domain ); At-domain = "@" Domain
///   Mailbox = Local-part "@" ( Domain / address-literal )
///   Local-part = Dot-string / Quoted-string
/// Limits: local part 64, domain 255, whole path 256 octets.
PathResult parse_path(std::string_view input, const PathOptions& options);

}  // namespace hermod::smtp::proto
