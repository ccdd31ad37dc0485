// session.hpp - the SMTP/LMTP server session: one coroutine per connection over net::Stream for
// the services smtp (MX, RFC 5321), submission (RFC 6409, STARTTLS RFC 3207, AUTH RFC 4954),
// submissions (RFC 8314 implicit TLS, done by net) and lmtp (RFC 2033).
// Security: serves unauthenticated peers; all policy (relay, sender ownership, limits, AUTH
// offering, error counting) is applied in the session before the deliverer is asked.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "config/config.hpp"
#include "net/server.hpp"

namespace hermod::delivery {
class Deliverer;
}
namespace hermod::auth {
class Authenticator;
}

namespace hermod::smtp {

/// Which dialect a listener speaks.
enum class Mode : std::uint8_t {
    Smtp,        ///< port 25: MX, relay only for trusted or authenticated clients
    Submission,  ///< ports 587/465: AUTH required before MAIL, sender ownership checked
    Lmtp,        ///< RFC 2033: LHLO, per-recipient replies, never relays
};

/// Smtp -> Smtp, Submission/Submissions -> Submission, Lmtp -> Lmtp.
Mode mode_for(config::Service service);

/// What a session needs; all must outlive the server. `authenticator` may be null (no AUTH).
struct Services {
    const config::Config* cfg = nullptr;
    delivery::Deliverer* deliverer = nullptr;
    auth::Authenticator* authenticator = nullptr;
};

/// Runs one session until QUIT, an error limit, a timeout, shutdown or the peer going away.
boost::asio::awaitable<void> run_session(net::Stream& stream, Services services, Mode mode);

/// A net::Handler running run_session() with `mode`.
net::Handler make_handler(Services services, Mode mode);

/// Waits for the threads that fsync large message bodies (a process-wide pool) to finish their
/// work and exit. Call once at process shutdown, after every server has stopped.
void join_background_threads();

}  // namespace hermod::smtp
