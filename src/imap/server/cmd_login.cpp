// cmd_login.cpp - LOGIN (RFC 9051 §6.2.3).
// Security: refused before TLS off loopback (LOGINDISABLED is advertised then); the password is
// checked by the Authenticator off the I/O threads with failure delays and lock-outs, and never
// logged.
#include "imap/proto/arguments.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> check_and_log_in(Session& s, std::shared_ptr<LoginCheck> check) {
    check->ip = s.peer_ip;
    co_await authenticate(*s.authenticator, check);
    switch (check->result.status) {
        case auth::AuthStatus::Ok:
            logged_in(s, check->result.account);
            break;
        case auth::AuthStatus::LockedOut:
            s.done(Status::No, "too many failed logins, try again later", {Code::Unavailable, {}});
            break;
        case auth::AuthStatus::Failed:
            s.done(Status::No, "invalid credentials", {Code::AuthenticationFailed, {}});
            break;
    }
}

awaitable<void> cmd_login(Session& s, proto::Parser& p) {
    auto req = proto::parse_login(p);
    if (!req) {
        parse_failed(s, p);
        co_return;
    }
    if (!s.plaintext_allowed()) {
        s.done(Status::No, "use STARTTLS (or port 993) before logging in",
               {Code::PrivacyRequired, {}});
        co_return;
    }
    auto check = std::make_shared<LoginCheck>();
    check->login = std::move(req->user);
    check->password = std::move(req->password);
    co_await check_and_log_in(s, check);
}

}  // namespace hermod::imap
