// mailbox_name.hpp - mailbox names: modified UTF-7 (RFC 3501 §5.1.3, RFC 9051 §5.1.3) for
// IMAP4rev1 clients, UTF-8 internally and for UTF8=ACCEPT / IMAP4rev2 clients (RFC 6855 §3),
// the hierarchy separator '/', and INBOX normalisation (RFC 9051 §5.1: INBOX is
// case-insensitive).
// Security: names come from the peer. Decoding is strict: every name has exactly one modified
// UTF-7 spelling, so two spellings can never name the same mailbox (or dodge an ACL check).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hermod::imap::proto {

inline constexpr char kHierarchySeparator = '/';
/// Longest mailbox name accepted, in UTF-8 octets (whole path).
inline constexpr std::size_t kMaxMailboxName = 1024;

/// Decodes modified UTF-7 to UTF-8. nullopt unless the input is the canonical encoding:
/// printable US-ASCII other than '&' appears directly, "&-" is '&', every "&...-" run is
/// non-empty modified base64 (',' for '/', no '=') of UTF-16BE with zero padding bits, encodes
/// no printable US-ASCII, holds only complete, well-paired surrogates, and is not directly
/// followed by another run ("&U,A-&U,A-" must be the single run "&U,BT8A-").
std::optional<std::string> mutf7_decode(std::string_view text);

/// Encodes UTF-8 as modified UTF-7. Precondition: `utf8` is valid UTF-8 (hermod::is_valid_utf8).
std::string mutf7_encode(std::string_view utf8);

/// True when `name` is INBOX in any case, the name of the special mailbox (RFC 9051 §5.1).
bool is_inbox(std::string_view name);

/// "inbox" -> "INBOX", "Inbox/Sub" -> "INBOX/Sub" (the first hierarchy level only); others
/// unchanged.
std::string normalize_inbox(std::string name);

/// Checks a decoded (UTF-8) mailbox name for use as a mailbox to create or select: valid UTF-8,
/// non-empty, at most kMaxMailboxName octets, no control characters (U+0000-U+001F, U+007F,
/// U+0080-U+009F), no empty hierarchy level (leading, trailing or doubled '/'), no "%" or "*"
/// (list wildcards, RFC 9051 §5.1). Returns the reason on failure, nullopt when fine.
std::optional<std::string_view> mailbox_name_problem(std::string_view utf8);

}  // namespace hermod::imap::proto
