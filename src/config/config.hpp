// config.hpp - the typed configuration: embedded defaults, overridden by an optional TOML file.
//
// Every key, its default and meaning is listed in docs/configuration.md. Errors carry the file
// and line they come from so `hermod config check` can point at each one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hermod::config {

/// The network services Hermod can listen for.
enum class Service { Smtp, Submission, Submissions, Imap, Imaps, Pop3, Pop3s, Lmtp, Http };
inline constexpr Service kAllServices[] = {
    Service::Smtp, Service::Submission, Service::Submissions, Service::Imap, Service::Imaps,
    Service::Pop3, Service::Pop3s,      Service::Lmtp,        Service::Http};
const char* service_name(Service);  // "smtp", "submission", ...
std::optional<Service> service_from_name(std::string_view);
/// True for services whose listeners speak TLS from the first byte (465, 993, 995).
bool implicit_tls(Service);

/// One address to listen on: host is an IPv4 or IPv6 literal (no brackets), port 0 = any free.
struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;
    std::string to_string() const;  // "127.0.0.1:2525", "[::1]:2525"
};

struct ServerConfig {
    std::string hostname = "localhost";  // used in greetings and Received headers
    std::string user = "hermod";         // unprivileged user to switch to when started as root
    std::uint32_t shutdown_grace_seconds = 10;  // how long sessions may finish after SIGTERM
    std::string log_level = "info";             // trace, debug, info, warn, error
};

struct TlsConfig {
    std::string cert_file;            // PEM; empty = self-signed certificate in <data>/tls/
    std::string key_file;             // PEM; empty = the self-signed certificate's key
    std::string min_version = "1.2";  // "1.2" or "1.3"
};

struct LimitsConfig {
    std::uint32_t max_connections = 2000;          // all services together
    std::uint32_t max_connections_per_ip = 50;     // per client address
    std::uint32_t idle_timeout_seconds = 300;      // RFC 5321 §4.5.3.2: at least 5 minutes
    std::uint32_t session_timeout_seconds = 3600;  // total life of one connection
    std::uint64_t max_message_size = 50ull << 20;
    std::uint32_t max_recipients = 1000;
    std::uint32_t smtp_line_length = 512;        // RFC 5321 §4.5.3.1.4 command line
    std::uint32_t smtp_text_line_length = 1000;  // RFC 5321 §4.5.3.1.6 text line
    std::uint32_t line_length_ceiling = 8192;    // tolerated before a line is refused outright
    std::uint32_t imap_line_length = 65536;
    std::uint64_t imap_literal_size = 50ull << 20;
    std::uint32_t mime_depth = 64;
    std::uint32_t failed_logins_per_ip = 10;       // per 15 minutes
    std::uint32_t failed_logins_per_account = 10;  // per 15 minutes
};

struct SmtpConfig {
    /// Client networks that may relay without authenticating, as CIDR ("192.0.2.0/24",
    /// "2001:db8::/32") or single addresses. Default: none (no open relay, even from localhost).
    std::vector<std::string> trusted_networks;
    /// Offer AUTH without TLS to loopback clients (local tools, tests). Never off loopback.
    bool plaintext_auth_on_loopback = true;
    /// LMTP on a unix socket ("" = off), besides [listen] lmtp: an absolute path (e.g.
    /// "/var/spool/postfix/private/hermod-lmtp" for Postfix's lmtp:unix:private/hermod-lmtp)
    /// or a path relative to the data folder. Created while still root, before privileges are
    /// dropped, then given to lmtp_socket_user/group with lmtp_socket_mode (Dovecot's
    /// unix_listener { user, group, mode }).
    std::string lmtp_socket = "lmtp.sock";
    std::string lmtp_socket_user;   // owner of the socket file; "" = the user Hermod runs as
    std::string lmtp_socket_group;  // group of the socket file; "" = the owner's primary group
    std::uint32_t lmtp_socket_mode = 0660;  // written as a string of octal digits, "0660"
    /// Protocol errors in one session before "421" and disconnect (RFC 5321 §4.5.3.2 lets a
    /// server close a session that misbehaves).
    std::uint32_t max_errors = 10;
};

/// POP3 (RFC 1939, 2449, 2595, 5034). See docs/pop3.md.
struct Pop3Config {
    /// The mailboxes a POP3 session sees as its maildrop, oldest message first. Default INBOX
    /// only, like every common server; listing "Junk" too lets a downloading client fetch spam.
    std::vector<std::string> mailboxes = {"INBOX"};
    /// Expunge messages a session retrieved (RETR) when it QUITs, as if DELE'd: for clients
    /// that never delete. Advertised as "EXPIRE 0" (RFC 2449 §6.7); false = "EXPIRE NEVER".
    bool expire_retrieved = false;
    /// Minimum seconds between two logins of one account (RFC 2449 §6.8 LOGIN-DELAY); 0 = off.
    std::uint32_t login_delay_seconds = 0;
    /// Allow USER/PASS and AUTH PLAIN/LOGIN without TLS from 127.0.0.0/8 and ::1. Never off
    /// loopback: there STLS (RFC 2595) or the pop3s port comes first.
    bool plaintext_auth_on_loopback = true;
    // APOP (RFC 1939 §7) is not a setting: it needs the password in clear on the server, and
    // Hermod stores only one-way hashes. "apop = true" is refused with that reason.
    /// Protocol errors in one session before "-ERR" and disconnect.
    std::uint32_t max_errors = 10;
};

struct ImapConfig {
    /// Allow LOGIN and AUTHENTICATE PLAIN/LOGIN without TLS from 127.0.0.0/8 and ::1. Never off
    /// loopback: there STARTTLS or the imaps port comes first (RFC 9051 §6.2.3 LOGINDISABLED).
    bool plaintext_auth_on_loopback = true;
    /// Minutes of inactivity before an idle (or IDLE) connection is closed. RFC 9051 §5.4: at
    /// least 30 minutes.
    std::uint32_t autologout_minutes = 30;
    /// Protocol errors (BAD responses) in one session before "* BYE" and disconnect.
    std::uint32_t max_errors = 20;
};

/// Password checks shared by every protocol.
struct AuthConfig {
    /// Seconds a successful login is remembered so the same login + password skips the Argon2
    /// check (POP3 and IMAP clients log in every few minutes); 0 = off. Like Dovecot's
    /// auth_cache_ttl. Only successes are cached, keyed by a keyed hash of login and password,
    /// and an entry dies when the account's stored hash changes.
    std::uint32_t cache_seconds = 3600;
    /// Entries at most (least recently used go first).
    std::uint32_t cache_size = 10000;
};

struct StoreConfig {
    std::string backend = "sqlite";
    std::uint64_t inline_blob_max = 1 << 20;  // bodies up to this size live in the database
};

struct Config {
    ServerConfig server;
    TlsConfig tls;
    LimitsConfig limits;
    StoreConfig store;
    SmtpConfig smtp;
    Pop3Config pop3;
    ImapConfig imap;
    AuthConfig auth;
    std::map<Service, std::vector<ListenAddress>> listen;  // empty list = service off
};

/// The embedded defaults: every service on 127.0.0.1 and ::1 on its unprivileged port.
Config defaults();

struct ConfigError {
    std::string file;
    std::uint32_t line = 0;  // 0 when the error has no position
    std::string message;
    std::string to_string() const;  // "file:line: message"
};

struct LoadResult {
    Config config;
    std::vector<ConfigError> errors;  // empty = config is valid
};

/// Parses TOML text over the defaults; reports every error found, not only the first.
LoadResult parse(std::string_view toml_text, const std::string& source_name);
/// Reads and parses a file (a missing/unreadable file is one error).
LoadResult load_file(const std::string& path);
/// The effective configuration as TOML, loadable again by parse().
std::string to_toml(const Config&);

}  // namespace hermod::config
