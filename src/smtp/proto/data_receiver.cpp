// data_receiver.cpp - DATA end-of-data detection, dot-unstuffing and smuggling defence
// (RFC 5321 §4.1.1.4, §4.5.2, §2.3.8; CVE-2023-51764 family).
// Security: peer data; constant memory, one pass, never splits a message on anything but
// <CRLF>.<CRLF>.
#include "smtp/proto/data_receiver.hpp"

#include <cstring>
#include <utility>

namespace hermod::smtp::proto {

namespace {
/// The index of the first CR or LF in `in` at or after `from`, or in.size() if there is none.
std::size_t next_line_break(std::string_view in, std::size_t from) {
    const char* begin = in.data() + from;
    const char* end = in.data() + in.size();
    const auto* cr = static_cast<const char*>(std::memchr(begin, '\r', end - begin));
    const char* stop = cr ? cr : end;
    // An LF before that CR (a bare LF) comes first.
    const auto* lf = static_cast<const char*>(std::memchr(begin, '\n', stop - begin));
    return static_cast<std::size_t>((lf ? lf : stop) - in.data());
}
}  // namespace

std::optional<Reply> rejection_reply(DataOutcome outcome) {
    switch (outcome) {
        case DataOutcome::Accepted:
            return std::nullopt;
        case DataOutcome::BareLineEnding:
            return bare_newline();
        case DataOutcome::TooBig:
            return too_big();
        case DataOutcome::TooManyHops:
            return too_many_hops();
        case DataOutcome::LineTooLong:
            return data_line_too_long();
    }
    return temp_failure();
}

DataReceiver::DataReceiver(DataLimits limits, Sink sink)
    : limits_(limits), sink_(std::move(sink)) {}

void DataReceiver::reset() {
    received_.reset();
    state_ = State::LineStart;
    size_ = 0;
    line_len_ = 0;
    bare_cr_ = bare_lf_ = too_big_ = long_line_ = false;
}

DataOutcome DataReceiver::outcome() const {
    if (bare_cr_ || bare_lf_) return DataOutcome::BareLineEnding;
    if (too_big_) return DataOutcome::TooBig;
    if (limits_.max_received != 0 && received_.count() > limits_.max_received)
        return DataOutcome::TooManyHops;
    if (long_line_ && limits_.reject_long_lines) return DataOutcome::LineTooLong;
    return DataOutcome::Accepted;
}

void DataReceiver::emit(std::string_view bytes) {
    if (bytes.empty()) return;
    size_ += bytes.size();
    if (limits_.max_size != 0 && size_ > limits_.max_size) too_big_ = true;
    // The counter sees every octet (cheap: it stops at the body), so received_count() does not
    // depend on how the input was chunked, even for a rejected message.
    if (received_.in_headers()) received_.feed(bytes);
    // Once the message is doomed, stop streaming: the caller discards it anyway.
    if (!rejecting() && sink_) sink_(bytes);
}

// The state machine, per octet c (RFC 5321 §4.5.2 transparency, §2.3.8 line endings):
//   LineStart '.'  -> Dot (withhold)      LineStart other -> as Text
//   Dot '\r'       -> DotCr (withhold)    Dot other       -> dot was stuffing: drop, c as Text
//   DotCr '\n'     -> Done                DotCr other     -> CR was bare: emit "\r", c as Cr
//   Cr '\n'        -> LineStart           Cr other        -> bare CR; c as Text
//   Text '\r'      -> Cr                  Text '\n'       -> bare LF
// Only LineStart is reached through CRLF, so every terminator variant but <CRLF>.<CRLF> is text.
FeedResult DataReceiver::feed(std::string_view in) {
    if (state_ == State::Done) return {FeedStatus::Done, 0};
    const std::size_t n = in.size();
    std::size_t run = 0;  // start of the pending output run in `in`
    auto flush = [&](std::size_t end) {
        if (end > run) emit(in.substr(run, end - run));
        run = end;
    };
    auto count_line = [&](std::size_t octets) {
        line_len_ += octets;
        if (limits_.max_line != 0 && line_len_ > limits_.max_line) long_line_ = true;
    };

    for (std::size_t i = 0; i < n; ++i) {
        const char c = in[i];
        count_line(1);
        switch (state_) {
            case State::LineStart:
                if (c == '.') {
                    flush(i);
                    run = i + 1;  // withhold the dot: stuffing or terminator
                    state_ = State::Dot;
                    continue;
                }
                break;  // handled as Text below
            case State::Dot:
                if (c == '\r') {
                    run = i + 1;  // withhold the CR too
                    state_ = State::DotCr;
                    continue;
                }
                break;  // the dot was stuffing and stays dropped; c is Text
            case State::DotCr:
                if (c == '\n') {
                    state_ = State::Done;
                    return {FeedStatus::Done, i + 1};
                }
                // "\r\n.\r" + not LF: the dot was stuffing, the CR is bare.
                flush(i);
                emit("\r");
                state_ = State::Cr;
                [[fallthrough]];
            case State::Cr:
                if (c == '\n') {
                    state_ = State::LineStart;
                    line_len_ = 0;
                    continue;
                }
                bare_cr_ = true;
                break;
            case State::Text:
            case State::Done:
                break;
        }
        // Text octet.
        if (c == '\r') {
            state_ = State::Cr;
        } else {
            if (c == '\n') bare_lf_ = true;
            state_ = State::Text;
            // Fast path through the rest of an ordinary line: the next CR or LF, found with
            // memchr (vectorised) rather than an octet loop - this is where DATA spends its
            // time on large bodies.
            std::size_t j = next_line_break(in, i + 1);
            count_line(j - i - 1);
            i = j - 1;
        }
    }
    if (state_ != State::Dot && state_ != State::DotCr) flush(n);
    return {FeedStatus::NeedMore, n};
}

}  // namespace hermod::smtp::proto
