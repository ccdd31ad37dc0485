// fuzz_pop3_command.cpp - the POP3 command parser and number parser are total on any bytes,
// and the message encoder's output, unstuffed, is the message (RETR) or the right prefix of it
// (TOP) however the message is split into chunks (RFC 1939 §3, §7).
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "pop3/proto/command.hpp"
#include "pop3/proto/message_encoder.hpp"

using namespace hermod::pop3::proto;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void one_line(std::string_view line) {
    ParseResult r = parse_command(line);
    if (!r.command) {
        // Error texts are fixed: never empty, never peer bytes (a PASS must not leak).
        check(!r.error.empty() && r.error.size() < 80);
        check(r.error.find_first_of("\r\n") == std::string::npos);
        return;
    }
    const Command& c = *r.command;
    check(c.verb != Verb::Unknown && r.error.empty());
    check(c.args.size() <= 2);
    if (c.verb == Verb::Pass) {
        check(c.args.size() == 1 && !c.args[0].empty());
        check(line.size() == 5 + c.args[0].size());
        return;
    }
    check(line.size() + 2 <= kMaxCommandLine || c.verb == Verb::Auth);
    for (std::size_t i = 0; i < c.args.size(); ++i) {
        const std::string& a = c.args[i];
        check(!a.empty() && a.find_first_of(std::string_view(" \r\n\0", 4)) == std::string::npos);
        check(a.size() <= kMaxArgument || (c.verb == Verb::Auth && i == 1));
        // Numbers: accepted ones print back to the same digits (less leading zeros).
        if (auto n = parse_number(a)) {
            auto digits = a.find_first_not_of('0');
            std::string canon = digits == std::string::npos ? "0" : a.substr(digits);
            check(std::to_string(*n) == canon);
        }
    }
}

// Deterministic chunk sizes drawn from the input, so splits land everywhere, including
// between CR and LF and right after a line-start ".".
struct Chunker {
    std::uint32_t state;
    std::size_t next() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return 1 + state % (state & 0x100 ? 4096 : 7);
    }
};

std::string encode(std::string_view msg, std::optional<std::uint32_t> lines, std::uint32_t seed,
                   bool& done) {
    MessageEncoder enc(lines);
    Chunker ch{seed | 1};
    std::string out;
    for (std::size_t i = 0; i < msg.size();) {
        std::size_t n = seed == 0 ? msg.size() : ch.next();
        enc.feed(msg.substr(i, n), out);
        i += n;
    }
    done = enc.done();
    enc.finish(out);
    return out;
}

// Strips the terminator and the byte-stuffing; every line starting with "." must be stuffed
// (else a client would see an early end).
std::string unstuff(const std::string& wire) {
    check(wire.size() >= 3 && wire.compare(wire.size() - 3, 3, ".\r\n") == 0);
    std::string_view body(wire.data(), wire.size() - 3);
    check(body.empty() || (body.size() >= 2 && body.substr(body.size() - 2) == "\r\n"));
    std::string out;
    std::size_t start = 0;
    while (start < body.size()) {
        auto lf = body.find('\n', start);
        std::size_t end = lf == std::string_view::npos ? body.size() : lf + 1;
        std::string_view line = body.substr(start, end - start);
        if (!line.empty() && line[0] == '.') {
            check(line.size() >= 2 && line[1] == '.');
            line.remove_prefix(1);
        }
        out.append(line);
        start = end;
    }
    return out;
}

bool ends_crlf(std::string_view s) {
    return s.size() >= 2 && s.substr(s.size() - 2) == "\r\n";
}

// Reference TOP: how much of `msg` is sent, and whether the limit was reached.
std::size_t top_length(std::string_view msg, std::uint32_t n, bool& reached) {
    bool in_body = false;
    std::uint32_t lines = 0;
    std::size_t start = 0;
    reached = false;
    while (start < msg.size()) {
        auto lf = msg.find('\n', start);
        if (lf == std::string_view::npos) return msg.size();
        std::string_view content = msg.substr(start, lf - start);
        start = lf + 1;
        if (!in_body) {
            if (content.empty() || content == "\r") {
                in_body = true;
                if (n == 0) reached = true;
            }
        } else if (++lines >= n) {
            reached = true;
        }
        if (reached) return start;
    }
    return msg.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);

    // Each CRLF-separated line is a command; the whole input is one too (embedded CR/LF).
    one_line(text);
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find("\r\n", start);
        if (end == std::string_view::npos) end = text.size();
        one_line(text.substr(start, end - start));
        start = end + 2;
    }
    if (auto n = parse_number(text)) check(text.size() <= 10 && std::to_string(*n).size() <= 10);

    // RETR: unstuffed output is the message plus a CRLF if it lacked one, for any chunking.
    std::uint32_t seed = static_cast<std::uint32_t>(size) * 2654435761u;
    for (std::size_t i = 0; i < size && i < 8; ++i)
        seed = seed * 31 + data[i];
    std::string expected(text);
    if (!text.empty() && !ends_crlf(text)) expected += "\r\n";
    bool done = false;
    std::string whole = encode(text, std::nullopt, 0, done);
    check(!done);
    check(unstuff(whole) == expected);
    check(encode(text, std::nullopt, seed, done) == whole);
    check(encode(text, std::nullopt, seed + 1, done) == whole);

    // TOP n: the header, blank line and n body lines, each a prefix of the next.
    std::string previous;  // unstuffed TOP output for a smaller n
    std::uint32_t previous_n = 0;
    for (std::uint32_t n : {0u, 1u, 2u, size > 0 ? data[0] % 16u : 3u, 4294967295u}) {
        bool reached = false;
        std::string_view sent = text.substr(0, top_length(text, n, reached));
        std::string want(sent);
        if (!sent.empty() && !ends_crlf(sent)) want += "\r\n";
        std::string wire = encode(text, n, 0, done);
        check(done == reached);
        check(unstuff(wire) == want);
        check(encode(text, n, seed ^ n, done) == wire && done == reached);
        // Sent octets only grow with n (the CRLF finish() may add aside).
        if (n >= previous_n) {
            check(sent.size() >= previous.size() &&
                  sent.compare(0, previous.size(), previous) == 0);
            previous = std::string(sent);
            previous_n = n;
        }
        if (n == 4294967295u) check(wire == whole || reached);
    }
    return 0;
}
