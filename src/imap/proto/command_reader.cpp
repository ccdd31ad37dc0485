// command_reader.cpp - command assembly with literals (RFC 9051 §4.3, §7.5; RFC 7888 §3-4;
// RFC 3516 §4.1).
#include "imap/proto/command_reader.hpp"

#include <algorithm>
#include <cstring>

#include "imap/proto/arguments.hpp"
#include "imap/proto/encoder.hpp"

namespace hermod::imap::proto {

namespace {

// The tag of a command's first line, if it has a well-formed one: followed by SP, or alone on
// the line ("a1" with no command is answered "a1 BAD", RFC 9051 §7.1.3: the command is known).
std::string first_line_tag(std::string_view line) {
    CommandBuffer tmp;
    tmp.text.assign(line.substr(0, std::min<std::size_t>(line.size(), kMaxTag + 1)));
    Parser p(tmp);
    auto t = p.tag();
    if (!t || !(p.peek(' ') || (p.at_end() && line.size() <= kMaxTag))) return {};
    return std::string(*t);
}

}  // namespace

std::optional<LiteralHeader> literal_header_at_end(std::string_view line) {
    if (line.empty() || line.back() != '}') return std::nullopt;
    std::size_t i = line.size() - 1;  // at '}'
    LiteralHeader h;
    if (i > 0 && line[i - 1] == '+') {
        h.nonsync = true;
        --i;
    }
    std::size_t digits_end = i;
    while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9')
        --i;
    if (i == digits_end || i == 0 || line[i - 1] != '{') return std::nullopt;
    std::string_view digits = line.substr(i, digits_end - i);
    h.pos = i - 1;
    if (h.pos > 0 && line[h.pos - 1] == '~') {
        h.binary = true;
        --h.pos;
    }
    for (char c : digits) {
        auto d = static_cast<std::uint64_t>(c - '0');
        if (h.size > (0x7FFFFFFFFFFFFFFFull - d) / 10) {  // number64 (RFC 9051 §9)
            h.size = UINT64_MAX;
            break;
        }
        h.size = h.size * 10 + d;
    }
    return h;
}

std::string AssemblyError::response() const {
    std::string_view what;
    switch (kind) {
        case Kind::LineTooLong:
            what = "Command line too long";
            break;
        case Kind::CommandTooLong:
            what = "Command too long";
            break;
        case Kind::LiteralTooBig:
            what = "Literal too big";
            break;
        case Kind::NonSyncTooBig:
            what = "Non-synchronizing literals are limited to 4096 octets (LITERAL-)";
            break;
    }
    std::string out;
    ResponseCode code{Code::TooBig, {}};
    if (kind == Kind::LineTooLong)
        out = untagged(Status::Bad, what, code);
    else
        out = tagged(tag.empty() ? "*" : tag, sync ? Status::No : Status::Bad, what, code);
    if (recovery == Recovery::Close) out += untagged(Status::Bye, "Too much data, closing");
    return out;
}

CommandAssembler::CommandAssembler(AssemblyLimits limits) : limits_(limits) {}

Step CommandAssembler::reject(AssemblyError::Kind kind, bool sync, std::uint64_t pending) {
    Step s;
    s.kind = Step::Kind::Reject;
    AssemblyError e;
    e.kind = kind;
    e.tag = std::string(tag());
    e.sync = sync;
    buf_.clear();
    tag_.clear();
    if (kind == AssemblyError::Kind::LineTooLong) {
        e.recovery = Recovery::Close;
        state_ = State::Idle;
    } else if (sync) {
        e.recovery = Recovery::None;  // the client sends no octets and abandons the command
        state_ = State::Idle;
    } else if (pending > limits_.max_discard) {
        e.recovery = Recovery::Close;
        state_ = State::Idle;
    } else {
        e.recovery = Recovery::Discard;
        state_ = pending == 0 ? State::DiscardLines : State::DiscardLiteral;
        literal_remaining_ = pending;
        s.size = pending;
        s.discard = true;
    }
    s.error = std::move(e);
    return s;
}

Step CommandAssembler::line_too_long() {
    return reject(AssemblyError::Kind::LineTooLong, true, 0);
}

Step CommandAssembler::discard_line(std::string_view line) {
    auto h = literal_header_at_end(line);
    if (!h || !h->nonsync) {  // the rejected command ends here (a sync literal is never sent)
        state_ = State::Idle;
        return {};
    }
    if (h->size > limits_.max_discard) {
        state_ = State::Idle;
        Step s;
        s.kind = Step::Kind::Reject;
        AssemblyError e;
        e.kind = AssemblyError::Kind::LiteralTooBig;
        e.tag = "*";
        e.sync = false;
        e.recovery = Recovery::Close;
        s.error = std::move(e);
        return s;
    }
    state_ = State::DiscardLiteral;
    literal_remaining_ = h->size;
    Step s;
    s.kind = Step::Kind::Literal;
    s.size = h->size;
    s.discard = true;
    s.binary = h->binary;
    if (h->size == 0) state_ = State::DiscardLines;
    return s;
}

Step CommandAssembler::feed_line(std::string_view line) {
    switch (state_) {
        case State::Literal:
        case State::DiscardLiteral:
            // Precondition violated (octets still owed); treat the line as lost data.
            return line_too_long();
        case State::DiscardLines:
            return discard_line(line);
        case State::Idle:
            if (line.empty()) return {};
            buf_.clear();
            tag_ = first_line_tag(line);
            break;
        case State::Continuation:
            break;
    }
    state_ = State::Continuation;
    auto h = literal_header_at_end(line);
    if (buf_.text.size() + line.size() > limits_.max_command) {
        bool sync = !h || !h->nonsync;
        return reject(AssemblyError::Kind::CommandTooLong, sync, sync ? 0 : h->size);
    }
    buf_.text.append(line);
    if (!h) {
        state_ = State::Idle;
        Step s;
        s.kind = Step::Kind::Complete;
        return s;
    }
    // A literal follows: record it; its octets come next.
    if (h->size > limits_.max_literal)
        return reject(AssemblyError::Kind::LiteralTooBig, !h->nonsync, h->size);
    if (h->nonsync && h->size > limits_.max_nonsync_literal)
        return reject(AssemblyError::Kind::NonSyncTooBig, false, h->size);
    std::size_t header = buf_.text.size() - (line.size() - h->pos);
    buf_.text.append("\r\n");
    LiteralSpan span;
    span.header = header;
    span.data = buf_.text.size();
    span.size = h->size;
    span.binary = h->binary;
    span.nonsync = h->nonsync;
    span.streamed = true;  // tentatively, so the APPEND check can parse up to it
    buf_.literals.push_back(span);
    bool stream = limits_.stream_append &&
                  append_literal_is_message(buf_, buf_.literals.size() - 1, limits_.parser);
    buf_.literals.back().streamed = stream;
    if (!stream && buf_.text.size() + h->size > limits_.max_command)
        return reject(AssemblyError::Kind::CommandTooLong, !h->nonsync, h->size);
    if (!stream) buf_.text.reserve(buf_.text.size() + static_cast<std::size_t>(h->size));
    literal_remaining_ = h->size;
    literal_streamed_ = stream;
    state_ = h->size == 0 ? State::Continuation : State::Literal;
    Step s;
    s.kind = Step::Kind::Literal;
    s.size = h->size;
    s.send_continuation = !h->nonsync;
    s.streamed = stream;
    s.binary = h->binary;
    s.literal_index = buf_.literals.size() - 1;
    return s;
}

std::size_t CommandAssembler::feed_literal(std::string_view bytes) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), literal_remaining_));
    if (n == 0) return 0;
    std::string_view chunk = bytes.substr(0, n);
    literal_remaining_ -= n;
    if (state_ == State::DiscardLiteral) {
        if (literal_remaining_ == 0) state_ = State::DiscardLines;
        return n;
    }
    if (state_ != State::Literal) return 0;
    LiteralSpan& span = buf_.literals.back();
    if (!span.has_nul && std::memchr(chunk.data(), 0, chunk.size()) != nullptr) span.has_nul = true;
    if (!literal_streamed_) buf_.text.append(chunk);
    if (literal_remaining_ == 0) state_ = State::Continuation;
    return n;
}

}  // namespace hermod::imap::proto
