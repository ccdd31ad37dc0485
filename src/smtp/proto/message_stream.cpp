// message_stream.cpp - Received: header counter (RFC 5321 §6.3) shared by DATA and BDAT.
// Security: byte-at-a-time state machine over peer data; constant memory.
#include "smtp/proto/message_stream.hpp"

namespace hermod::smtp::proto {

namespace {
constexpr std::string_view kReceived = "received";
}

void ReceivedCounter::feed(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (state_ == State::Body) return;
        char c = bytes[i];
        char lc = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        switch (state_) {
            case State::LineStart:
                // An empty line (CRLF, or LF alone) ends the header section (RFC 5322 §2.1).
                if (c == '\n') {
                    state_ = State::Body;
                } else if (c == '\r') {
                    state_ = State::EmptyCr;
                } else if (lc == kReceived[0]) {
                    matched_ = 1;
                    state_ = State::Matching;
                } else {
                    state_ = State::SkipLine;
                }
                break;
            case State::EmptyCr:
                state_ = c == '\n' ? State::Body : State::SkipLine;
                break;
            case State::Matching:
                if (lc == kReceived[matched_]) {
                    if (++matched_ == kReceived.size()) state_ = State::AfterName;
                } else {
                    state_ = c == '\n' ? State::LineStart : State::SkipLine;
                }
                break;
            case State::AfterName:
                // field-name ":" ; obs-optional allows WSP before the colon (RFC 5322 §4.5).
                if (c == ':') {
                    ++count_;
                    state_ = State::SkipLine;
                } else if (c == '\n') {
                    state_ = State::LineStart;
                } else if (c != ' ' && c != '\t') {
                    state_ = State::SkipLine;  // "Received-SPF:" and friends
                }
                break;
            case State::SkipLine: {
                // Fast path: jump to the end of the line.
                auto nl = bytes.find('\n', i);
                if (nl == std::string_view::npos) return;
                i = nl;
                state_ = State::LineStart;
                break;
            }
            case State::Body:
                return;
        }
    }
}

}  // namespace hermod::smtp::proto
