// message_encoder.cpp - stored message -> POP3 multi-line body. RFC 1939 §3 (byte-stuffing,
// CRLF "." CRLF terminator), §7 (TOP: header, blank line, n body lines).
// Lines are found with memchr and copied as spans: RETR of a large message is one scan and a
// few appends per 64 KiB chunk, with an extra "." only where a line starts with one.
#include "pop3/proto/message_encoder.hpp"

#include <algorithm>
#include <cstring>

namespace hermod::pop3::proto {

MessageEncoder::MessageEncoder(std::optional<std::uint32_t> body_lines) : body_lines_(body_lines) {}

void MessageEncoder::feed(std::string_view chunk, std::string& out) {
    if (chunk.empty() || done_) return;

    // TOP needs every line end (blank line, line count); RETR only the line starts.
    if (body_lines_) {
        feed_top(chunk, out);
        return;
    }

    out.reserve(out.size() + chunk.size() + 16);
    const char* data = chunk.data();
    const std::size_t size = chunk.size();
    if (at_line_start_ && data[0] == '.') out.push_back('.');
    std::size_t start = 0;  // first octet not yet copied
    std::size_t pos = 0;
    while (const void* hit = std::memchr(data + pos, '\n', size - pos)) {
        std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(hit) - data);
        pos = lf + 1;
        if (pos < size && data[pos] == '.') {
            out.append(data + start, pos - start);
            out.push_back('.');
            start = pos;
        }
        if (pos == size) break;
    }
    out.append(data + start, size - start);

    // A lone-LF chunk ends a CRLF when the previous chunk ended with the CR.
    ended_with_crlf_ = size >= 2 ? (data[size - 2] == '\r' && data[size - 1] == '\n')
                                 : (data[0] == '\n' && after_cr_);
    after_cr_ = data[size - 1] == '\r';
    at_line_start_ = data[size - 1] == '\n';
}

void MessageEncoder::feed_top(std::string_view chunk, std::string& out) {
    // One line (or the part of it in this chunk) per round: TOP must stop right after the
    // LF of its last line and must see each line end to find the blank line.
    while (!chunk.empty() && !done_) {
        if (at_line_start_) {
            if (chunk[0] == '.') out.push_back('.');
            at_line_start_ = false;
            line_octets_ = 0;
        }
        const void* hit = std::memchr(chunk.data(), '\n', chunk.size());
        std::size_t len =
            hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - chunk.data()) + 1
                : chunk.size();
        std::string_view seg = chunk.substr(0, len);
        out.append(seg);

        bool prev_cr = after_cr_;
        ended_with_crlf_ =
            len >= 2 ? (seg[len - 2] == '\r' && seg[len - 1] == '\n') : (seg[0] == '\n' && prev_cr);
        after_cr_ = seg[len - 1] == '\r';
        if (hit) {
            // The line's content is what came before the LF, here and in earlier chunks; it is
            // blank when that is nothing or a lone CR.
            std::size_t content = len - 1;
            std::size_t total = line_octets_ + content;
            bool cr_last = content > 0 ? seg[content - 1] == '\r' : prev_cr;
            at_line_start_ = true;
            end_line(total == 0 || (total == 1 && cr_last));
        } else {
            line_octets_ = static_cast<std::uint8_t>(std::min<std::size_t>(line_octets_ + len, 2));
        }
        chunk.remove_prefix(len);
    }
}

void MessageEncoder::end_line(bool blank) {
    if (!in_body_) {
        // The blank line ends the header and is sent with it (RFC 1939 §7).
        if (blank) {
            in_body_ = true;
            if (*body_lines_ == 0) done_ = true;
        }
        return;
    }
    if (++lines_sent_ >= *body_lines_) done_ = true;
}

bool MessageEncoder::done() const {
    return done_;
}

void MessageEncoder::finish(std::string& out) {
    // RFC 1939 §3: the terminator is CRLF "." CRLF, so an unterminated last line gets its CRLF.
    if (!ended_with_crlf_) out += "\r\n";
    out += ".\r\n";
}

}  // namespace hermod::pop3::proto
