// stream.hpp - one client connection as protocol sessions see it: plain TCP or TLS, with an
// in-place STARTTLS upgrade (RFC 3207, RFC 2595, RFC 8314 implicit TLS) and deadlines.
//
// Security: every connection has an idle deadline and a total session deadline enforced by a
// watchdog timer, so a silent or slow client cannot hold a slot forever; when one expires the
// socket is closed and pending I/O completes with std::errc::timed_out. start_tls() throws away
// any plaintext already buffered (CVE-2011-0411: commands pipelined after STARTTLS must not be
// executed as if they came over TLS). Asio stays out of this header (pimpl) to keep protocol
// files cheap to compile; only the lightweight awaitable type is needed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "net/line_reader.hpp"

namespace hermod::net {

class TlsContext;

struct IoResult {
    std::error_code ec;  ///< set on close, error or timeout (std::errc::timed_out)
    std::size_t bytes = 0;
};

struct LineResult {
    std::error_code ec;       ///< I/O ended before a line was complete
    LineReader::Result line;  ///< Line or TooLong when !ec (never NeedMore)
};

struct Deadlines {
    std::chrono::seconds idle{300};      ///< since the last completed read or write
    std::chrono::seconds session{3600};  ///< since the connection was accepted
};

enum class Expired { None, Idle, Session };

class Stream {
  public:
    struct Impl;  // defined in stream_impl.hpp, shared with server.cpp
    explicit Stream(std::shared_ptr<Impl> impl);
    ~Stream();  // closes the connection
    Stream(Stream&&) noexcept;
    Stream& operator=(Stream&&) noexcept;

    /// Reads what is available (at least one byte) into `buf`.
    boost::asio::awaitable<IoResult> read_some(std::span<char> buf);
    /// Writes all of `data`.
    boost::asio::awaitable<IoResult> write(std::string_view data);
    /// The next line from reader(), reading from the socket as needed. The view is valid until
    /// the next read call.
    boost::asio::awaitable<LineResult> read_line();
    /// The connection's line reader (limit from the constructor; protocols may change it and
    /// take buffered bytes for DATA or literals).
    LineReader& reader();

    /// Server-side TLS handshake on the same socket. Discards everything buffered in reader()
    /// first. On failure the connection is closed. Precondition: !is_tls() and a TlsContext.
    boost::asio::awaitable<std::error_code> start_tls();
    bool tls_available() const;
    bool is_tls() const;
    std::string tls_version() const;  ///< "TLSv1.3", or "" when plain
    std::string tls_cipher() const;   ///< "TLS_AES_256_GCM_SHA384", or ""

    std::string peer_address() const;  ///< "192.0.2.1", "2001:db8::1" (IPv4-mapped shown as v4)
    /// The peer is 127.0.0.0/8 or ::1 (IPv4-mapped included): where protocols may allow
    /// plaintext logins (RFC 8314 §3).
    bool peer_is_loopback() const;
    std::uint16_t peer_port() const;
    std::string local_address() const;
    std::uint16_t local_port() const;

    /// Changes the idle deadline from now on (e.g. longer for IMAP IDLE, RFC 2177 §3).
    void set_idle_timeout(std::chrono::seconds idle);
    Expired expired() const;
    /// True once the server is shutting down; handlers should finish the current command and
    /// say goodbye (SMTP 421, IMAP BYE) at the next opportunity.
    bool shutting_down() const;
    /// Closes the socket; pending and later I/O fail.
    void close();
    /// Graceful end: on TLS, sends close_notify (RFC 8446 §6.1; waits at most 2 s for the
    /// peer's), then closes. The server calls it when a handler returns.
    boost::asio::awaitable<void> shutdown();
    bool is_open() const;

    std::uint64_t bytes_read() const;
    std::uint64_t bytes_written() const;

    Impl& impl() { return *impl_; }

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace hermod::net
