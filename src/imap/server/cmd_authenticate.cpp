// cmd_authenticate.cpp - AUTHENTICATE (RFC 9051 §6.2.2) with PLAIN (RFC 4616) and LOGIN, the
// initial response of SASL-IR (RFC 4959) and "*" to cancel.
// Security: plaintext mechanisms are refused before TLS off loopback; a PLAIN authorization
// identity other than the login (proxy authorisation) is refused; continuation lines are bounded
// (auth::kMaxSaslLine).
#include "auth/sasl.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> cmd_authenticate(Session& s, proto::Parser& p) {
    std::optional<std::string> initial;
    std::string mechanism_name;
    if (p.sp()) {
        if (auto m = p.atom()) mechanism_name = std::string(*m);
    }
    if (p.ok() && p.accept(' ')) {
        // SASL-IR: base64 or "=" for an empty response (RFC 4959 §3).
        if (auto ir = p.atom()) initial = std::string(*ir);
    }
    if (!p.end()) {
        parse_failed(s, p);
        co_return;
    }
    auto mechanism = auth::sasl_mechanism(mechanism_name);
    if (!mechanism) {
        s.done(Status::No, "unsupported authentication mechanism");
        co_return;
    }
    if (!s.plaintext_allowed()) {
        s.done(Status::No, "use STARTTLS (or port 993) before authenticating",
               {Code::PrivacyRequired, {}});
        co_return;
    }
    auth::SaslExchange sasl(*mechanism);
    auto step = sasl.start(initial);
    auto old_limit = s.stream.reader().max_line();
    s.stream.reader().set_max_line(auth::kMaxSaslLine + 2);
    while (step.status == auth::SaslStatus::Challenge) {
        s.out += proto::continuation_raw(step.challenge);
        if (!co_await s.flush()) {
            s.logout = true;
            co_return;
        }
        auto line = co_await s.stream.read_line();
        if (line.ec) {
            s.logout = true;
            co_return;
        }
        if (line.line.status == net::LineReader::Status::TooLong) {
            step.status = auth::SaslStatus::TooLong;
            break;
        }
        step = sasl.step(line.line.text);
    }
    s.stream.reader().set_max_line(old_limit);
    switch (step.status) {
        case auth::SaslStatus::Done:
            break;
        case auth::SaslStatus::Cancelled:
            // RFC 9051 §6.2.2: a cancelled exchange is rejected with BAD.
            s.done(Status::Bad, "authentication cancelled");
            co_return;
        case auth::SaslStatus::TooLong:
            s.done(Status::Bad, "response line too long");
            co_return;
        default:
            s.done(Status::Bad, "malformed SASL response");
            co_return;
    }
    const auto& creds = sasl.credentials();
    if (!creds.authzid.empty() && creds.authzid != creds.authcid) {
        s.done(Status::No, "proxy authorization not allowed", {Code::AuthorizationFailed, {}});
        co_return;
    }
    auto check = std::make_shared<LoginCheck>();
    check->login = creds.authcid;
    check->password = creds.password;
    co_await check_and_log_in(s, check);
}

}  // namespace hermod::imap
