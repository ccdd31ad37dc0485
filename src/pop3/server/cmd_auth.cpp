// cmd_auth.cpp - the AUTHORIZATION state's logins (RFC 1939 §7, RFC 5034): USER/PASS, AUTH
// PLAIN/LOGIN with an initial response and "*" to cancel, APOP (always refused, see
// docs/pop3.md), then the maildrop lock (RFC 1939 §8, [IN-USE]), LOGIN-DELAY (RFC 2449 §6.8)
// and the snapshot that starts the TRANSACTION state.
// Security: passwords are checked by auth::Authenticator off the I/O threads, with failure
// counting, lock-out and a delay per failure; plaintext logins are refused before TLS off
// loopback; proxy authorisation (a PLAIN authzid other than the login) is refused; passwords
// are never logged or echoed.
#include "auth/sasl.hpp"
#include "common/log.hpp"
#include "pop3/server/session_state.hpp"

#include <fmt/format.h>

namespace hermod::pop3 {

namespace {

/// A verified login: takes the lock, applies LOGIN-DELAY and loads the maildrop. On any
/// refusal the session stays in AUTHORIZATION (RFC 2449 §8.1).
void enter_transaction(Session& s, const std::string& account) {
    std::optional<store::Account> acct;
    try {
        acct = s.store.find_account(account);
    } catch (const std::exception& e) {
        spdlog::warn("pop3: {} account lookup failed: {}", s.peer_ip, e.what());
    }
    if (!acct) {
        s.reply(proto::temporary_failure());
        return;
    }
    auto lock = MaildropLocks::instance().try_lock(acct->id);
    if (!lock) {
        spdlog::info("pop3: {} {} maildrop in use", s.peer_ip, account);
        s.reply(proto::in_use());
        return;
    }
    if (!LoginDelays::instance().allow(acct->id, s.cfg.pop3.login_delay_seconds)) {
        spdlog::info("pop3: {} {} login delay", s.peer_ip, account);
        s.reply(proto::login_delay(s.cfg.pop3.login_delay_seconds));
        return;
    }
    try {
        s.maildrop = Maildrop::load(s.store, acct->id, s.cfg.pop3.mailboxes);
    } catch (const std::exception& e) {
        spdlog::warn("pop3: {} {} maildrop load failed: {}", s.peer_ip, account, e.what());
        s.reply(proto::temporary_failure());
        return;
    }
    s.lock = std::move(lock);
    s.login = account;
    s.account_id = acct->id;
    s.state = State::Transaction;
    s.user.reset();
    spdlog::info("pop3: {} login {}{}, {} messages ({} octets)", s.peer_ip, account,
                 s.tls() ? " (TLS)" : "", s.maildrop->count(), s.maildrop->total_size());
    s.reply(proto::ok(fmt::format("maildrop has {} messages ({} octets)", s.maildrop->count(),
                                  s.maildrop->total_size())));
}

awaitable<void> check_login(Session& s, std::shared_ptr<LoginCheck> check) {
    check->ip = s.peer_ip;
    co_await authenticate(*s.authenticator, check);
    switch (check->result.status) {
        case auth::AuthStatus::Ok:
            enter_transaction(s, check->result.account);
            break;
        case auth::AuthStatus::LockedOut:
            s.reply(proto::locked_out());
            break;
        case auth::AuthStatus::Failed:
            s.reply(proto::auth_failed());
            break;
    }
}

std::string sasl_mechanisms() {
    return "PLAIN\r\nLOGIN\r\n";
}

}  // namespace

awaitable<void> cmd_user(Session& s, const proto::Command& cmd) {
    if (!s.plaintext_allowed()) {
        s.reply(proto::tls_required());
        co_return;
    }
    // RFC 1939 §7: the answer does not tell whether the mailbox exists.
    s.user = cmd.args.at(0);
    s.reply(proto::ok("send PASS"));
    co_return;
}

awaitable<void> cmd_pass(Session& s, const proto::Command& cmd) {
    if (!s.plaintext_allowed()) {
        s.reply(proto::tls_required());
        co_return;
    }
    if (!s.user) {
        s.reply(proto::err("send USER first"));
        co_return;
    }
    // RFC 1939 §7: a failed PASS needs a new USER.
    auto check = std::make_shared<LoginCheck>();
    check->login = std::move(*s.user);
    check->password = cmd.args.at(0);
    s.user.reset();
    co_await check_login(s, check);
}

awaitable<void> cmd_apop(Session& s, const proto::Command&) {
    // Hermod stores one-way password hashes, so the MD5(timestamp + password) of RFC 1939 §7
    // cannot be verified, and the check would bypass the Authenticator's limits.
    s.reply(proto::err("APOP not supported; use USER/PASS or AUTH over TLS"));
    co_return;
}

awaitable<void> cmd_auth(Session& s, const proto::Command& cmd) {
    if (cmd.args.empty()) {
        // The pre-CAPA probe (RFC 1734 clients): the mechanisms that can be used now.
        s.reply(proto::ok("SASL mechanisms follow"));
        if (s.plaintext_allowed()) s.out += sasl_mechanisms();
        s.out += ".\r\n";
        co_return;
    }
    if (!s.plaintext_allowed()) {
        s.reply(proto::tls_required());
        co_return;
    }
    auto mechanism = auth::sasl_mechanism(cmd.args[0]);
    if (!mechanism) {
        s.reply(proto::err("unsupported authentication mechanism"));
        co_return;
    }
    std::optional<std::string> initial;
    if (cmd.args.size() > 1) initial = cmd.args[1];
    s.user.reset();
    auth::SaslExchange sasl(*mechanism);
    auto step = sasl.start(initial);
    while (step.status == auth::SaslStatus::Challenge) {
        // RFC 5034 §4: "+" SP base64 challenge.
        s.out += "+ " + step.challenge + "\r\n";
        bool ok = co_await s.flush();
        if (!ok) {
            s.quit = true;
            co_return;
        }
        auto line = co_await s.stream.read_line();
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
    switch (step.status) {
        case auth::SaslStatus::Done:
            break;
        case auth::SaslStatus::Cancelled:
            s.reply(proto::err("authentication cancelled"));
            co_return;
        case auth::SaslStatus::TooLong:
            s.reply(proto::line_too_long());
            co_return;
        default:
            s.reply(proto::err("malformed SASL response"));
            co_return;
    }
    const auto& creds = sasl.credentials();
    if (!creds.authzid.empty() && creds.authzid != creds.authcid) {
        s.reply(proto::auth_failed());
        co_return;
    }
    auto check = std::make_shared<LoginCheck>();
    check->login = creds.authcid;
    check->password = creds.password;
    co_await check_login(s, check);
}

}  // namespace hermod::pop3
