// line_reader.hpp - a bounded, incremental line reader for text protocols (SMTP, IMAP, POP3).
//
// Pure: no sockets, no Asio. Bytes are fed as they arrive; complete lines come out as views into
// the reader's buffer. Security: a line never makes the buffer grow past the limit (an
// over-long line is reported once as TooLong and the rest of it is skipped up to the next LF), and
// each line says whether it ended in CRLF or a bare LF so SMTP can refuse bare-LF smuggling
// (RFC 5321 §2.3.8, "SMTP smuggling", CVE-2023-51766 family). discard_buffered() drops input
// pipelined before a STARTTLS (RFC 3207 §4, CVE-2011-0411 family).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace hermod::net {

/// How a line was terminated.
enum class LineEnding { CrLf, Lf };

class LineReader {
  public:
    enum class Status {
        Line,      ///< `text` and `ending` hold one complete line
        NeedMore,  ///< no complete line buffered; feed more bytes
        TooLong,   ///< a line exceeded the limit; it is being skipped up to its LF
    };
    struct Result {
        Status status = Status::NeedMore;
        std::string_view text;  ///< the line without its terminator (Status::Line only)
        LineEnding ending = LineEnding::CrLf;
    };

    /// `max_line` is the longest accepted line *including* its terminator, as RFC 5321
    /// §4.5.3.1.4 counts it (512 for SMTP commands). Must be at least 2.
    explicit LineReader(std::size_t max_line);

    /// Appends bytes. Views returned by next() stay valid until the next feed() or
    /// take/discard call. While an over-long line is being skipped, its bytes are dropped here
    /// and never buffered.
    void feed(std::string_view bytes);
    void feed(std::span<const std::byte> bytes) {
        feed(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }

    /// The next complete line, NeedMore, or TooLong (reported once per over-long line).
    /// The result is the same however the input was split between feed() calls.
    Result next();

    /// Raw bytes buffered after the last line returned (for DATA bodies and IMAP literals,
    /// which have their own receivers).
    std::string_view buffered() const { return std::string_view(buf_).substr(pos_); }
    /// Drops the first `n` buffered bytes (n <= buffered().size()).
    void consume(std::size_t n);
    /// Returns and removes all buffered bytes.
    std::string take_buffered();
    /// Throws away everything buffered and any pending skip, e.g. plaintext pipelined after
    /// STARTTLS, which must never be read as if it came over TLS. Returns the bytes dropped.
    std::size_t discard_buffered();

    std::size_t max_line() const { return max_line_; }
    /// Changes the limit for lines not yet returned (e.g. SMTP command vs. text line).
    void set_max_line(std::size_t max_line);

  private:
    void compact();

    std::string buf_;
    std::size_t pos_ = 0;   // start of the unread part of buf_
    std::size_t scan_ = 0;  // bytes after pos_ already known to hold no LF
    std::size_t max_line_;
    bool skipping_ = false;  // dropping the tail of an over-long line up to its LF
};

}  // namespace hermod::net
