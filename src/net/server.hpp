// server.hpp - the listeners behind `hermod serve`: binds every configured address, accepts,
// applies connection limits, performs implicit TLS (RFC 8314), and runs one protocol handler
// coroutine per connection on its own strand. Handles SIGTERM/SIGINT with a grace period.
//
// Security: limits and deadlines apply before any protocol byte; ports without a handler answer
// a protocol-appropriate "not available" line instead of hanging; drop_privileges() gives up
// root after binding.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "net/stream.hpp"

namespace hermod::net {

class TlsContext;
class ConnectionLimiter;

/// Serves one connection. The stream is closed when the coroutine returns.
using Handler = std::function<boost::asio::awaitable<void>(Stream&)>;

/// One bound listener; `port` is the real port (useful when the config asked for port 0).
struct Bound {
    config::Service service;
    std::string host;
    std::uint16_t port = 0;
};

class Server {
  public:
    /// `tls` may be null: implicit-TLS listeners then refuse connections and start_tls() fails.
    Server(const config::Config& cfg, std::shared_ptr<TlsContext> tls);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Services without a handler greet with a "not available" line and close. Call before
    /// run(); handlers are read without locks while serving.
    void set_handler(config::Service service, Handler handler);
    /// Called once (on a server thread) when shutdown begins, before the grace period: stop
    /// background work started on executor() here, or run() cannot return. Call before run().
    void on_shutdown(std::function<void()> callback);
    /// The executor run() serves, for background tasks (queue runner, timers) that should
    /// share the server's threads.
    boost::asio::any_io_executor executor();
    /// Binds every address in cfg.listen. Throws std::runtime_error with one line, e.g.
    /// "cannot listen on 127.0.0.1:2525 (smtp): Address already in use".
    void bind();
    std::vector<Bound> bound() const;
    /// Also listens on a unix-domain stream socket at `path` for `service` (e.g. LMTP from a
    /// local MTA, RFC 2033 §5), owned by `owner`:`group` (-1 = leave as created; changing it
    /// needs root, so call this before drop_privileges()) with file mode `mode` (0660: owner
    /// and group; 0666: any local user), both set before it accepts. A stale socket file is
    /// replaced, any other file is refused; the file is removed on shutdown (when the
    /// directory still lets us). Such clients are local: the stream reports peer 127.0.0.1
    /// port 0, and no TLS is offered by implicit services on it. Throws std::runtime_error like
    /// bind(). Call before run().
    void add_unix_listener(const std::string& path, config::Service service, unsigned mode = 0660,
                           int owner = -1, int group = -1);
    /// Accepts and serves on `threads` threads (the caller's included) until stop() or
    /// SIGTERM/SIGINT; then stops accepting, lets sessions run for
    /// cfg.server.shutdown_grace_seconds, closes the rest and returns. Calls bind() if needed.
    /// Callable once.
    void run(unsigned threads = 1);
    /// Starts the shutdown described in run(); thread-safe, idempotent.
    void stop();

    const ConnectionLimiter& limiter() const;
    /// Open sessions right now.
    std::size_t sessions() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

/// The line sent to refuse a connection over the limit (SMTP/LMTP "421 4.7.0 ...", IMAP
/// "* BYE ...", POP3 "-ERR ...", HTTP 503).
std::string refusal_line(config::Service service, const std::string& hostname);
/// The greeting of a service that has no handler yet (SMTP "421 4.3.2 <host> Service not
/// available yet", IMAP "* BYE ...", POP3 "-ERR ...", HTTP 501).
std::string not_implemented_line(config::Service service, const std::string& hostname);

/// When running as root: switches to `user` (initgroups, setgid, setuid) and verifies root
/// cannot be regained. Throws std::runtime_error if the user does not exist or a call fails.
/// No-op when not root.
void drop_privileges(const std::string& user);

}  // namespace hermod::net
