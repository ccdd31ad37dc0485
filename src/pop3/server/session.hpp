// session.hpp - the POP3 server session (RFC 1939, 2449, 2595, 5034): one coroutine per
// connection over net::Stream for the services pop3 (110, STLS) and pop3s (995, implicit TLS,
// done by net). AUTHORIZATION -> TRANSACTION -> UPDATE, a command table, replies from
// pop3/proto/reply.hpp.
// Security: serves unauthenticated peers; plaintext credentials are refused off loopback before
// TLS; failed logins go through the Authenticator (delay, per-IP and per-account limits); a
// session ends after too many errors; the maildrop lock is released however the session ends.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "config/config.hpp"
#include "net/server.hpp"

namespace hermod::store {
class Store;
}
namespace hermod::auth {
class Authenticator;
}

namespace hermod::pop3 {

/// What a session needs; all must outlive the server.
struct Services {
    const config::Config* cfg = nullptr;
    store::Store* store = nullptr;
    auth::Authenticator* authenticator = nullptr;
};

/// Runs one session until QUIT, an error limit, a timeout, shutdown or the peer going away.
boost::asio::awaitable<void> run_session(net::Stream& stream, Services services);

/// A net::Handler running run_session().
net::Handler make_handler(Services services);

}  // namespace hermod::pop3
