// data_receiver.hpp - incremental receiver for the DATA phase (RFC 5321 §4.1.1.4, §4.5.2).
// Finds the end-of-data marker, removes dot-stuffing and streams the message to a sink without
// ever holding a line or the message in memory.
// Security: SMTP smuggling (CVE-2023-51764/51765/51766 family). Only <CRLF>.<CRLF> ends the
// data; "\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r", "\r\n.\n" never do, and any bare CR or LF marks
// the message for rejection while the receiver keeps consuming to the real terminator so the
// session stays in sync. Oversized messages are likewise consumed and discarded.
#pragma once

#include <cstdint>
#include <optional>

#include "smtp/proto/message_stream.hpp"
#include "smtp/proto/reply.hpp"

namespace hermod::smtp::proto {

struct DataLimits {
    /// Largest accepted message in octets after unstuffing (RFC 1870); 0 = no limit.
    std::uint64_t max_size = 0;
    /// Text-line ceiling including CRLF (RFC 5321 §4.5.3.1.6); 0 = no check.
    std::size_t max_line = 1000;
    /// Reject (not only report) messages with over-long lines. Off by default: real-world
    /// senders exceed 1000 octets and Postfix accepts them.
    bool reject_long_lines = false;
    /// More Received: fields than this means a loop (RFC 5321 §6.3); 0 = no check.
    std::size_t max_received = kDefaultMaxReceived;
};

/// Verdict once the terminator has been seen, in order of precedence.
enum class DataOutcome : std::uint8_t {
    Accepted,
    BareLineEnding,  ///< bare CR or LF somewhere in the data -> bare_newline() 550 5.6.0
    TooBig,          ///< over max_size -> too_big() 552 5.3.4
    TooManyHops,     ///< over max_received -> too_many_hops() 554 5.4.6
    LineTooLong,     ///< only with reject_long_lines -> data_line_too_long() 550 5.6.0
};

/// The reply for a rejected outcome; nullopt for Accepted (the session answers with the queue
/// id once the message is stored).
std::optional<Reply> rejection_reply(DataOutcome outcome);

class DataReceiver {
  public:
    /// `sink` receives the unstuffed message in chunks (may be empty to only count). Once the
    /// message is known to be rejected the sink receives nothing more; the caller must discard
    /// what it got when the outcome is not Accepted.
    DataReceiver(DataLimits limits, Sink sink);

    /// Consumes input. Returns Done with `consumed` <= input.size() once <CRLF>.<CRLF> is seen
    /// (bytes after it are the next command's); NeedMore with consumed == input.size() otherwise.
    /// After Done, feed() consumes nothing until reset().
    FeedResult feed(std::string_view input);

    bool done() const { return state_ == State::Done; }
    /// Valid once done(); before that it reflects what has been seen so far.
    DataOutcome outcome() const;

    std::uint64_t size() const { return size_; }  ///< message octets seen (also past max_size)
    std::size_t received_count() const { return received_.count(); }
    bool saw_bare_cr() const { return bare_cr_; }
    bool saw_bare_lf() const { return bare_lf_; }
    bool saw_long_line() const { return long_line_; }

    /// Ready for the next message (same limits and sink).
    void reset();

  private:
    // LineStart: just after CRLF (or at the start, right after the 354 reply).
    // Dot: "." seen at line start (withheld). DotCr: ".\r" at line start (both withheld).
    // Cr: a CR was emitted and may still become CRLF.
    enum class State : std::uint8_t { LineStart, Text, Cr, Dot, DotCr, Done };

    void emit(std::string_view bytes);
    bool rejecting() const { return bare_cr_ || bare_lf_ || too_big_; }

    DataLimits limits_;
    Sink sink_;
    ReceivedCounter received_;
    State state_ = State::LineStart;
    std::uint64_t size_ = 0;
    std::size_t line_len_ = 0;
    bool bare_cr_ = false;
    bool bare_lf_ = false;
    bool too_big_ = false;
    bool long_line_ = false;
};

}  // namespace hermod::smtp::proto
