// cmd_auth.cpp - AUTH PLAIN / LOGIN (RFC 4954, RFC 4616) with SASL-IR and "*" to cancel.
// Security: credentials are checked by auth::Authenticator off the I/O threads, with failure
// counting, lock-out and a delay per failure; AUTH is refused in clear text off loopback
// (538 5.7.11, RFC 4954 §4); proxy authorisation (an authzid other than the login) is refused.
#include "auth/sasl.hpp"
#include "smtp/server/session_state.hpp"

namespace hermod::smtp {

awaitable<void> cmd_auth(Session& s, const proto::Command& cmd) {
    if (!s.greeted || !s.esmtp) {
        s.reply(proto::bad_sequence("Send EHLO first"));
        co_return;
    }
    if (s.authenticated) {
        s.reply(proto::bad_sequence("Already authenticated"));
        co_return;
    }
    if (s.in_mail) {
        s.reply(proto::bad_sequence("AUTH not allowed during a mail transaction"));
        co_return;
    }
    if (!s.authenticator) {
        s.reply(proto::not_implemented());
        co_return;
    }
    if (!s.auth_offered()) {
        s.reply(proto::auth_encryption_required());
        co_return;
    }
    auto mechanism = auth::sasl_mechanism(cmd.mechanism);
    if (!mechanism) {
        s.reply(proto::auth_mechanism_unknown());
        co_return;
    }
    auth::SaslExchange sasl(*mechanism);
    auto step = sasl.start(cmd.initial_response);
    while (step.status == auth::SaslStatus::Challenge) {
        s.reply(proto::sasl_reply(step.status, step.challenge), false);
        if (!co_await s.flush()) {
            s.quit = true;
            co_return;
        }
        auto line = co_await s.read_line();
        if (line.ec) {
            s.quit = true;
            co_return;
        }
        if (line.line.status == net::LineReader::Status::TooLong) {
            step.status = auth::SaslStatus::TooLong;
            break;
        }
        step = sasl.step(line.line.text);
    }
    if (step.status != auth::SaslStatus::Done) {
        s.reply(proto::sasl_reply(step.status, step.challenge));
        co_return;
    }
    const auto& creds = sasl.credentials();
    if (!creds.authzid.empty() && creds.authzid != creds.authcid) {
        s.reply(proto::auth_failed());
        co_return;
    }
    auto result = co_await authenticate(*s.authenticator, creds.authcid, creds.password, s.peer_ip);
    switch (result.status) {
        case auth::AuthStatus::Ok:
            s.authenticated = true;
            s.login = result.account;
            s.reply(proto::auth_ok());
            break;
        case auth::AuthStatus::LockedOut:
            s.reply(proto::auth_temp_failure());
            break;
        case auth::AuthStatus::Failed:
            s.reply(proto::auth_failed());
            break;
    }
}

}  // namespace hermod::smtp
