// message_writer.hpp - streams a received message into a store blob: the trace prefix
// (Return-Path, Received; RFC 5321 §4.4) first, then the message. On submission (RFC 6409 §8)
// it adds Date and Message-ID when the client left them out, buffering only the header
// section (bounded) to decide.
// Security: never holds the body in memory; the header buffer is capped (kMaxHeaderBuffer),
// past which the message passes through unchanged.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/blob.hpp"

namespace hermod::smtp {

inline constexpr std::size_t kMaxHeaderBuffer = 64 * 1024;

class MessageWriter {
  public:
    /// `prefix` is written first. When `fix_headers` is set, missing Date/Message-ID fields
    /// are added (Message-ID right-hand side `hostname`).
    MessageWriter(std::unique_ptr<store::BlobWriter> blob, std::string_view prefix,
                  bool fix_headers, std::string hostname);
    /// Never throws: a storage error is remembered and reported by finish().
    void write(std::string_view bytes);
    /// Ends the message with CRLF if its last line had none (a BDAT body may end anywhere,
    /// RFC 3030 §2): stored messages are CRLF text, so POP3 sizes and IMAP line counts are
    /// exact without rescanning. Throws when the blob could not be written.
    std::shared_ptr<const store::StagedBlob> finish();
    std::size_t prefix_size() const { return prefix_size_; }
    /// Octets handed to the blob so far (a buffered header section is not counted yet).
    std::uint64_t size() const { return blob_->size(); }

  private:
    void write_unchecked(std::string_view bytes);
    void end_of_header(bool complete);

    std::unique_ptr<store::BlobWriter> blob_;
    std::size_t prefix_size_ = 0;
    bool buffering_;
    std::string hostname_;
    std::string header_;
    bool failed_ = false;
    char tail_[2] = {'\r', '\n'};  ///< the last two octets of the content (CRLF when empty)
};

/// RFC 5322 §3.3 date-time in UTC, e.g. "Mon, 23 Nov 2026 11:17:09 +0000".
std::string rfc5322_date();
/// `n` random lower-case hex digits (queue ids, Message-IDs).
std::string random_hex(std::size_t n);
/// True when the header section `header` has a field `name` (case-insensitive, e.g. "date").
bool has_header_field(std::string_view header, std::string_view name);

}  // namespace hermod::smtp
