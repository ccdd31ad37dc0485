// command_reader.hpp - assembles one IMAP command from CRLF-stripped lines and literal octets
// (RFC 9051 §2.2.1, §4.3, §7.5 continuation; RFC 7888 LITERAL+ / LITERAL-; RFC 3516 §4.1
// literal8 "~{n}"), enforcing the command and literal size limits.
//
// Driving it (the session, per connection):
//
//   for (;;) {
//     read a line from the LineReader (max_line = limits.imap_line_length):
//       TooLong  -> step = a.line_too_long()
//       Line     -> step = a.feed_line(text)
//     switch (step.kind) {
//       NeedLine: continue;                       // read the next line
//       Literal:                                  // `step.size` octets follow
//         if (step.send_continuation) write(continuation("Ready"));
//         until a.literal_remaining() == 0:
//           n = a.feed_literal(bytes);            // consumes <= literal_remaining()
//           if (step.streamed) blob.write(bytes.substr(0, n));   // APPEND message
//         continue;                               // the rest of the line comes next
//       Complete: Parser p(a.command(), opts); dispatch; continue;
//       Reject: write(step.error->response());
//               if (step.error->recovery == Recovery::Close) close the connection;
//               // Discard: `step.size` octets of the rejected literal follow; feed them to
//               // feed_literal() (they are dropped, no "+"), then keep reading lines: the rest
//               // of the rejected command comes as NeedLine / Literal steps with `discard` set.
//               continue;
//     }
//   }
//
// APPEND (RFC 9051 §6.3.12) message literals are streamed: the assembler recognises them (the
// literal after "APPEND mailbox [flags] [date-time]", also the MULTIAPPEND and UTF8 (~{n})
// forms) and marks the step `streamed`; their octets never enter the command buffer and do not
// count against max_command, only against max_literal each.
// Security: pre-authentication peer input. Memory per connection is bounded by max_command;
// a rejected non-synchronizing literal is counted out octet by octet (never buffered) or, past
// max_discard, the connection is closed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "imap/proto/command_buffer.hpp"
#include "imap/proto/parser.hpp"

namespace hermod::imap::proto {

/// Largest command (lines + buffered literals) accepted, the LineReader's bound too.
inline constexpr std::size_t kDefaultMaxCommand = 64 * 1024;
/// limits.imap_literal_size default.
inline constexpr std::uint64_t kDefaultMaxLiteral = 50ull << 20;
/// LITERAL-: non-synchronizing literals of at most 4096 octets (RFC 7888 §4).
inline constexpr std::uint64_t kLiteralMinusMax = 4096;

struct AssemblyLimits {
    std::size_t max_command = kDefaultMaxCommand;    ///< lines + non-streamed literals
    std::uint64_t max_literal = kDefaultMaxLiteral;  ///< any single literal, streamed or not
    /// Non-synchronizing literals: UINT64_MAX with LITERAL+, kLiteralMinusMax with LITERAL-.
    std::uint64_t max_nonsync_literal = UINT64_MAX;
    /// A rejected non-synchronizing literal up to this size is read and dropped; a larger one
    /// closes the connection (RFC 7888 §4 allows either).
    std::uint64_t max_discard = kDefaultMaxLiteral;
    /// Stream APPEND message literals to the caller instead of buffering them.
    bool stream_append = true;
    /// Parser options used to recognise APPEND message literals (UTF-8 mailbox names).
    ParserOptions parser;
};

enum class Recovery : std::uint8_t {
    None,     ///< the command is over; the next line is a new command
    Discard,  ///< the client sends more of the rejected command; the assembler drops it
    Close,    ///< send response() (it ends with "* BYE") and close the connection
};

struct AssemblyError {
    enum class Kind : std::uint8_t {
        LineTooLong,     ///< a line exceeded the LineReader's limit (its rest is lost)
        CommandTooLong,  ///< lines + literals past max_command
        LiteralTooBig,   ///< a literal past max_literal
        NonSyncTooBig,   ///< LITERAL-: a non-synchronizing literal past 4096 (RFC 7888 §4)
    };
    Kind kind = Kind::CommandTooLong;
    std::string tag;  ///< "*" when the command's tag is unknown or invalid
    Recovery recovery = Recovery::None;
    bool sync = true;  ///< the offending literal was synchronizing (or there was none)

    /// The complete response, CRLF-terminated: "tag NO [TOOBIG] ..." for a refused
    /// synchronizing literal (RFC 9051 §7.1 TOOBIG, the client sends nothing more),
    /// "tag BAD [TOOBIG] ..." otherwise (RFC 7888 §4), followed by "* BYE ..." for Close.
    std::string response() const;
};

struct Step {
    enum class Kind : std::uint8_t { NeedLine, Literal, Complete, Reject };
    Kind kind = Kind::NeedLine;
    // Literal:
    std::uint64_t size = 0;          ///< octets that follow (also for Reject + Discard)
    bool send_continuation = false;  ///< synchronizing: send "+ ..." first (RFC 9051 §7.5)
    bool streamed = false;           ///< the octets are the caller's (APPEND message)
    bool binary = false;             ///< literal8
    bool discard = false;            ///< octets of a rejected command: feed them, they are dropped
    std::size_t literal_index = 0;   ///< into command().literals
    // Reject:
    std::optional<AssemblyError> error;
};

class CommandAssembler {
  public:
    explicit CommandAssembler(AssemblyLimits limits = {});

    /// One line, CRLF removed. Blank lines between commands are ignored (NeedLine).
    Step feed_line(std::string_view line);
    /// The LineReader reported TooLong: the line's content (and any literal header at its end)
    /// is lost, so the connection cannot be kept in sync: Reject with Recovery::Close.
    Step line_too_long();
    /// Literal octets: consumes up to literal_remaining() of `bytes` and returns how many.
    std::size_t feed_literal(std::string_view bytes);
    std::uint64_t literal_remaining() const { return literal_remaining_; }

    /// The complete command after Step::Complete, valid until the next feed_line(). During a
    /// Literal step, the command so far (up to the literal's header and CRLF).
    const CommandBuffer& command() const { return buf_; }
    /// The tag of the command being assembled ("*" if none yet or invalid).
    std::string_view tag() const { return tag_.empty() ? std::string_view("*") : tag_; }
    /// True between commands (nothing partial buffered, nothing being discarded).
    bool idle() const { return state_ == State::Idle; }

    const AssemblyLimits& limits() const { return limits_; }
    void set_parser_options(ParserOptions options) { limits_.parser = options; }

  private:
    enum class State : std::uint8_t { Idle, Continuation, Literal, DiscardLiteral, DiscardLines };
    Step reject(AssemblyError::Kind kind, bool sync, std::uint64_t pending_octets);
    Step discard_line(std::string_view line);

    AssemblyLimits limits_;
    CommandBuffer buf_;
    std::string tag_;
    State state_ = State::Idle;
    std::uint64_t literal_remaining_ = 0;
    bool literal_streamed_ = false;
};

/// Detects a literal header ending `line` (RFC 9051 literal / literal8, RFC 7888 "+").
struct LiteralHeader {
    std::size_t pos = 0;     ///< offset of "{" or "~"
    std::uint64_t size = 0;  ///< UINT64_MAX when the number overflows
    bool nonsync = false;
    bool binary = false;
};
std::optional<LiteralHeader> literal_header_at_end(std::string_view line);

}  // namespace hermod::imap::proto
