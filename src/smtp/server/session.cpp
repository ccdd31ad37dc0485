// session.cpp - the session loop: greeting, command reading with PIPELINING (RFC 2920), the
// command-table gate (order, TLS and AUTH requirements, LMTP dialect), error counting with
// 421 4.7.0 (RFC 5321 §4.5.3.2), 421 4.3.2 on shutdown, and the per-connection state helpers.
// Security: every peer line is length-bounded by the stream's LineReader and parsed by
// smtp/proto; replies are flushed before the session blocks on input, so a pipelining client
// can never make us buffer replies without bound.
#include <algorithm>
#include <array>
#include <cctype>
#include <system_error>

#include "auth/sasl.hpp"
#include "common/log.hpp"
#include "delivery/networks.hpp"
#include "smtp/server/session_state.hpp"

namespace hermod::smtp {

namespace {

using proto::Verb;

// RFC 2920 §3.1 decides kEndsGroup; RFC 3207/4954 make STARTTLS and AUTH end a group too.
constexpr std::array kCommands = {
    CommandEntry{Verb::Helo, cmd_helo, kPreTls | kPreAuth | kEndsGroup | kNotLmtp},
    CommandEntry{Verb::Ehlo, cmd_ehlo, kPreTls | kPreAuth | kEndsGroup | kNotLmtp},
    CommandEntry{Verb::Lhlo, cmd_ehlo, kPreTls | kPreAuth | kEndsGroup | kLmtpOnly},
    CommandEntry{Verb::Mail, cmd_mail, 0},
    CommandEntry{Verb::Rcpt, cmd_rcpt, 0},
    CommandEntry{Verb::Data, cmd_data, kEndsGroup},
    CommandEntry{Verb::Bdat, cmd_bdat, 0},
    CommandEntry{Verb::Rset, cmd_rset, kPreTls | kPreAuth},
    CommandEntry{Verb::Noop, cmd_noop, kPreTls | kPreAuth | kEndsGroup},
    CommandEntry{Verb::Quit, cmd_quit, kPreTls | kPreAuth | kEndsGroup},
    CommandEntry{Verb::Help, cmd_help, kPreTls | kPreAuth | kEndsGroup},
    CommandEntry{Verb::Vrfy, cmd_vrfy, kPreAuth | kEndsGroup},
    CommandEntry{Verb::Expn, cmd_expn, kEndsGroup},
    CommandEntry{Verb::Starttls, cmd_starttls, kPreTls | kPreAuth | kEndsGroup},
    CommandEntry{Verb::Auth, cmd_auth, kPreAuth | kEndsGroup | kNotLmtp},
};

/// Loopback clients (127.0.0.0/8, ::1, and 127.x as IPv4-mapped IPv6).
const delivery::NetworkList& loopback_networks() {
    static const delivery::NetworkList list({"127.0.0.0/8", "::1/128"});
    return list;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
               return std::toupper(static_cast<unsigned char>(a)) == b;
           });
}

/// Longest accepted line for this command, without CRLF: cfg.limits.smtp_line_length (RFC
/// 5321 §4.5.3.1.4, 512 with CRLF), plus room for the ESMTP parameters of MAIL/RCPT (RFC 5321
/// §4.5.3.1.4 allows extensions to raise it: SIZE, BODY, SMTPUTF8, DSN ENVID/ORCPT, AUTH=),
/// and 12288 for AUTH (RFC 4954 §4).
std::size_t command_limit(const Session& s, std::string_view line) {
    std::size_t base = std::max<std::uint32_t>(s.cfg.limits.smtp_line_length, 3) - 2;
    if (starts_with_ci(line, "AUTH ")) return auth::kMaxSaslLine;
    if (starts_with_ci(line, "MAIL ") || starts_with_ci(line, "RCPT ")) return base + 1024;
    return base;
}

/// Whether a command may run now; queues the refusal and returns false if not.
bool gate(Session& s, const CommandEntry& e) {
    bool lmtp = s.mode == Mode::Lmtp;
    if (lmtp && (e.flags & kNotLmtp)) {
        s.reply(e.verb == Verb::Auth ? proto::not_implemented() : proto::use_lhlo());
        return false;
    }
    if (!lmtp && (e.flags & kLmtpOnly)) {
        s.reply(proto::syntax());
        return false;
    }
    // Submission off loopback: nothing but the pre-TLS commands before STARTTLS when TLS can
    // be had (RFC 8314 §3, RFC 3207 §4: 530 5.7.0).
    if (s.mode == Mode::Submission && !s.tls() && s.stream.tls_available() && !s.loopback &&
        !(e.flags & kPreTls)) {
        s.reply(proto::tls_required());
        return false;
    }
    // RFC 6409 §4.1 / RFC 4954 §6: submission requires AUTH before a transaction.
    if (s.mode == Mode::Submission && !s.authenticated && !(e.flags & kPreAuth)) {
        s.reply(proto::auth_required());
        return false;
    }
    return true;
}

}  // namespace

const CommandEntry* find_command(Verb verb) {
    for (const auto& e : kCommands)
        if (e.verb == verb) return &e;
    return nullptr;
}

Mode mode_for(config::Service service) {
    switch (service) {
        case config::Service::Submission:
        case config::Service::Submissions:
            return Mode::Submission;
        case config::Service::Lmtp:
            return Mode::Lmtp;
        default:
            return Mode::Smtp;
    }
}

Session::Session(net::Stream& s, const Services& svc, Mode m)
    : stream(s),
      cfg(*svc.cfg),
      deliverer(*svc.deliverer),
      authenticator(svc.authenticator),
      mode(m),
      hostname(svc.cfg->server.hostname),
      peer_ip(s.peer_address()) {
    // One parser for addresses and CIDR networks: the deliverer's (networks.hpp).
    loopback = loopback_networks().contains(peer_ip);
    trusted = delivery::NetworkList(cfg.smtp.trusted_networks).contains(peer_ip);
}

Session::~Session() {
    stop_idle_watch(*this);
}

void Session::reply(const proto::Reply& r, bool count) {
    out += r.wire();
    if (count && r.code >= 400 && r.code != 421) ++errors;
}

awaitable<bool> Session::flush() {
    if (out.empty()) co_return stream.is_open();
    std::string data;
    data.swap(out);
    auto r = co_await stream.write(data);
    co_return !r.ec;
}

awaitable<net::LineResult> Session::read_line() {
    set_waiting(*this, true);
    auto r = co_await stream.read_line();
    set_waiting(*this, false);
    // The watch fired just as the line arrived (its cancel came too late): still a timeout.
    if (idle_timed_out(*this)) r.ec = std::make_error_code(std::errc::timed_out);
    co_return r;
}

std::span<char> Session::data_buffer() {
    constexpr std::size_t kDataBuffer = 64 * 1024;
    // Not value-initialised: read_some() only hands on the octets it has filled in.
    if (!data_buf) data_buf = std::make_unique_for_overwrite<char[]>(kDataBuffer);
    return {data_buf.get(), kDataBuffer};
}

awaitable<net::IoResult> Session::read_some(std::span<char> buf) {
    set_waiting(*this, true);
    auto r = co_await stream.read_some(buf);
    set_waiting(*this, false);
    if (idle_timed_out(*this)) r.ec = std::make_error_code(std::errc::timed_out);
    co_return r;
}

void Session::reset_transaction() {
    in_mail = false;
    mail_from.clear();
    mail_params = {};
    recipients.clear();
    bdat.reset();
}

void Session::reset_connection() {
    reset_transaction();
    greeted = false;
    esmtp = false;
    helo_name.clear();
    authenticated = false;
    login.clear();
}

delivery::Client Session::client() const {
    return delivery::Client{peer_ip, authenticated, login, trusted && mode != Mode::Lmtp};
}

bool Session::auth_offered() const {
    if (!authenticator || mode == Mode::Lmtp) return false;
    return tls() || (loopback && cfg.smtp.plaintext_auth_on_loopback);
}

std::string Session::with_protocol() const {
    // RFC 3848: ESMTP + S (TLS) + A (AUTH); LMTP likewise; plain SMTP for HELO.
    std::string p = mode == Mode::Lmtp ? "LMTP" : esmtp ? "ESMTP" : "SMTP";
    if (p == "SMTP") return p;
    if (tls()) p += 'S';
    if (authenticated) p += 'A';
    return p;
}

awaitable<void> run_session(net::Stream& stream, Services services, Mode mode) {
    Session s(stream, services, mode);
    // The reader allows the longest legitimate line (AUTH with an initial response, RFC 4954
    // §4: 12288 octets); the parser then applies the per-verb limit (command_limit()).
    stream.reader().set_max_line(auth::kMaxSaslLine + 2);
    co_await start_idle_watch(s);

    s.reply(proto::greeting(s.hostname, mode == Mode::Lmtp));
    while (!s.quit) {
        if (stream.shutting_down()) {
            s.reply(proto::shutting_down(s.hostname));
            co_await s.flush();
            break;
        }
        // Flush before blocking: replies of a pipelined group go out together (RFC 2920 §3.1).
        if (stream.reader().buffered().find('\n') == std::string_view::npos) {
            if (!co_await s.flush()) break;
        }
        auto r = co_await s.read_line();
        if (r.ec) break;  // closed, reset, or timed out (the idle watch: 421 below)
        if (stream.shutting_down()) {
            // Noticed while waiting: say goodbye instead of starting a new command.
            s.reply(proto::shutting_down(s.hostname));
            break;
        }
        if (r.line.status == net::LineReader::Status::TooLong) {
            s.reply(proto::line_too_long());
        } else if (r.line.ending == net::LineEnding::Lf) {
            // RFC 5321 §2.3.8: lines end in CRLF; a bare LF is how smuggled commands get past
            // a CRLF-only parser in front of us.
            s.reply(proto::bare_lf_command());
            // A BDAT line: its octets follow, and we cannot know how many were meant.
            if (starts_with_ci(r.line.text, "BDAT")) s.quit = true;
        } else {
            proto::ParseOptions opts;
            opts.max_line = command_limit(s, r.line.text);
            opts.smtputf8_transaction = s.in_mail && s.mail_params.smtputf8;
            auto parsed = proto::parse_command(r.line.text, opts);
            const CommandEntry* entry = find_command(parsed.command.verb);
            if (!parsed.ok()) {
                s.reply(parsed.error->reply());
                // A BDAT we cannot parse has an unknown length: the stream is out of sync, and
                // reading on would execute message octets as commands (RFC 3030 §2).
                if (parsed.command.verb == Verb::Bdat) {
                    s.quit = true;
                }
            } else if (entry && gate(s, *entry)) {
                co_await entry->handler(s, parsed.command);
                if (entry->flags & kEndsGroup) {
                    if (!co_await s.flush()) break;
                }
            } else if (entry && entry->verb == Verb::Bdat) {
                // Refused BDAT: its octets still follow and must be skipped (RFC 3030 §2).
                co_await skip_chunk(s, parsed.command.chunk_size);
            }
        }
        if (s.errors >= s.cfg.smtp.max_errors && s.cfg.smtp.max_errors > 0 && !s.quit) {
            spdlog::info("smtp: {} too many errors, closing", s.peer_ip);
            s.reply(proto::too_many_errors());
            s.quit = true;
        }
    }
    if (idle_timed_out(s)) {
        // The watch cancelled our read (RFC 5321 §4.5.3.2); the session is the only writer.
        s.out.clear();
        s.reply(proto::timeout(), false);
        stop_idle_watch(s);
        co_await s.flush();
        stream.close();
        co_return;
    }
    co_await s.flush();
    stop_idle_watch(s);
}

net::Handler make_handler(Services services, Mode mode) {
    return [services, mode](net::Stream& stream) -> awaitable<void> {
        return run_session(stream, services, mode);
    };
}

}  // namespace hermod::smtp
