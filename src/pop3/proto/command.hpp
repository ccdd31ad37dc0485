// command.hpp - the POP3 command parser (RFC 1939 §3, RFC 2449 §3): one CRLF-stripped line in,
// a verb and its arguments out. Pure, no I/O.
// Security: parses unauthenticated input. Lines are bounded by the caller's LineReader
// (kMaxCommandLine, or kMaxSaslLine for AUTH); arguments are counted and length-checked here,
// so a handler never sees more than the grammar allows. PASS keeps its whole argument (spaces
// included, RFC 1939 §7 lets a server do so) and never appears in an error text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hermod::pop3::proto {

/// RFC 2449 §4: a command line is at most 255 octets including CRLF.
inline constexpr std::size_t kMaxCommandLine = 255;
/// RFC 2449 §4: each argument at most 40 octets (PASS and AUTH responses excepted).
inline constexpr std::size_t kMaxArgument = 40;
/// Longest AUTH continuation line accepted (base64 of PLAIN's 3 × 1024 octets and more; the
/// same bound as SMTP's RFC 4954 §4).
inline constexpr std::size_t kMaxSaslLine = 12288;

enum class Verb : std::uint8_t {
    User,
    Pass,
    Apop,
    Auth,
    Stls,
    Capa,
    Quit,  // AUTHORIZATION (CAPA and QUIT also later)
    Stat,
    List,
    Retr,
    Dele,
    Noop,
    Rset,
    Top,
    Uidl,  // TRANSACTION
    Unknown,
};

std::string_view to_string(Verb);  // "USER", ..., "" for Unknown

struct Command {
    Verb verb = Verb::Unknown;
    /// Space-separated arguments; for PASS one argument holding the rest of the line.
    std::vector<std::string> args;
};

struct ParseResult {
    std::optional<Command> command;  ///< set on success
    std::string error;               ///< the "-ERR" text otherwise ("unknown command", ...)
};

/// Parses one command line (without CRLF). Keywords are case-insensitive (RFC 1939 §3). Checks
/// the argument count each verb allows (e.g. LIST 0-1, TOP exactly 2, USER exactly 1) and
/// kMaxArgument; numbers are not interpreted here (see parse_message_number).
ParseResult parse_command(std::string_view line);

/// A message-number or line-count argument: decimal digits only, no sign, no leading "+",
/// fits in 32 bits. RFC 1939 §3: message numbers start at 1 (checked by the caller).
std::optional<std::uint32_t> parse_number(std::string_view arg);

}  // namespace hermod::pop3::proto
