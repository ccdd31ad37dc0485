// parser.hpp - the IMAP tokenizer over one assembled command (RFC 9051 §9 formal syntax, RFC 3501
// §9 for IMAP4rev1): tag, command name, and the typed argument readers command handlers use
// (atom, number/nz-number/number64, astring, nstring, string, list-mailbox, mailbox, flag-list,
// date, date-time, sequence-set with "*" and "$").
// Errors are sticky: the first failure is kept as a ParseError (kind + the text of the tagged
// BAD/NO) and every later read fails, so a handler checks once at the end. Nothing throws.
// Security: pre-authentication peer input. The parser only moves forward over a bounded buffer;
// literals are taken only where the CommandAssembler recorded them (a "{5}" anywhere else is a
// syntax error), nesting is depth-limited, and strings are checked for NUL/CR/LF.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/proto/command_buffer.hpp"
#include "imap/proto/sequence_set.hpp"

namespace hermod::imap::proto {

struct ParserOptions {
    /// UTF8=ACCEPT (RFC 6855 §3) or IMAP4rev2 (RFC 9051 §6.3.1) enabled: mailbox names are UTF-8
    /// on the wire instead of modified UTF-7.
    bool utf8 = false;
};

enum class ParseErrorKind : std::uint8_t {
    Bad,         ///< tagged BAD (syntax)
    BadCharset,  ///< tagged NO [BADCHARSET (UTF-8 US-ASCII)] (RFC 9051 §6.4.4)
    Unknown,     ///< tagged BAD: unknown command
};

struct ParseError {
    ParseErrorKind kind = ParseErrorKind::Bad;
    std::string text;  ///< human-readable reason, safe for the response line (no CR/LF)
};

/// RFC 9051 §9 date: 1-2 digit day, 3-letter month, 4-digit year.
struct Date {
    int year = 0;
    int month = 0;  ///< 1..12
    int day = 0;    ///< 1..31, checked against the month
    bool operator==(const Date&) const = default;
    /// Days since 1970-01-01.
    std::int64_t days_since_epoch() const;
};

/// RFC 9051 §9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz".
struct DateTime {
    Date date;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int zone_minutes = 0;  ///< east of UTC, e.g. -420 for -0700
    bool operator==(const DateTime&) const = default;
    /// Seconds since the epoch (UTC).
    std::int64_t to_unix() const;
};

enum class Verb : std::uint8_t {
    // any state (RFC 9051 §6.1)
    Capability,
    Noop,
    Logout,
    // not authenticated (§6.2)
    Starttls,
    Authenticate,
    Login,
    // authenticated (§6.3)
    Enable,
    Select,
    Examine,
    Create,
    Delete,
    Rename,
    Subscribe,
    Unsubscribe,
    List,
    Lsub,
    Namespace,
    Status,
    Append,
    Idle,
    Id,
    // selected (§6.4)
    Check,
    Close,
    Unselect,
    Expunge,
    Search,
    Fetch,
    Store,
    Copy,
    Move,
    Unknown,
};

/// Upper-case wire name ("FETCH"); "" for Unknown.
std::string_view verb_name(Verb verb);

struct CommandHead {
    std::string_view tag;
    Verb verb = Verb::Unknown;
    bool uid = false;       ///< "UID FETCH|STORE|SEARCH|COPY|MOVE|EXPUNGE" (RFC 9051 §6.4.9)
    std::string_view name;  ///< the command name as sent (for error texts)
};

/// Longest tag accepted.
inline constexpr std::size_t kMaxTag = 64;
/// Deepest nesting of parenthesised lists (SEARCH groups, NOT/OR chains, BODYSTRUCTURE-like
/// argument lists).
inline constexpr int kMaxDepth = 32;

class Parser {
  public:
    /// `command` must outlive the parser and the string_views it returns.
    explicit Parser(const CommandBuffer& command, ParserOptions options = {});

    const ParserOptions& options() const { return options_; }

    // --- state ---
    bool ok() const { return !error_; }
    const std::optional<ParseError>& error() const { return error_; }
    /// Records the first error (later ones are ignored) and returns false.
    bool fail(std::string_view text, ParseErrorKind kind = ParseErrorKind::Bad);
    std::size_t pos() const { return pos_; }
    bool at_end() const { return pos_ >= text_.size(); }
    /// The unread rest of the command text (literal octets included).
    std::string_view rest() const { return text_.substr(std::min(pos_, text_.size())); }

    // --- punctuation ---
    bool peek(char c) const { return ok() && pos_ < text_.size() && text_[pos_] == c; }
    /// Consumes `c` if it is next.
    bool accept(char c);
    /// Requires `c` next; fails with "expected 'c' <context>".
    bool expect(char c, std::string_view context = {});
    /// Requires exactly one SP.
    bool sp() { return expect(' '); }
    /// Requires the end of the command.
    bool end();
    /// Consumes `word` (case-insensitive) if it is next and followed by a delimiter
    /// (SP, '(', ')', '[', ']', '<', '.', or the end).
    bool accept_keyword(std::string_view word);
    /// Peeks without consuming (same delimiter rule as accept_keyword).
    bool peek_keyword(std::string_view word) const;

    // --- tokens (RFC 9051 §9) ---
    std::optional<std::string_view> tag();
    /// tag SP command-name, with "UID" folded in. Unknown names give Verb::Unknown (not an
    /// error); the caller answers "BAD unknown command".
    std::optional<CommandHead> command_head();
    /// 1*ATOM-CHAR.
    std::optional<std::string_view> atom();
    /// 1*ASTRING-CHAR (ATOM-CHAR and "]").
    std::optional<std::string_view> astring_atom();
    std::optional<std::uint32_t> number();
    std::optional<std::uint32_t> nz_number();
    std::optional<std::uint64_t> number64();  ///< 0 .. 2^63-1
    std::optional<std::uint64_t> nz_number64();
    /// quoted / literal (no NUL). Literal8 is refused here.
    std::optional<std::string> string();
    /// atom-like / string.
    std::optional<std::string> astring();
    /// NIL / string: the outer optional is the error channel, the inner is NIL.
    std::optional<std::optional<std::string>> nstring();
    /// 1*list-char / string (RFC 9051 list-mailbox), decoded like mailbox() but with % and *.
    std::optional<std::string> list_mailbox();
    /// "INBOX" / astring, decoded to UTF-8 (modified UTF-7 unless options.utf8), INBOX
    /// normalised. Name checks (empty levels, controls) are mailbox_name_problem()'s, for the
    /// handlers that create names.
    std::optional<std::string> mailbox();
    /// flag: "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / keyword / "\" atom.
    /// System flags are returned in canonical case. `allow_recent` admits "\Recent" (SEARCH).
    std::optional<std::string> flag(bool allow_recent = false);
    /// "(" [flag *(SP flag)] ")".
    std::optional<std::vector<std::string>> flag_list();
    /// date: date-text / DQUOTE date-text DQUOTE.
    std::optional<Date> date();
    /// date-time: DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE.
    std::optional<DateTime> date_time();
    /// sequence-set / "$".
    std::optional<SequenceSet> sequence_set();
    /// A literal or literal8 at the current position (content not copied). A streamed literal
    /// has an empty `data`; the caller received its octets itself.
    std::optional<LiteralRef> literal(bool allow_binary);
    bool at_literal() const;

    /// Depth guard for recursive descent.
    bool enter();
    void leave() { --depth_; }

  private:
    std::optional<std::string> quoted();
    std::optional<std::string> decode_mailbox(std::string raw, bool wildcards);
    std::string_view take_while(bool (*pred)(unsigned char));
    const LiteralSpan* literal_here() const;

    const CommandBuffer* command_;
    std::string_view text_;
    ParserOptions options_;
    std::size_t pos_ = 0;
    int depth_ = 0;
    std::optional<ParseError> error_;
};

}  // namespace hermod::imap::proto
