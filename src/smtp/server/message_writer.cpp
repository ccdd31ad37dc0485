// message_writer.cpp - see message_writer.hpp (RFC 5321 §4.4 trace fields, RFC 6409 §8.1-8.3
// Date and Message-ID completion, RFC 5322 §3.3 dates, §3.6.4 Message-ID).
// Security: the header buffer is bounded; field-name matching is anchored at line starts so a
// body line or a folded continuation never counts as a field.
#include "smtp/server/message_writer.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <random>
#include <stdexcept>

namespace hermod::smtp {

std::string rfc5322_date() {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                  tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

std::string random_hex(std::size_t n) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(n, '0');
    for (auto& c : out)
        c = kHex[rng() & 15];
    return out;
}

bool has_header_field(std::string_view header, std::string_view name) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        std::size_t eol = header.find('\n', pos);
        std::string_view line =
            header.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
        if (line.size() > name.size()) {
            bool match = std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            });
            if (match) {
                // RFC 5322 §4.5: obsolete syntax allows white space before the colon.
                std::size_t i = name.size();
                while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
                    ++i;
                if (i < line.size() && line[i] == ':') return true;
            }
        }
        if (eol == std::string_view::npos) break;
        pos = eol + 1;
    }
    return false;
}

MessageWriter::MessageWriter(std::unique_ptr<store::BlobWriter> blob, std::string_view prefix,
                             bool fix_headers, std::string hostname)
    : blob_(std::move(blob)),
      prefix_size_(prefix.size()),
      buffering_(fix_headers),
      hostname_(std::move(hostname)) {
    blob_->write(prefix);
}

void MessageWriter::write(std::string_view bytes) {
    if (bytes.size() >= 2) {
        tail_[0] = bytes[bytes.size() - 2];
        tail_[1] = bytes.back();
    } else if (bytes.size() == 1) {
        tail_[0] = tail_[1];
        tail_[1] = bytes[0];
    }
    if (failed_) return;
    try {
        write_unchecked(bytes);
    } catch (const std::exception&) {
        // Disk full or similar: keep consuming the peer's data (the session must stay in
        // sync) and report a temporary failure from finish().
        failed_ = true;
    }
}

void MessageWriter::write_unchecked(std::string_view bytes) {
    if (!buffering_) {
        blob_->write(bytes);
        return;
    }
    std::size_t old = header_.size();
    header_.append(bytes);
    // An empty first line means no header at all; otherwise the header ends at CRLF CRLF.
    if (header_.starts_with("\r\n")) return end_of_header(true);
    std::size_t from = old >= 3 ? old - 3 : 0;
    if (header_.find("\r\n\r\n", from) != std::string::npos) return end_of_header(true);
    if (header_.size() > kMaxHeaderBuffer) end_of_header(false);
}

void MessageWriter::end_of_header(bool complete) {
    buffering_ = false;
    if (complete) {
        std::size_t end = 0;
        if (!header_.starts_with("\r\n")) {
            std::size_t blank = header_.find("\r\n\r\n");
            end = blank == std::string::npos ? header_.size() : blank + 2;
        }
        std::string_view fields = std::string_view(header_).substr(0, end);
        std::string added;
        if (!has_header_field(fields, "date")) added += "Date: " + rfc5322_date() + "\r\n";
        if (!has_header_field(fields, "message-id"))
            added += "Message-ID: <" + random_hex(24) + "@" + hostname_ + ">\r\n";
        blob_->write(added);
    }
    // Too long a header section: pass it through unchanged rather than buffer without bound.
    blob_->write(header_);
    header_.clear();
    header_.shrink_to_fit();
}

std::shared_ptr<const store::StagedBlob> MessageWriter::finish() {
    if (!(tail_[0] == '\r' && tail_[1] == '\n')) write("\r\n");
    // A message that ends inside its header section (no body) still gets its fields checked.
    if (!failed_ && buffering_) end_of_header(true);
    if (failed_) throw std::runtime_error("message could not be stored");
    return blob_->finish();
}

}  // namespace hermod::smtp
