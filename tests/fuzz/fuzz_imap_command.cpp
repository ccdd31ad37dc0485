// fuzz_imap_command.cpp - the IMAP command assembler and every typed parser are total and
// bounded on any bytes: input is fed as a session would (CRLF-separated lines, literal octets
// taken from the following bytes), each complete command goes through every parser, and the
// round-trip and response-safety invariants hold.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/utf8.hpp"
#include "imap/proto/arguments.hpp"
#include "imap/proto/command_reader.hpp"
#include "imap/proto/encoder.hpp"
#include "imap/proto/fetch.hpp"
#include "imap/proto/mailbox_name.hpp"
#include "imap/proto/search.hpp"

using namespace hermod::imap::proto;
using hermod::is_valid_utf8;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool has_line_break(std::string_view s) {
    return s.find('\r') != std::string_view::npos || s.find('\n') != std::string_view::npos;
}

// A response is CRLF-terminated lines without CR or LF inside.
void check_response(const std::string& r) {
    check(r.size() >= 2 && r.ends_with("\r\n"));
    check(!has_line_break(std::string_view(r).substr(0, r.size() - 2)) ||
          r.find("\r\n* BYE") != std::string::npos);
}

template <typename F>
void with_parser(const CommandBuffer& c, ParserOptions o, F&& f) {
    Parser p(c, o);
    auto head = p.command_head();
    if (!head) {
        check(p.error() && !has_line_break(p.error()->text));
        return;
    }
    f(p);
    if (p.error()) {
        check(!has_line_break(p.error()->text));
        check_response(tagged(head->tag, Status::Bad, p.error()->text));
    }
}

void every_parser(const CommandBuffer& c, ParserOptions o) {
    with_parser(c, o, [](Parser& p) {
        if (auto r = parse_fetch(p)) {
            check(!r->attributes.empty());
            for (const auto& a : r->attributes)
                check(!has_line_break(fetch_response_name(a)));
            // The set's wire form parses back to the same set.
            CommandBuffer b;
            b.text = r->set.to_string();
            Parser q(b);
            auto again = q.sequence_set();
            check(again && *again == r->set);
        }
    });
    with_parser(c, o, [](Parser& p) {
        if (auto r = parse_search(p, true)) check(r->charset.empty() || is_valid_utf8(r->charset));
    });
    with_parser(c, o, [](Parser& p) { parse_search(p, false); });
    with_parser(c, o, [](Parser& p) { parse_store(p); });
    with_parser(c, o, [](Parser& p) { parse_status(p); });
    with_parser(c, o, [](Parser& p) { parse_list(p, false); });
    with_parser(c, o, [](Parser& p) { parse_list(p, true); });
    with_parser(c, o, [](Parser& p) {
        if (auto r = parse_append(p)) check(!r->messages.empty());
    });
    with_parser(c, o, [](Parser& p) { parse_enable(p); });
    with_parser(c, o, [](Parser& p) {
        if (auto r = parse_id(p)) check(r->size() <= kMaxIdPairs);
    });
    with_parser(c, o, [](Parser& p) { parse_login(p); });
    with_parser(c, o, [](Parser& p) { parse_select(p); });
    with_parser(c, o, [](Parser& p) { parse_copy(p); });
    with_parser(c, o, [](Parser& p) { parse_rename(p); });
    with_parser(c, o, [o](Parser& p) {
        if (auto name = parse_mailbox_argument(p)) {
            check(is_valid_utf8(*name));
            // Encoding and decoding a name gives it back (modified UTF-7 for rev1 clients).
            auto back = mutf7_decode(mutf7_encode(*name));
            check(back && *back == *name);
            std::string out;
            append_mailbox(out, *name, EncodeOptions{.utf8 = o.utf8});
            check(!has_line_break(out) || out.front() == '{');
        }
    });
}

void run(std::string_view text, AssemblyLimits limits) {
    CommandAssembler a(limits);
    std::size_t pos = 0;
    int commands = 0;
    while (pos < text.size() && commands < 64) {
        std::size_t end = text.find("\r\n", pos);
        if (end == std::string_view::npos) end = text.size();
        Step s = a.feed_line(text.substr(pos, end - pos));
        pos = std::min(text.size(), end + 2);
        if (s.kind == Step::Kind::Reject) {
            check(s.error.has_value());
            check_response(s.error->response());
            if (s.error->recovery == Recovery::Close) return;
        }
        while (a.literal_remaining() > 0 && pos < text.size()) {
            std::size_t n = a.feed_literal(text.substr(pos));
            check(n > 0 && n <= text.size() - pos);
            pos += n;
        }
        if (a.literal_remaining() > 0) return;
        if (s.kind == Step::Kind::Complete) {
            ++commands;
            const CommandBuffer& c = a.command();
            check(c.text.size() <= limits.max_command);
            every_parser(c, ParserOptions{});
            every_parser(c, ParserOptions{.utf8 = true});
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    run(text, AssemblyLimits{});
    AssemblyLimits tight;  // small limits reach the TOOBIG and discard paths
    tight.max_command = 256;
    tight.max_literal = 64;
    tight.max_discard = 128;
    tight.max_nonsync_literal = 32;
    run(text, tight);
    // Modified UTF-7 decoding is strict: whatever decodes re-encodes to the same bytes.
    if (auto d = mutf7_decode(text)) check(mutf7_encode(*d) == text);
    if (is_valid_utf8(text)) {
        auto back = mutf7_decode(mutf7_encode(text));
        check(back && *back == text);
        std::string out;
        append_string(out, text, EncodeOptions{.utf8 = true});
        check(quotable(text, EncodeOptions{.utf8 = true}) ? !has_line_break(out)
                                                          : out.front() == '{');
    }
    return 0;
}
