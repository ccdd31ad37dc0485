// command.hpp - SMTP/LMTP command-line parser (RFC 5321 §4.1, RFC 2033 LHLO, RFC 1870 SIZE,
// RFC 6152 8BITMIME, RFC 3030 BDAT/BINARYMIME, RFC 6531 SMTPUTF8, RFC 4954 AUTH, RFC 3461 DSN).
// Input is one command line without its CRLF; output is a Command or a SyntaxError whose
// reply() is the exact 500/501/553/555 answer with its enhanced code (RFC 3463).
// Security: pre-authentication peer input. Lines are length-bounded, control octets, NUL and
// malformed UTF-8 are refused, and xtext-decoded DSN/AUTH values may not carry control octets
// (they end up in DSN headers and logs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smtp/proto/path.hpp"
#include "smtp/proto/reply.hpp"

namespace hermod::smtp::proto {

enum class Verb : std::uint8_t {
    Helo,
    Ehlo,
    Lhlo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Quit,
    Help,
    Vrfy,
    Expn,
    Starttls,
    Auth,
    Unknown,
};

/// Upper-case wire name ("EHLO"); "UNKNOWN" for Verb::Unknown.
std::string_view verb_name(Verb verb);

/// True for the commands that must end a pipelined group (RFC 2920 §3.1: EHLO, DATA, VRFY,
/// EXPN, QUIT, NOOP; also HELO/LHLO, STARTTLS per RFC 3207 §4.2 and AUTH per RFC 4954 §4):
/// the session flushes its replies there. After STARTTLS it must also discard any input already
/// buffered, or plaintext commands would be executed inside TLS (CVE-2011-0411).
bool ends_pipeline_group(Verb verb);

/// BODY= (RFC 6152 §2, RFC 3030 §3).
enum class Body : std::uint8_t { Unspecified, SevenBit, EightBitMime, BinaryMime };

/// RET= (RFC 3461 §4.3).
enum class Ret : std::uint8_t { Unspecified, Full, Hdrs };

/// NOTIFY= bits (RFC 3461 §4.1). Zero means "not given".
enum NotifyFlag : std::uint8_t {
    kNotifyNever = 1u << 0,
    kNotifySuccess = 1u << 1,
    kNotifyFailure = 1u << 2,
    kNotifyDelay = 1u << 3,
};

/// ESMTP parameters of MAIL FROM.
struct MailParams {
    std::optional<std::uint64_t> size;  ///< SIZE=n; saturates at UINT64_MAX
    Body body = Body::Unspecified;
    bool smtputf8 = false;
    std::optional<std::string> auth;  ///< AUTH= xtext-decoded; "" for AUTH=<>
    Ret ret = Ret::Unspecified;
    std::optional<std::string> envid;  ///< ENVID= xtext-decoded, printable ASCII, <= 100
};

/// ORCPT=addr-type;xtext (RFC 3461 §4.2).
struct OriginalRecipient {
    std::string addr_type;  ///< e.g. "rfc822", as sent
    std::string address;    ///< xtext-decoded
};

/// ESMTP parameters of RCPT TO.
struct RcptParams {
    std::uint8_t notify = 0;  ///< NotifyFlag bits
    std::optional<OriginalRecipient> orcpt;
};

struct Command {
    Verb verb = Verb::Unknown;
    std::string domain;                           ///< HELO/EHLO/LHLO argument, as sent
    Path path;                                    ///< MAIL (reverse-path) / RCPT (forward-path)
    MailParams mail;                              ///< MAIL only
    RcptParams rcpt;                              ///< RCPT only
    std::uint64_t chunk_size = 0;                 ///< BDAT
    bool last = false;                            ///< BDAT ... LAST
    std::string mechanism;                        ///< AUTH, upper-cased
    std::optional<std::string> initial_response;  ///< AUTH, raw base64 or "=" (RFC 4954 §4)
    std::string argument;  ///< VRFY/EXPN (required), HELP/NOOP (optional), raw
};

enum class SyntaxErrorKind : std::uint8_t {
    UnknownCommand,      ///< 500 5.5.2
    LineTooLong,         ///< 500 5.5.2 (RFC 5321 §4.5.3.1.4)
    BadCharacter,        ///< 500 5.5.2 - NUL, CR, LF, control octets, malformed UTF-8
    BadArguments,        ///< 501 5.5.4 - wrong/missing/extra arguments
    BadSender,           ///< 501 5.1.7
    BadRecipient,        ///< 501 5.1.3
    PathTooLong,         ///< 501 5.1.3 (RFC 5321 §4.5.3.1.3)
    Utf8NotPermitted,    ///< 553 5.6.7 (RFC 6531 §3.6.3)
    UnknownParameter,    ///< 555 5.5.4 (RFC 5321 §4.1.1.11)
    DuplicateParameter,  ///< 555 5.5.4
    BadParameterValue,   ///< 501 5.5.4
};

struct SyntaxError {
    SyntaxErrorKind kind = SyntaxErrorKind::BadArguments;
    Verb verb = Verb::Unknown;  ///< picks 5.1.7 (MAIL) or 5.1.3 (RCPT) for PathTooLong
    std::string detail;         ///< human-readable, goes into the reply text
    Reply reply() const;
};

struct ParseOptions {
    /// RFC 5321 §4.5.3.1.4 says 512 octets with CRLF; extensions (SIZE, DSN's ENVID/ORCPT, AUTH
    /// with an initial response, RFC 4954 §4 allows 12288) legitimately exceed it.
    std::size_t max_line = 4096;
    /// The current transaction's MAIL had SMTPUTF8: RCPT may then carry UTF-8 (RFC 6531 §3.4).
    bool smtputf8_transaction = false;
};

struct CommandResult {
    Command command;  ///< verb is always set (Unknown when unrecognised); the rest only if ok()
    std::optional<SyntaxError> error;
    bool ok() const { return !error.has_value(); }
};

/// Parses one command line (CRLF already removed). Verbs and parameter keywords are
/// case-insensitive; one or more spaces separate tokens and trailing white space is ignored
/// (leniency shared with Postfix and Exim). "MAIL FROM: <a@b>" is accepted, "MAIL FROM:a@b"
/// (no angle brackets) is not.
CommandResult parse_command(std::string_view line, const ParseOptions& options = {});

/// xtext (RFC 3461 §4): "+" HEXCHAR HEXCHAR encodes an octet; other octets are %d33-42 /
/// %d44-60 / %d62-126. Returns nullopt when malformed (bad hex, lower-case hex is accepted).
std::optional<std::string> xtext_decode(std::string_view text);

/// xtext-encodes `raw` ('+', '=', controls, space and non-ASCII become "+XX").
std::string xtext_encode(std::string_view raw);

}  // namespace hermod::smtp::proto
