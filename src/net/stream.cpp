// stream.cpp - see stream.hpp. All operations of one connection run on that connection's
// strand (the socket's executor), so the watchdog can close the socket without locks.
#include "net/stream.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/stream_impl.hpp"

namespace hermod::net {

namespace asio = boost::asio;
using asio::awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string address_text(const asio::ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
    return a.to_string();
}

Stream::Impl::Impl(tcp::socket s, Deadlines d, std::shared_ptr<TlsContext> t, std::size_t max_line)
    : sock(std::move(s)),
      tls(std::move(t)),
      watchdog(sock.get_executor()),
      idle(d.idle),
      idle_deadline(Clock::now() + d.idle),
      session_deadline(Clock::now() + d.session),
      reader(max_line) {
    boost::system::error_code ec;
    peer = sock.remote_endpoint(ec);
    local = sock.local_endpoint(ec);
}

void Stream::Impl::start() {
    // The watchdog sleeps until the earlier deadline; reads and writes only move
    // idle_deadline forward, so it re-arms itself instead of being cancelled per I/O.
    asio::co_spawn(
        watchdog.get_executor(),
        [self = shared_from_this()]() -> awaitable<void> {
            while (self->open) {
                auto when = std::min(self->idle_deadline, self->session_deadline);
                self->watchdog.expires_at(when);
                // A cancel (deadline changed) and an expiry are told apart by the clock.
                co_await self->watchdog.async_wait(kTuple);
                if (!self->open) break;
                auto now = Clock::now();
                if (now >= self->session_deadline) {
                    self->expired = Expired::Session;
                } else if (now >= self->idle_deadline) {
                    self->expired = Expired::Idle;
                } else {
                    continue;  // deadline moved, or a spurious cancel
                }
                self->close();
            }
        },
        asio::detached);
}

void Stream::Impl::close() {
    if (!open) return;
    open = false;
    boost::system::error_code ec;
    auto& s = socket();
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
    watchdog.cancel();
}

std::error_code Stream::Impl::translate(const boost::system::error_code& ec) const {
    if (expired != Expired::None) return std::make_error_code(std::errc::timed_out);
    if (!ec && !open) return std::make_error_code(std::errc::not_connected);
    return ec;
}

Stream::Stream(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Stream::~Stream() {
    if (impl_) impl_->close();
}
Stream::Stream(Stream&&) noexcept = default;
Stream& Stream::operator=(Stream&&) noexcept = default;

awaitable<IoResult> Stream::read_some(std::span<char> buf) {
    auto& d = *impl_;
    if (!d.open) co_return IoResult{d.translate({}), 0};
    boost::system::error_code ec;
    std::size_t n = 0;
    if (d.tls_stream)
        std::tie(ec, n) = co_await d.tls_stream->async_read_some(asio::buffer(buf), kTuple);
    else
        std::tie(ec, n) = co_await d.sock.async_read_some(asio::buffer(buf), kTuple);
    d.bytes_read += n;
    if (!ec) d.touch();
    co_return IoResult{ec ? d.translate(ec) : std::error_code{}, n};
}

awaitable<IoResult> Stream::write(std::string_view data) {
    auto& d = *impl_;
    if (!d.open) co_return IoResult{d.translate({}), 0};
    boost::system::error_code ec;
    std::size_t n = 0;
    if (d.tls_stream)
        std::tie(ec, n) = co_await asio::async_write(*d.tls_stream, asio::buffer(data), kTuple);
    else
        std::tie(ec, n) = co_await asio::async_write(d.sock, asio::buffer(data), kTuple);
    d.bytes_written += n;
    if (!ec) d.touch();
    co_return IoResult{ec ? d.translate(ec) : std::error_code{}, n};
}

awaitable<LineResult> Stream::read_line() {
    auto& d = *impl_;
    char buf[4096];
    for (;;) {
        auto r = d.reader.next();
        if (r.status != LineReader::Status::NeedMore) co_return LineResult{{}, r};
        auto io = co_await read_some(buf);
        if (io.ec) co_return LineResult{io.ec, {}};
        d.reader.feed(std::string_view(buf, io.bytes));
    }
}

LineReader& Stream::reader() {
    return impl_->reader;
}

awaitable<std::error_code> Stream::start_tls() {
    auto& d = *impl_;
    // Plaintext that arrived with or after the STARTTLS command was sent before the
    // handshake and could have been injected by a man in the middle: never use it.
    d.reader.discard_buffered();
    if (!d.open) co_return d.translate({});
    if (d.tls_stream || !d.tls) {
        d.close();
        co_return std::make_error_code(std::errc::protocol_not_supported);
    }
    d.tls_stream.emplace(std::move(d.sock), d.tls->asio_context());
    d.touch();
    auto [ec] = co_await d.tls_stream->async_handshake(asio::ssl::stream_base::server, kTuple);
    if (ec) {
        auto out = d.translate(ec);
        d.close();
        co_return out;
    }
    d.touch();
    d.tls_established = true;
    co_return std::error_code{};
}

awaitable<void> Stream::shutdown() {
    auto& d = *impl_;
    if (d.open && d.tls_established) {
        set_idle_timeout(std::chrono::seconds(2));
        co_await d.tls_stream->async_shutdown(kTuple);
    }
    d.close();
}

bool Stream::tls_available() const {
    return impl_->tls != nullptr;
}
bool Stream::is_tls() const {
    return impl_->tls_established;
}

std::string Stream::tls_version() const {
    if (!impl_->tls_stream) return {};
    return SSL_get_version(impl_->tls_stream->native_handle());
}

std::string Stream::tls_cipher() const {
    if (!impl_->tls_stream) return {};
    const char* c = SSL_get_cipher_name(impl_->tls_stream->native_handle());
    return c ? c : "";
}

std::string Stream::peer_address() const {
    return address_text(impl_->peer.address());
}
bool Stream::peer_is_loopback() const {
    auto a = impl_->peer.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).is_loopback();
    return a.is_loopback();
}
std::uint16_t Stream::peer_port() const {
    return impl_->peer.port();
}
std::string Stream::local_address() const {
    return address_text(impl_->local.address());
}
std::uint16_t Stream::local_port() const {
    return impl_->local.port();
}

void Stream::set_idle_timeout(std::chrono::seconds idle) {
    impl_->idle = idle;
    impl_->touch();
    // Wake the watchdog so a shorter deadline takes effect now, not at the old one.
    impl_->watchdog.cancel();
}

Expired Stream::expired() const {
    return impl_->expired;
}
bool Stream::shutting_down() const {
    return impl_->shutting_down.load();
}
void Stream::close() {
    impl_->close();
}
bool Stream::is_open() const {
    return impl_->open;
}
std::uint64_t Stream::bytes_read() const {
    return impl_->bytes_read;
}
std::uint64_t Stream::bytes_written() const {
    return impl_->bytes_written;
}

}  // namespace hermod::net
