// server.cpp - see server.hpp. Threads: one io_context run by N threads; the acceptors, the
// signal set and the shutdown timers live on one control strand; each connection runs on a
// strand of its own (its socket's executor), so a session never needs locks for its own state.
#include "net/server.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "common/log.hpp"
#include "net/connection_limiter.hpp"
#include "net/stream_impl.hpp"

namespace hermod::net {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using config::Service;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

enum class Family { Smtp, Imap, Pop3, Http };

Family family(Service s) {
    switch (s) {
        case Service::Smtp:
        case Service::Submission:
        case Service::Submissions:
        case Service::Lmtp:
            return Family::Smtp;
        case Service::Imap:
        case Service::Imaps:
            return Family::Imap;
        case Service::Pop3:
        case Service::Pop3s:
            return Family::Pop3;
        case Service::Http:
            return Family::Http;
    }
    return Family::Smtp;
}

// How long a TLS handshake may take on implicit-TLS ports, capped by the idle timeout.
constexpr std::chrono::seconds kHandshakeTimeout{30};
// How long a refusal line may take to write before we just close.
constexpr std::chrono::seconds kRefusalTimeout{10};
// After the grace period, closed sessions get this long to unwind before the loop is stopped.
constexpr std::chrono::seconds kForceStopDelay{5};

}  // namespace

std::string refusal_line(Service s, const std::string& host) {
    switch (family(s)) {
        case Family::Smtp:  // RFC 5321 §3.8, RFC 3463 4.7.0
            return "421 4.7.0 " + host + " Too many connections, try again later\r\n";
        case Family::Imap:  // RFC 9051 §7.1.5
            return "* BYE Too many connections, try again later\r\n";
        case Family::Pop3:  // RFC 3206 SYS/TEMP
            return "-ERR [SYS/TEMP] Too many connections, try again later\r\n";
        case Family::Http:
            return "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 60\r\n"
                   "Connection: close\r\n\r\n";
    }
    return {};
}

std::string not_implemented_line(Service s, const std::string& host) {
    switch (family(s)) {
        case Family::Smtp:  // 421: the client retries later rather than bouncing (RFC 5321 §4.2)
            return "421 4.3.2 " + host + " Service not available yet\r\n";
        case Family::Imap:
            return "* BYE " + host + " IMAP service not available yet\r\n";
        case Family::Pop3:
            return "-ERR [SYS/TEMP] " + host + " POP3 service not available yet\r\n";
        case Family::Http:
            return "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
    return {};
}

struct Server::Impl {
    struct Listener {
        Service service;
        std::string host;
        tcp::acceptor acceptor;
        std::uint16_t port = 0;
    };
    struct UnixListener {
        Service service;
        std::string path;
        asio::local::stream_protocol::acceptor acceptor;
    };

    // Declared before the io_context so they outlive it: destroying the io_context destroys
    // any session frames still pending, and their guards unregister here.
    mutable std::mutex mutex;
    std::unordered_map<std::uint64_t, std::weak_ptr<Stream::Impl>> sessions;
    std::uint64_t next_id = 1;
    std::atomic<bool> stopping{false};
    std::atomic<bool> destroying{false};
    config::Config cfg;
    std::shared_ptr<TlsContext> tls;
    std::map<Service, Handler> handlers;
    std::vector<std::function<void()>> shutdown_callbacks;
    ConnectionLimiter limiter;

    asio::io_context ioc;
    asio::strand<asio::io_context::executor_type> control{asio::make_strand(ioc)};
    asio::steady_timer grace_timer{control};
    std::vector<std::unique_ptr<Listener>> listeners;
    std::vector<std::unique_ptr<UnixListener>> unix_listeners;
    std::optional<asio::signal_set> signals;
    bool bound_done = false;
    bool ran = false;

    Impl(const config::Config& c, std::shared_ptr<TlsContext> t)
        : cfg(c),
          tls(std::move(t)),
          limiter(c.limits.max_connections, c.limits.max_connections_per_ip) {}

    ~Impl() {
        destroying = true;
        signals.reset();
        listeners.clear();
        close_unix_listeners();
    }

    void bind();
    /// Accepts on `acceptor` until it closes and hands each connection to `serve`. Accept
    /// errors such as EMFILE/ENFILE back off instead of spinning on the error.
    template <typename Acceptor, typename Serve>
    awaitable<void> accept_loop(Acceptor& acceptor, std::string where, Serve serve);
    awaitable<void> accept_loop(Listener& l);
    awaitable<void> unix_accept_loop(UnixListener& l);
    awaitable<void> session(Service svc, tcp::socket sock, bool local_socket = false);
    void add_unix_listener(const std::string& path, Service svc, unsigned mode, int owner,
                           int group);
    void close_unix_listeners();
    void begin_shutdown();
    void close_all();
    void session_ended(std::uint64_t id);
};

void Server::Impl::bind() {
    for (const auto& entry : cfg.listen) {
        // Named copies: clang 14 (the fuzz preset) cannot capture structured bindings.
        const config::Service svc = entry.first;
        const auto& addrs = entry.second;
        for (const auto& addr : addrs) {
            auto fail = [&](const std::string& why) {
                return std::runtime_error("cannot listen on " + addr.to_string() + " (" +
                                          config::service_name(svc) + "): " + why);
            };
            boost::system::error_code ec;
            auto ip = asio::ip::make_address(addr.host, ec);
            if (ec) throw fail("not an IP address");
            tcp::endpoint ep(ip, addr.port);
            auto l = std::make_unique<Listener>(Listener{svc, addr.host, tcp::acceptor(control)});
            auto& a = l->acceptor;
            a.open(ep.protocol(), ec);
            if (ec) throw fail(ec.message());
            a.set_option(tcp::acceptor::reuse_address(true), ec);
            // One socket per family: a v6 listener must not also grab the v4 port.
            if (ip.is_v6()) a.set_option(asio::ip::v6_only(true), ec);
            a.bind(ep, ec);
            if (ec) throw fail(ec.message());
            a.listen(tcp::acceptor::max_listen_connections, ec);
            if (ec) throw fail(ec.message());
            l->port = a.local_endpoint().port();
            spdlog::info("net: listening on {} ({})",
                         config::ListenAddress{addr.host, l->port}.to_string(),
                         config::service_name(svc));
            listeners.push_back(std::move(l));
        }
    }
    bound_done = true;
    // Catch SIGINT/SIGTERM from here on, not only once run() starts: the caller announces
    // readiness between bind() and run(), and a signal in that window must still mean a
    // graceful stop (it is delivered as soon as the loop runs).
    signals.emplace(control, SIGINT, SIGTERM);
    signals->async_wait([this](boost::system::error_code ec, int sig) {
        if (ec) return;
        spdlog::info("net: signal {} received", sig);
        begin_shutdown();
    });
}

template <typename Acceptor, typename Serve>
awaitable<void> Server::Impl::accept_loop(Acceptor& acceptor, std::string where, Serve serve) {
    for (;;) {
        auto [ec, sock] = co_await acceptor.async_accept(asio::make_strand(ioc), kTuple);
        if (stopping) co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor)
                co_return;
            spdlog::warn("net: accept on {}: {}", where, ec.message());
            asio::steady_timer t(control, std::chrono::milliseconds(100));
            co_await t.async_wait(kTuple);
            continue;
        }
        serve(std::move(sock));
    }
}

awaitable<void> Server::Impl::accept_loop(Listener& l) {
    std::string where = fmt::format("{} port {}", config::service_name(l.service), l.port);
    return accept_loop(l.acceptor, std::move(where), [this, svc = l.service](tcp::socket sock) {
        // Replies are written whole, once per command or pipelined group, so Nagle's algorithm
        // only adds delay: a reply's tail waits for the ACK of its head, which the client's
        // delayed ACK holds back ~40 ms (measured on IMAP FETCH of ~100 KB bodies).
        boost::system::error_code nodelay_ec;
        sock.set_option(tcp::no_delay(true), nodelay_ec);
        auto ex = sock.get_executor();
        asio::co_spawn(ex, session(svc, std::move(sock)), asio::detached);
    });
}

void Server::Impl::add_unix_listener(const std::string& path, Service svc, unsigned mode, int owner,
                                     int group) {
    auto fail = [&](const std::string& why) {
        return std::runtime_error("cannot listen on " + path + " (" + config::service_name(svc) +
                                  "): " + why);
    };
    // Replace a socket left by a previous run, never any other kind of file.
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) throw fail("exists and is not a socket");
        ::unlink(path.c_str());
    }
    using local = asio::local::stream_protocol;
    auto l = std::make_unique<UnixListener>(UnixListener{svc, path, local::acceptor(control)});
    boost::system::error_code ec;
    l->acceptor.open(local(), ec);
    if (ec) throw fail(ec.message());
    l->acceptor.bind(local::endpoint(path), ec);
    if (ec) throw fail(ec.message());
    // Owner and mode before listen(): until then a connect() is refused, so no client ever
    // reaches the socket with the permissions it was created with.
    if ((owner >= 0 || group >= 0) &&
        ::lchown(path.c_str(), static_cast<uid_t>(owner), static_cast<gid_t>(group)) != 0)
        throw fail(
            fmt::format("cannot give it to uid {} gid {}: {}", owner, group, std::strerror(errno)));
    if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) throw fail(std::strerror(errno));
    l->acceptor.listen(local::acceptor::max_listen_connections, ec);
    if (ec) throw fail(ec.message());
    spdlog::info("net: listening on {} ({})", path, config::service_name(svc));
    unix_listeners.push_back(std::move(l));
}

void Server::Impl::close_unix_listeners() {
    for (auto& l : unix_listeners) {
        if (!l->acceptor.is_open()) continue;
        boost::system::error_code ec;
        l->acceptor.close(ec);
        ::unlink(l->path.c_str());
    }
}

awaitable<void> Server::Impl::unix_accept_loop(UnixListener& l) {
    using local = asio::local::stream_protocol;
    return accept_loop(l.acceptor, l.path, [this, &l](local::socket sock) {
        // Stream::Impl is built on a TCP socket; a connected stream socket of another family
        // reads and writes the same way, so the descriptor is adopted as-is (session() then
        // overrides the endpoints, which getpeername cannot give for AF_UNIX).
        auto ex = sock.get_executor();
        boost::system::error_code ec;
        tcp::socket adopted(ex);
        adopted.assign(tcp::v4(), sock.release(), ec);
        if (ec) {
            spdlog::warn("net: cannot adopt connection on {}: {}", l.path, ec.message());
            return;
        }
        asio::co_spawn(ex, session(l.service, std::move(adopted), true), asio::detached);
    });
}

void Server::Impl::session_ended(std::uint64_t id) {
    bool last;
    {
        std::lock_guard lock(mutex);
        sessions.erase(id);
        last = sessions.empty();
    }
    if (last && stopping && !destroying) asio::post(control, [this] { grace_timer.cancel(); });
}

awaitable<void> Server::Impl::session(Service svc, tcp::socket sock, bool local_socket) {
    const auto& lim = cfg.limits;
    Deadlines deadlines{std::chrono::seconds(lim.idle_timeout_seconds),
                        std::chrono::seconds(lim.session_timeout_seconds)};
    // No TLS on a unix socket: it never leaves the host.
    auto impl =
        std::make_shared<Stream::Impl>(std::move(sock), deadlines, local_socket ? nullptr : tls,
                                       std::max<std::uint32_t>(lim.line_length_ceiling, 2));
    if (local_socket) impl->peer = impl->local = tcp::endpoint(asio::ip::address_v4::loopback(), 0);
    impl->start();
    Stream stream(impl);
    std::uint64_t id;
    {
        std::lock_guard lock(mutex);
        id = next_id++;
        sessions.emplace(id, impl);
        if (stopping) impl->shutting_down = true;
    }
    struct Guard {
        Impl* self;
        std::uint64_t id;
        ~Guard() { self->session_ended(id); }
    } guard{this, id};

    const char* name = config::service_name(svc);
    std::string peer = stream.peer_address() + " port " + std::to_string(stream.peer_port());
    auto started = std::chrono::steady_clock::now();

    auto acquired = limiter.try_acquire(stream.peer_address());
    if (!acquired) {
        spdlog::info("net: {} #{} refused {}: {}", name, id, peer, refusal_text(acquired.refusal));
        // Implicit-TLS ports get no line: a plaintext reply would be garbage to a TLS client,
        // and a handshake for a refusal is CPU we would spend on the client's behalf.
        if (!config::implicit_tls(svc)) {
            stream.set_idle_timeout(kRefusalTimeout);
            co_await stream.write(refusal_line(svc, cfg.server.hostname));
        }
        co_return;
    }
    spdlog::info("net: {} #{} connect from {}", name, id, peer);

    bool ok = true;
    if (config::implicit_tls(svc) && !local_socket) {
        stream.set_idle_timeout(std::min(kHandshakeTimeout, deadlines.idle));
        auto ec = stream.tls_available() ? co_await stream.start_tls()
                                         : std::make_error_code(std::errc::protocol_not_supported);
        if (ec) {
            spdlog::info("net: {} #{} TLS handshake failed: {}", name, id, ec.message());
            ok = false;
        } else {
            stream.set_idle_timeout(deadlines.idle);
        }
    }
    if (ok) {
        auto it = handlers.find(svc);
        try {
            if (it != handlers.end() && it->second)
                co_await it->second(stream);
            else
                co_await stream.write(not_implemented_line(svc, cfg.server.hostname));
        } catch (const std::exception& e) {
            spdlog::error("net: {} #{} handler failed: {}", name, id, e.what());
        }
    }
    const char* why = stream.expired() == Expired::Idle      ? ", idle timeout"
                      : stream.expired() == Expired::Session ? ", session timeout"
                                                             : "";
    co_await stream.shutdown();  // after `why`: its own 2 s limit is no idle timeout
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("net: {} #{} close {} after {:.1f}s, {} bytes in, {} out{}{}", name, id, peer,
                 secs, stream.bytes_read(), stream.bytes_written(),
                 stream.is_tls() ? ", " + stream.tls_version() : std::string(), why);
}

void Server::Impl::begin_shutdown() {
    if (stopping.exchange(true)) return;
    for (auto& l : listeners) {
        boost::system::error_code ec;
        l->acceptor.close(ec);
    }
    close_unix_listeners();
    if (signals) signals->cancel();
    std::size_t open;
    {
        std::lock_guard lock(mutex);
        open = sessions.size();
        for (auto& [id, w] : sessions)
            if (auto s = w.lock()) s->shutting_down = true;
    }
    spdlog::info("net: shutting down, {} sessions open, grace {}s", open,
                 cfg.server.shutdown_grace_seconds);
    for (auto& cb : shutdown_callbacks) {
        try {
            cb();
        } catch (const std::exception& e) {
            spdlog::error("net: shutdown callback failed: {}", e.what());
        }
    }
    grace_timer.expires_after(std::chrono::seconds(cfg.server.shutdown_grace_seconds));
    grace_timer.async_wait([this](boost::system::error_code ec) {
        bool empty;
        {
            std::lock_guard lock(mutex);
            empty = sessions.empty();
        }
        if (ec == asio::error::operation_aborted && empty) return;  // all sessions finished
        if (empty) return;
        close_all();
    });
    if (open == 0) grace_timer.cancel();
}

void Server::Impl::close_all() {
    std::vector<std::shared_ptr<Stream::Impl>> open;
    {
        std::lock_guard lock(mutex);
        for (auto& [id, w] : sessions)
            if (auto s = w.lock()) open.push_back(std::move(s));
    }
    spdlog::info("net: grace period over, closing {} sessions", open.size());
    for (auto& s : open) {
        auto ex = s->watchdog.get_executor();
        asio::dispatch(ex, [s] { s->close(); });
    }
    // Sessions stuck in something other than socket I/O cannot be interrupted by a close;
    // do not let them hold the process.
    grace_timer.expires_after(kForceStopDelay);
    grace_timer.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        spdlog::warn("net: sessions did not finish, stopping anyway");
        ioc.stop();
    });
}

Server::Server(const config::Config& cfg, std::shared_ptr<TlsContext> tls)
    : impl_(std::make_shared<Impl>(cfg, std::move(tls))) {}
Server::~Server() = default;

void Server::set_handler(Service s, Handler h) {
    impl_->handlers[s] = std::move(h);
}
void Server::on_shutdown(std::function<void()> cb) {
    impl_->shutdown_callbacks.push_back(std::move(cb));
}
boost::asio::any_io_executor Server::executor() {
    return impl_->ioc.get_executor();
}
void Server::bind() {
    impl_->bind();
}
void Server::add_unix_listener(const std::string& path, Service service, unsigned mode, int owner,
                               int group) {
    impl_->add_unix_listener(path, service, mode, owner, group);
}

std::vector<Bound> Server::bound() const {
    std::vector<Bound> out;
    for (auto& l : impl_->listeners)
        out.push_back(Bound{l->service, l->host, l->port});
    return out;
}

void Server::run(unsigned threads) {
    auto& d = *impl_;
    if (d.ran) throw std::logic_error("Server::run called twice");
    d.ran = true;
    if (!d.bound_done) d.bind();
    for (auto& l : d.listeners)
        asio::co_spawn(d.control, d.accept_loop(*l), asio::detached);
    for (auto& l : d.unix_listeners)
        asio::co_spawn(d.control, d.unix_accept_loop(*l), asio::detached);
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i)
        pool.emplace_back([&d] { d.ioc.run(); });
    d.ioc.run();
    for (auto& t : pool)
        t.join();
    spdlog::info("net: stopped");
}

void Server::stop() {
    auto* d = impl_.get();
    asio::post(d->control, [d] { d->begin_shutdown(); });
}

const ConnectionLimiter& Server::limiter() const {
    return impl_->limiter;
}

std::size_t Server::sessions() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->sessions.size();
}

void drop_privileges(const std::string& user) {
    if (::geteuid() != 0) return;
    errno = 0;
    struct passwd* pw = ::getpwnam(user.c_str());
    if (!pw)
        throw std::runtime_error("cannot switch to user \"" + user +
                                 "\": " + (errno ? std::strerror(errno) : "no such user"));
    // Copy out of getpwnam's static buffer before the next libc call can reuse it.
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    std::string name = pw->pw_name;
    if (uid == 0)
        throw std::runtime_error("refusing to run as user \"" + user + "\": it is root (uid 0)");
    auto fail = [&](const char* what) {
        return std::runtime_error("cannot switch to user \"" + user + "\": " + what + ": " +
                                  std::strerror(errno));
    };
    if (::initgroups(name.c_str(), gid) != 0) throw fail("initgroups");
    if (::setresgid(gid, gid, gid) != 0) throw fail("setgid");
    if (::setresuid(uid, uid, uid) != 0) throw fail("setuid");
    // Saved IDs are set too, so this must fail; if it does not, the drop was not real.
    if (::setuid(0) == 0 || ::seteuid(0) == 0)
        throw std::runtime_error("cannot switch to user \"" + user + "\": root could be regained");
    spdlog::info("net: running as user {} (uid {}, gid {})", name, uid, gid);
}

}  // namespace hermod::net
