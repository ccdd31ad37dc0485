// command_buffer.hpp - one assembled IMAP command: its text in wire form and the table of the
// literals in it (RFC 9051 §4.3 literal, RFC 7888 non-synchronizing literal, RFC 3516 literal8).
// Built by CommandAssembler, read by Parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hermod::imap::proto {

/// Where one literal sits in CommandBuffer::text.
struct LiteralSpan {
    std::size_t header = 0;  ///< offset of its "{" (or the "~" of literal8)
    std::size_t data = 0;    ///< offset of its first octet (after "}" CRLF)
    std::uint64_t size = 0;  ///< announced (and received) octets
    bool binary = false;     ///< literal8 "~{n}" (RFC 3516 §4.1)
    bool nonsync = false;    ///< "{n+}" (RFC 7888)
    bool streamed = false;   ///< octets went to the caller (APPEND message), not into text
    bool has_nul = false;    ///< a NUL octet was seen (only legal in literal8)
};

/// A literal read by the parser.
struct LiteralRef {
    std::size_t index = 0;  ///< into CommandBuffer::literals (0 = first literal of the command)
    std::uint64_t size = 0;
    bool binary = false;
    bool streamed = false;
    bool has_nul = false;   ///< a NUL octet was seen (streamed literals too)
    std::string_view data;  ///< the octets unless streamed
};

struct CommandBuffer {
    /// The command without its final CRLF. Each literal appears as on the wire: its header
    /// ("{5}", "{5+}", "~{5}"), CRLF, then its octets - except a streamed literal, whose octets
    /// are absent (the text goes on with the line that followed it).
    std::string text;
    std::vector<LiteralSpan> literals;  ///< in text order

    void clear() {
        text.clear();
        literals.clear();
    }
};

}  // namespace hermod::imap::proto
