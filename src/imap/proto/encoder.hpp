// encoder.hpp - IMAP response building (RFC 9051 §7 and §9 response syntax): status responses
// with response codes (RFC 9051 §7.1, RFC 5530, RFC 4315 UIDPLUS, RFC 7162, RFC 3516), the
// string forms (quoted vs literal, astring, nstring, NIL), mailbox names, internal dates.
// Handlers build every response through these helpers, never by pasting strings.
// Security: peer-influenced text (mailbox names, header values, tags) can never break a line:
// strings that are not safe as quoted go out as literals, and free response text has CR, LF
// and NUL replaced by spaces.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hermod::imap::proto {

enum class Status : std::uint8_t { Ok, No, Bad, Bye, Preauth };
std::string_view status_name(Status status);  ///< "OK", "NO", ...

/// Response codes (RFC 9051 §7.1; RFC 5530; RFC 4315; RFC 7162; RFC 3516; RFC 6154).
enum class Code : std::uint8_t {
    None,
    Alert,
    AlreadyExists,
    AppendUid,
    AuthenticationFailed,
    AuthorizationFailed,
    BadCharset,
    Cannot,
    Capability,
    ClientBug,
    Closed,
    ContactAdmin,
    CopyUid,
    Corruption,
    Expired,
    ExpungeIssued,
    HasChildren,
    InUse,
    Limit,
    Nonexistent,
    NoPerm,
    NotSaved,
    OverQuota,
    Parse,
    PermanentFlags,
    PrivacyRequired,
    ReadOnly,
    ReadWrite,
    ServerBug,
    TooBig,
    TryCreate,
    UidNext,
    UidNotSticky,
    UidValidity,
    Unavailable,
    UnknownCte,
    HighestModSeq,
    NoModSeq,
    Modified,
    UseAttr,
};
/// The wire atom ("TRYCREATE", "READ-ONLY", ...); "" for None.
std::string_view code_name(Code code);

/// A response code with its arguments (already in wire form, without the leading SP).
struct ResponseCode {
    Code code = Code::None;
    std::string args;
};

// Code builders.
ResponseCode appenduid(std::uint32_t uidvalidity, std::span<const std::uint32_t> uids);
ResponseCode copyuid(std::uint32_t uidvalidity, std::span<const std::uint32_t> source_uids,
                     std::span<const std::uint32_t> dest_uids);
ResponseCode uidnext(std::uint32_t uid);
ResponseCode uidvalidity(std::uint32_t value);
ResponseCode highestmodseq(std::uint64_t value);
/// [PERMANENTFLAGS (\Seen ... \*)]: `flags` as given (flag atoms).
ResponseCode permanentflags(std::span<const std::string> flags, bool keywords_allowed);
/// [CAPABILITY IMAP4rev2 ...]
ResponseCode capability(std::span<const std::string_view> capabilities);
/// [BADCHARSET (UTF-8 US-ASCII)] (RFC 9051 §7.1)
ResponseCode badcharset();

/// "tag OK [CODE args] text\r\n". `text` is sanitised (CR/LF/NUL -> SP); an empty text becomes
/// the status name (resp-text needs one).
std::string tagged(std::string_view tag, Status status, std::string_view text,
                   const ResponseCode& code = {});
/// "* OK [CODE args] text\r\n" (also NO/BAD/BYE/PREAUTH).
std::string untagged(Status status, std::string_view text, const ResponseCode& code = {});
/// "+ text\r\n" (RFC 9051 §7.5); default "Ready".
std::string continuation(std::string_view text = "Ready");
/// "+ base64\r\n" for AUTHENTICATE challenges (may be empty: "+ \r\n").
std::string continuation_raw(std::string_view base64);

struct EncodeOptions {
    /// UTF8=ACCEPT / IMAP4rev2: valid UTF-8 may go in quoted strings (RFC 6855 §3) and mailbox
    /// names are sent as UTF-8, not modified UTF-7.
    bool utf8 = false;
    /// Longest string sent quoted; longer ones become literals.
    std::size_t max_quoted = 1024;
};

/// True when `s` can be sent as a quoted string under `options`.
bool quotable(std::string_view s, const EncodeOptions& options = {});
/// quoted or literal ("{n}\r\n" + octets) as quotable() decides. Precondition for the literal
/// form: no NUL (CHAR8); use append_literal8 for binary content.
void append_string(std::string& out, std::string_view s, const EncodeOptions& options = {});
/// Always quoted (escaping \ and "); precondition quotable().
void append_quoted(std::string& out, std::string_view s);
void append_literal(std::string& out, std::string_view s);
/// "~{n}\r\n" + octets (RFC 3516 §4.2, BINARY responses).
void append_literal8(std::string& out, std::string_view s);
/// atom when every octet is ASTRING-CHAR (and not "NIL"), else append_string.
void append_astring(std::string& out, std::string_view s, const EncodeOptions& options = {});
/// NIL or string.
void append_nstring(std::string& out, std::optional<std::string_view> s,
                    const EncodeOptions& options = {});
void append_nil(std::string& out);
/// A UTF-8 mailbox name for the wire: modified UTF-7 unless options.utf8, then astring rules
/// (always quoted when it contains list wildcards or is empty).
void append_mailbox(std::string& out, std::string_view utf8_name,
                    const EncodeOptions& options = {});
/// "(a b c)" of atoms as given (flags, capabilities).
void append_atom_list(std::string& out, std::span<const std::string> atoms);

/// date-time as in INTERNALDATE: "\"17-Jul-1996 02:44:25 -0700\"" (quotes included) for the
/// UTC instant `unix_seconds` shown in the zone `zone_minutes` east of UTC.
std::string format_internal_date(std::int64_t unix_seconds, int zone_minutes = 0);

}  // namespace hermod::imap::proto
