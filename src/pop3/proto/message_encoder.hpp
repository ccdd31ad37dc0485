// message_encoder.hpp - a stored message as a POP3 multi-line response body (RFC 1939 §3):
// lines starting with "." are byte-stuffed, the body ends with CRLF "." CRLF, and TOP n sends
// the header, the blank line and the first n lines of the body (RFC 1939 §7). Incremental: a
// message of any size goes through in chunks, so RETR of 50 MiB never holds it in memory.
// Pure, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hermod::pop3::proto {

class MessageEncoder {
  public:
    /// `body_lines`: nullopt = the whole message (RETR); n = TOP's n.
    explicit MessageEncoder(std::optional<std::uint32_t> body_lines = std::nullopt);

    /// Appends the wire form of the next chunk of the stored message to `out`. The stored
    /// message is CRLF text (the store guarantees it, see docs/pop3.md). Chunks may split lines
    /// and CRLFs anywhere.
    void feed(std::string_view chunk, std::string& out);
    /// True once TOP has sent all it will (the caller may stop reading the blob).
    bool done() const;
    /// Appends the end: a CRLF if the message did not end with one, then ".\r\n".
    void finish(std::string& out);

  private:
    void feed_top(std::string_view chunk, std::string& out);
    void end_line(bool blank);

    std::optional<std::uint32_t> body_lines_;
    bool at_line_start_ = true;
    bool after_cr_ = false;         ///< the last octet sent was CR
    bool in_body_ = false;          ///< past the blank line ending the header
    std::uint8_t line_octets_ = 0;  ///< octets of the current line so far, capped at 2 (TOP)
    std::uint32_t lines_sent_ = 0;  ///< body lines completed (TOP)
    bool done_ = false;
    bool ended_with_crlf_ = true;  ///< what was sent so far ends with CRLF (or nothing sent)
};

}  // namespace hermod::pop3::proto
