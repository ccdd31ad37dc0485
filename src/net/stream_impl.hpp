// stream_impl.hpp - internal to hermod_net: the Asio side of Stream (socket, TLS layer,
// watchdog). Included only by stream.cpp and server.cpp; protocols use stream.hpp.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>

#include "net/stream.hpp"
#include "net/tls.hpp"

namespace hermod::net {

struct Stream::Impl : std::enable_shared_from_this<Stream::Impl> {
    using tcp = boost::asio::ip::tcp;
    using Clock = std::chrono::steady_clock;

    Impl(tcp::socket sock, Deadlines deadlines, std::shared_ptr<TlsContext> tls,
         std::size_t max_line);

    /// Starts the watchdog; call once, on the connection's executor, after construction.
    void start();
    void close();
    void touch() { idle_deadline = Clock::now() + idle; }
    tcp::socket& socket() { return tls_stream ? tls_stream->next_layer() : sock; }
    std::error_code translate(const boost::system::error_code& ec) const;

    tcp::socket sock;  // moved into tls_stream by start_tls()
    std::optional<boost::asio::ssl::stream<tcp::socket>> tls_stream;
    std::shared_ptr<TlsContext> tls;
    boost::asio::steady_timer watchdog;
    std::chrono::seconds idle;
    Clock::time_point idle_deadline;
    Clock::time_point session_deadline;
    Expired expired = Expired::None;
    bool open = true;
    bool tls_established = false;  // handshake completed
    std::atomic<bool> shutting_down{false};
    LineReader reader;
    tcp::endpoint peer, local;
    std::uint64_t bytes_read = 0, bytes_written = 0;
};

/// Canonical text of an address; IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes a.b.c.d.
std::string address_text(const boost::asio::ip::address& a);

}  // namespace hermod::net
