// session.cpp - the session loop: greeting, command reading with PIPELINING (RFC 2920), the
// command-table gate (order, TLS and AUTH requirements, LMTP dialect), error counting with
// 421 4.7.0 (RFC 5321 §4.5.3.2), 421 4.3.2 on shutdown, and the per-connection state helpers.
// Security: every peer line is length-bounded by the stream's LineReader and parsed by
// smtp/proto; replies are flushed before the session blocks on input, so a pipelining client
// can never make us buffer replies without bound.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "common/log.hpp"
#include "smtp/proto/sasl.hpp"
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

/// Parses an address ("192.0.2.1", "2001:db8::1") into 16 bytes (v4 as v4-mapped).
bool parse_ip(std::string_view text, std::array<unsigned char, 16>& out, bool& v4) {
    std::string s(text);
    in_addr a4{};
    if (::inet_pton(AF_INET, s.c_str(), &a4) == 1) {
        out.fill(0);
        out[10] = out[11] = 0xff;
        std::memcpy(out.data() + 12, &a4, 4);
        v4 = true;
        return true;
    }
    in6_addr a6{};
    if (::inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
        std::memcpy(out.data(), &a6, 16);
        v4 = false;
        return true;
    }
    return false;
}

/// `ip` inside the CIDR `network` ("192.0.2.0/24", "2001:db8::/32" or a single address).
bool in_network(std::string_view ip, std::string_view network) {
    auto slash = network.find('/');
    std::array<unsigned char, 16> a{}, n{};
    bool a4 = false, n4 = false;
    if (!parse_ip(ip, a, a4) || !parse_ip(network.substr(0, slash), n, n4) || a4 != n4)
        return false;
    int bits = n4 ? 32 : 128;
    if (slash != std::string_view::npos) {
        std::string b(network.substr(slash + 1));
        char* end = nullptr;
        long v = std::strtol(b.c_str(), &end, 10);
        if (b.empty() || *end || v < 0 || v > bits) return false;
        bits = static_cast<int>(v);
    }
    if (n4) bits += 96;
    for (int i = 0; i < bits; ++i) {
        unsigned char mask = static_cast<unsigned char>(0x80u >> (i % 8));
        if ((a[static_cast<std::size_t>(i / 8)] & mask) !=
            (n[static_cast<std::size_t>(i / 8)] & mask))
            return false;
    }
    return true;
}

bool is_loopback(std::string_view ip) {
    return ip == "::1" || ip.starts_with("127.");
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
    if (starts_with_ci(line, "AUTH ")) return proto::kMaxSaslLine;
    if (starts_with_ci(line, "MAIL ") || starts_with_ci(line, "RCPT ")) return base + 1024;
    return base;
}

/// Whether a command may run now; queues the refusal and returns false if not.
bool gate(Session& s, const CommandEntry& e) {
    bool lmtp = s.mode == Mode::Lmtp;
    if (lmtp && (e.flags & kNotLmtp)) {
        s.reply(e.verb == Verb::Auth ? proto::not_implemented() : replies::use_lhlo());
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
    loopback = is_loopback(peer_ip);
    for (const auto& net : cfg.smtp.trusted_networks)
        if (in_network(peer_ip, net)) trusted = true;
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
    co_return r;
}

awaitable<net::IoResult> Session::read_some(std::span<char> buf) {
    set_waiting(*this, true);
    auto r = co_await stream.read_some(buf);
    set_waiting(*this, false);
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
    stream.reader().set_max_line(proto::kMaxSaslLine + 2);
    co_await start_idle_watch(s);

    s.reply(proto::greeting(s.hostname, mode == Mode::Lmtp));
    while (!s.quit) {
        if (stream.shutting_down()) {
            s.reply(replies::shutting_down(s.hostname));
            co_await s.flush();
            break;
        }
        // Flush before blocking: replies of a pipelined group go out together (RFC 2920 §3.1).
        if (stream.reader().buffered().find('\n') == std::string_view::npos) {
            if (!co_await s.flush()) break;
        }
        auto r = co_await s.read_line();
        if (r.ec) break;  // closed, reset, or timed out (the idle watch has said 421)
        if (stream.shutting_down()) {
            // Noticed while waiting: say goodbye instead of starting a new command.
            s.reply(replies::shutting_down(s.hostname));
            break;
        }
        if (r.line.status == net::LineReader::Status::TooLong) {
            s.reply(proto::line_too_long());
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
    co_await s.flush();
    stop_idle_watch(s);
}

net::Handler make_handler(Services services, Mode mode) {
    return [services, mode](net::Stream& stream) -> awaitable<void> {
        return run_session(stream, services, mode);
    };
}

}  // namespace hermod::smtp
