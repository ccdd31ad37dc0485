// assemble.hpp - test helper: runs a whole wire command ("A1 LOGIN {3}\r\nfoo bar") through the
// CommandAssembler, the way a session would, and returns the assembled buffer.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "imap/proto/command_reader.hpp"
#include "imap/proto/parser.hpp"

namespace hermod::imap::proto::test {

struct Assembled {
    CommandBuffer command;
    std::string streamed;  ///< octets of streamed literals, concatenated
    bool complete = false;
};

inline Assembled assemble(std::string_view wire, AssemblyLimits limits = {}) {
    CommandAssembler a(limits);
    Assembled out;
    std::size_t pos = 0;
    while (pos <= wire.size()) {
        std::size_t end = wire.find("\r\n", pos);
        if (end == std::string_view::npos) end = wire.size();
        Step s = a.feed_line(wire.substr(pos, end - pos));
        pos = end + 2;
        if (s.kind == Step::Kind::Complete) {
            out.command = a.command();
            out.complete = true;
            return out;
        }
        if (s.kind == Step::Kind::Reject) return out;
        if (s.kind == Step::Kind::Literal) {
            std::string_view octets = wire.substr(std::min(pos, wire.size()));
            std::size_t n = a.feed_literal(octets);
            if (s.streamed) out.streamed.append(octets.substr(0, n));
            pos += n;
            if (a.literal_remaining() != 0) return out;
        }
    }
    return out;
}

/// A parser positioned after "tag NAME" of an assembled command.
struct Parsed {
    Assembled assembled;
    Parser parser;
    explicit Parsed(std::string_view wire, ParserOptions options = {})
        : assembled(assemble(wire)), parser(assembled.command, options) {
        EXPECT_TRUE(assembled.complete) << wire;
        parser.command_head();
    }
    std::string error() const { return parser.error() ? parser.error()->text : "(no error)"; }
};

}  // namespace hermod::imap::proto::test
