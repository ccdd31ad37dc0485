// command.cpp - POP3 command-line parser. RFC 1939 §3 (keywords, single-space separated
// arguments), §7 (PASS may keep spaces), RFC 2449 §4 (line and argument lengths), RFC 5034 §4
// (AUTH with optional initial response).
// Security: pre-authentication peer input; total and bounded (one pass over the line). Error
// texts are fixed strings, so nothing the peer sent (least of all a password) is echoed.
#include "pop3/proto/command.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "common/ascii.hpp"

namespace hermod::pop3::proto {

namespace {

struct VerbEntry {
    std::string_view name;
    Verb verb;
    std::uint8_t min_args;
    std::uint8_t max_args;
};

constexpr std::array<VerbEntry, 15> kVerbs{{
    {"USER", Verb::User, 1, 1},
    {"PASS", Verb::Pass, 1, 1},  // the rest of the line, see parse_command
    {"APOP", Verb::Apop, 2, 2},
    {"AUTH", Verb::Auth, 0, 2},  // mechanism, initial response (RFC 5034 §4)
    {"STLS", Verb::Stls, 0, 0},
    {"CAPA", Verb::Capa, 0, 0},
    {"QUIT", Verb::Quit, 0, 0},
    {"STAT", Verb::Stat, 0, 0},
    {"LIST", Verb::List, 0, 1},
    {"RETR", Verb::Retr, 1, 1},
    {"DELE", Verb::Dele, 1, 1},
    {"NOOP", Verb::Noop, 0, 0},
    {"RSET", Verb::Rset, 0, 0},
    {"TOP", Verb::Top, 2, 2},
    {"UIDL", Verb::Uidl, 0, 1},
}};

// One more than any verb takes: enough to tell "too many" without splitting a long line.
constexpr std::size_t kArgScan = 3;

// Arguments are printable: no controls (a NUL or bare LF must not reach a handler or a log).
// Octets >= 0x80 pass, for UTF-8 user names.
bool valid_arg_octet(char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f;
}

ParseResult fail(std::string text) {
    return ParseResult{std::nullopt, std::move(text)};
}

}  // namespace

std::string_view to_string(Verb verb) {
    for (const auto& e : kVerbs)
        if (e.verb == verb) return e.name;
    return {};
}

ParseResult parse_command(std::string_view line) {
    if (line.empty()) return fail("empty command");

    std::string_view keyword = line.substr(0, line.find(' '));

    // RFC 1939 §3: keywords are three or four characters; no need to scan a long first token.
    const VerbEntry* entry = nullptr;
    if (keyword.size() >= 3 && keyword.size() <= 4)
        for (const auto& e : kVerbs)
            if (iequals(keyword, e.name)) entry = &e;
    if (!entry) return fail("unknown command");

    // RFC 2449 §4: 255 octets with CRLF. The caller reads AUTH lines with a larger bound
    // (RFC 5034 initial responses), so this is checked here for everything else.
    if (entry->verb != Verb::Auth && line.size() + 2 > kMaxCommandLine)
        return fail("line too long");

    Command cmd;
    cmd.verb = entry->verb;

    if (entry->verb == Verb::Pass) {
        // RFC 1939 §7: the whole rest is the password, spaces (even a trailing one) included.
        std::string_view rest = line.substr(std::min(line.size(), keyword.size() + 1));
        if (rest.empty()) return fail("syntax error: PASS needs a password");
        for (char c : rest)
            if (c == '\0' || c == '\r' || c == '\n') return fail("syntax error in password");
        cmd.args.emplace_back(rest);
        return ParseResult{std::move(cmd), {}};
    }

    // Like Dovecot, one trailing space is forgiven ("STAT ", "LIST 1 "): some clients send it.
    std::string_view trimmed = line.back() == ' ' ? line.substr(0, line.size() - 1) : line;
    std::string_view tail = trimmed.substr(keyword.size());  // empty or " args"

    std::array<std::string_view, kArgScan> args{};
    std::size_t count = 0;
    if (!tail.empty()) {
        tail.remove_prefix(1);
        // Every token must be non-empty: RFC 1939 §3 separates arguments by a single space.
        while (count < kArgScan) {
            auto next = tail.find(' ');
            std::string_view arg = tail.substr(0, next);
            if (arg.empty()) return fail("syntax error: arguments are separated by one space");
            args[count++] = arg;
            if (next == std::string_view::npos) {
                tail = {};
                break;
            }
            tail.remove_prefix(next + 1);
        }
    }
    if (count < entry->min_args || count > entry->max_args || !tail.empty())
        return fail(
            std::string("syntax error: wrong number of arguments for ").append(entry->name));

    for (std::size_t i = 0; i < count; ++i) {
        // RFC 5034 §4: the initial response is base64 of any length (bounded by the line).
        bool is_sasl_response = entry->verb == Verb::Auth && i == 1;
        if (!is_sasl_response && args[i].size() > kMaxArgument)
            return fail("syntax error: argument too long");
        for (char c : args[i])
            if (!valid_arg_octet(c)) return fail("syntax error: invalid character in argument");
        cmd.args.emplace_back(args[i]);
    }
    return ParseResult{std::move(cmd), {}};
}

std::optional<std::uint32_t> parse_number(std::string_view arg) {
    // Ten digits hold every 32-bit value; longer input (leading zeros or not) is refused
    // before any arithmetic, so there is no overflow to think about.
    if (arg.empty() || arg.size() > 10) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : arg) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (value > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    return static_cast<std::uint32_t>(value);
}

}  // namespace hermod::pop3::proto
