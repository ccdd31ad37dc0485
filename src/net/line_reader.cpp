// line_reader.cpp - see line_reader.hpp. Every decision depends only on the bytes, never on
// how they were split between feed() calls (checked by the grind tests).
#include "net/line_reader.hpp"

#include <algorithm>
#include <cstring>

namespace hermod::net {

LineReader::LineReader(std::size_t max_line) : max_line_(std::max<std::size_t>(max_line, 2)) {}

void LineReader::set_max_line(std::size_t max_line) {
    max_line_ = std::max<std::size_t>(max_line, 2);
}

void LineReader::compact() {
    // Move the unread tail to the front only when the dead prefix is large, so pipelined
    // input is not copied once per line.
    if (pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
    } else if (pos_ > 4096 && pos_ * 2 > buf_.size()) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
}

void LineReader::feed(std::string_view bytes) {
    compact();
    if (skipping_) {
        auto lf = bytes.find('\n');
        if (lf == std::string_view::npos) return;  // still inside the over-long line
        skipping_ = false;
        bytes.remove_prefix(lf + 1);
    }
    buf_.append(bytes);
}

LineReader::Result LineReader::next() {
    if (skipping_) return {};
    std::string_view rest = buffered();
    auto lf = rest.find('\n', scan_);
    if (lf == std::string_view::npos) {
        // No terminator yet. If the pending bytes already fill the limit, the line, once its
        // LF arrives, will be at least max_line_ + 1 long: refuse it now so the buffer stops
        // growing, and skip the rest as it arrives.
        if (rest.size() >= max_line_) {
            pos_ = buf_.size();
            scan_ = 0;
            skipping_ = true;
            return {Status::TooLong, {}, LineEnding::CrLf};
        }
        scan_ = rest.size();
        return {};
    }
    scan_ = 0;
    std::size_t total = lf + 1;  // with terminator
    pos_ += total;
    if (total > max_line_) return {Status::TooLong, {}, LineEnding::CrLf};
    bool crlf = lf > 0 && rest[lf - 1] == '\r';
    return {Status::Line, rest.substr(0, crlf ? lf - 1 : lf),
            crlf ? LineEnding::CrLf : LineEnding::Lf};
}

void LineReader::consume(std::size_t n) {
    pos_ += std::min(n, buf_.size() - pos_);
    scan_ = 0;
}

std::string LineReader::take_buffered() {
    std::string out(buffered());
    buf_.clear();
    pos_ = scan_ = 0;
    return out;
}

std::size_t LineReader::discard_buffered() {
    std::size_t n = buf_.size() - pos_;
    buf_.clear();
    pos_ = scan_ = 0;
    skipping_ = false;
    return n;
}

}  // namespace hermod::net
