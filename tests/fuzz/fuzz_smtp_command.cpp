// fuzz_smtp_command.cpp - the SMTP command parser, path parser, xtext and base64 decoders are
// total and bounded on any bytes, and keep their round-trip and reply-safety invariants.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/sasl.hpp"
#include "common/base64.hpp"
#include "smtp/proto/command.hpp"

using namespace hermod::smtp::proto;
using namespace hermod::auth;
using hermod::base64_decode;
using hermod::base64_encode;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// A reply is CRLF-terminated lines with no CR or LF inside: peer data cannot forge replies.
void check_reply(const Reply& r) {
    std::string w = r.wire();
    check(w.size() >= 6 && w.substr(w.size() - 2) == "\r\n");
    std::size_t start = 0;
    while (start < w.size()) {
        auto end = w.find("\r\n", start);
        check(end != std::string::npos);
        std::string_view line(w.data() + start, end - start);
        check(line.find('\r') == std::string_view::npos &&
              line.find('\n') == std::string_view::npos);
        check(line.size() + 2 <= 512);
        start = end + 2;
    }
}

void one_line(std::string_view line, bool utf8) {
    ParseOptions o;
    o.smtputf8_transaction = utf8;
    CommandResult r = parse_command(line, o);
    if (!r.ok()) {
        check_reply(r.error->reply());
        return;
    }
    const Command& c = r.command;
    check(c.verb != Verb::Unknown);
    if ((c.verb == Verb::Mail || c.verb == Verb::Rcpt) && !c.path.null &&
        !c.path.has(kFlagBarePostmaster)) {
        // The canonical mailbox parses back to the same local part and domain.
        PathOptions po;
        po.allow_utf8 = true;
        std::string canon = "<" + c.path.mailbox() + ">";
        if (c.path.has(kFlagTrailingDot)) canon.insert(canon.size() - 1, ".");
        PathResult again = parse_path(canon, po);
        check(again.ok());
        check(again.path.local == c.path.local && again.path.domain == c.path.domain);
    }
    if (c.mail.envid) check(xtext_decode(xtext_encode(*c.mail.envid)) == *c.mail.envid);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    // Each CRLF-separated line is a command; the whole input is one too (embedded CR/LF).
    one_line(text, false);
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find("\r\n", start);
        if (end == std::string_view::npos) end = text.size();
        one_line(text.substr(start, end - start), true);
        start = end + 2;
    }
    // Strict base64 accepts only the canonical encoding.
    if (auto decoded = base64_decode(text)) check(base64_encode(*decoded) == text);
    if (auto x = xtext_decode(text)) check(xtext_decode(xtext_encode(*x)) == *x);
    // A SASL exchange on arbitrary lines never crashes; a challenge always has base64 text.
    SaslExchange plain(SaslMechanism::Plain), login(SaslMechanism::Login);
    auto s = plain.start(std::string(text));
    check(s.status != SaslStatus::Challenge || base64_decode(s.challenge).has_value());
    login.start(std::nullopt);
    login.step(text);
    auto l = login.step(text);
    check(l.status != SaslStatus::Challenge || base64_decode(l.challenge).has_value());
    check(sasl_reply(l.status, l.challenge).code >= 300);
    return 0;
}
