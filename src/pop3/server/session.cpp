// session.cpp - the POP3 session loop (RFC 1939 §3-6): greeting, command reading with
// pipelining (RFC 2449 §6.6), the command-table state gate, error counting, shutdown, and the
// per-connection helpers.
// Security: every peer line is bounded by the stream's LineReader (AUTH continuations) and by
// kMaxCommandLine here (commands); replies are flushed before the session blocks on input and
// whenever they pass 64 KiB, so a pipelining client cannot make us buffer output without bound.
#include <algorithm>
#include <array>
#include <chrono>

#include "auth/sasl.hpp"
#include "common/log.hpp"
#include "pop3/server/session_state.hpp"

namespace hermod::pop3 {

namespace {

using proto::Verb;

constexpr unsigned kAny = kAuthorization | kTransaction;

constexpr std::array kCommands = {
    CommandEntry{Verb::User, cmd_user, kAuthorization},
    CommandEntry{Verb::Pass, cmd_pass, kAuthorization},
    CommandEntry{Verb::Apop, cmd_apop, kAuthorization},
    CommandEntry{Verb::Auth, cmd_auth, kAuthorization},
    CommandEntry{Verb::Stls, cmd_stls, kAuthorization},
    CommandEntry{Verb::Capa, cmd_capa, kAny},
    CommandEntry{Verb::Quit, cmd_quit, kAny},
    CommandEntry{Verb::Stat, cmd_stat, kTransaction},
    CommandEntry{Verb::List, cmd_list, kTransaction},
    CommandEntry{Verb::Uidl, cmd_list, kTransaction},
    CommandEntry{Verb::Retr, cmd_retr, kTransaction},
    CommandEntry{Verb::Top, cmd_retr, kTransaction},
    CommandEntry{Verb::Dele, cmd_dele, kTransaction},
    CommandEntry{Verb::Noop, cmd_noop, kTransaction},
    CommandEntry{Verb::Rset, cmd_rset, kTransaction},
};

/// Output queued beyond this is written before the next command runs.
constexpr std::size_t kFlushAt = 64 * 1024;

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
               return std::toupper(static_cast<unsigned char>(a)) == b;
           });
}

/// Longest accepted command line without CRLF: 255 octets with CRLF (RFC 2449 §4), except
/// AUTH, whose initial response may be as long as a SASL continuation line (RFC 5034 §4).
std::size_t command_limit(std::string_view line) {
    if (starts_with_ci(line, "AUTH ")) return auth::kMaxSaslLine;
    return proto::kMaxCommandLine - 2;
}

}  // namespace

const CommandEntry* find_command(Verb verb) {
    for (const auto& e : kCommands)
        if (e.verb == verb) return &e;
    return nullptr;
}

Session::Session(net::Stream& s, const Services& svc)
    : stream(s),
      cfg(*svc.cfg),
      store(*svc.store),
      authenticator(svc.authenticator),
      hostname(svc.cfg->server.hostname),
      peer_ip(s.peer_address()),
      loopback(s.peer_is_loopback()) {}

void Session::reply(const std::string& r) {
    out += r;
    if (r.starts_with("-ERR")) ++errors;
}

awaitable<bool> Session::flush() {
    if (out.empty()) co_return stream.is_open();
    std::string data;
    data.swap(out);
    auto r = co_await stream.write(data);
    co_return !r.ec;
}

bool Session::plaintext_allowed() const {
    if (!authenticator) return false;
    return tls() || (loopback && cfg.pop3.plaintext_auth_on_loopback);
}

awaitable<void> run_session(net::Stream& stream, Services services) {
    Session s(stream, services);
    // The reader allows the longest legitimate line (an AUTH continuation, RFC 5034 §4); the
    // loop applies the command limit itself.
    stream.reader().set_max_line(auth::kMaxSaslLine + 2);
    // RFC 1939 §3: an autologout timer of at least 10 minutes. On expiry the net layer closes
    // the connection and nothing is committed (no UPDATE state, §6).
    stream.set_idle_timeout(
        std::chrono::seconds(std::max<std::uint32_t>(s.cfg.limits.idle_timeout_seconds, 600)));

    // APOP is never offered (docs/pop3.md), so the greeting carries no timestamp.
    s.reply(proto::greeting(s.hostname, ""));
    while (!s.quit) {
        if (stream.shutting_down()) {
            s.reply(proto::shutting_down());
            break;
        }
        // Flush before blocking: replies of a pipelined group go out together (RFC 2449 §6.6).
        if (s.out.size() >= kFlushAt ||
            stream.reader().buffered().find('\n') == std::string_view::npos) {
            bool ok = co_await s.flush();
            if (!ok) break;
        }
        auto r = co_await stream.read_line();
        if (r.ec) break;  // closed, reset, or timed out: nothing is committed
        if (stream.shutting_down()) {
            s.reply(proto::shutting_down());
            break;
        }
        if (r.line.status == net::LineReader::Status::TooLong ||
            r.line.text.size() > command_limit(r.line.text)) {
            s.reply(proto::line_too_long());
        } else {
            auto parsed = proto::parse_command(r.line.text);
            if (!parsed.command) {
                s.reply(proto::err(parsed.error));
            } else {
                const CommandEntry* entry = find_command(parsed.command->verb);
                unsigned need = s.state == State::Authorization ? kAuthorization : kTransaction;
                if (!entry) {
                    s.reply(proto::unknown_command());
                } else if (!(entry->flags & need)) {
                    s.reply(proto::bad_state());
                } else {
                    co_await entry->handler(s, *parsed.command);
                }
            }
        }
        if (s.cfg.pop3.max_errors > 0 && s.errors >= s.cfg.pop3.max_errors && !s.quit) {
            spdlog::info("pop3: {} too many errors, closing", s.peer_ip);
            s.reply(proto::too_many_errors());
            s.quit = true;
        }
    }
    co_await s.flush();
    if (s.state == State::Transaction && !s.updated)
        spdlog::info("pop3: {} {} session ended without QUIT, nothing deleted", s.peer_ip, s.login);
}

net::Handler make_handler(Services services) {
    return [services](net::Stream& stream) -> awaitable<void> {
        return run_session(stream, services);
    };
}

}  // namespace hermod::pop3
