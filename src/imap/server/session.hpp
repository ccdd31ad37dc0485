// session.hpp - the IMAP server session (RFC 9051 IMAP4rev2 with RFC 3501 IMAP4rev1
// compatibility): one coroutine per connection over net::Stream for the services imap (143,
// STARTTLS) and imaps (993, implicit TLS, done by net). Not authenticated -> authenticated ->
// selected (RFC 9051 §3), a command table with one handler file per command, responses from
// imap/proto/encoder.hpp.
// Security: serves unauthenticated peers; every command is bounded by the command assembler
// (line and literal limits); plaintext logins are refused off loopback before TLS; failed
// logins go through the Authenticator (delay, per-IP and per-account limits).
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

namespace hermod::imap {

/// What a session needs; all must outlive the server.
struct Services {
    const config::Config* cfg = nullptr;
    store::Store* store = nullptr;
    auth::Authenticator* authenticator = nullptr;
};

/// Runs one session until LOGOUT, a timeout, shutdown or the peer going away.
boost::asio::awaitable<void> run_session(net::Stream& stream, Services services);

/// A net::Handler running run_session().
net::Handler make_handler(Services services);

}  // namespace hermod::imap
