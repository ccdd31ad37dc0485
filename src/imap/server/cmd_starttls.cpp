// cmd_starttls.cpp - STARTTLS (RFC 9051 §6.2.1, RFC 2595 §3.1): the TLS upgrade of the imap port.
// Security: the OK is written before the handshake, and start_tls() discards any plaintext the
// client pipelined after STARTTLS (CVE-2011-0411 family); the client must ask for CAPABILITY
// again, which now reflects TLS.
#include "common/log.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> cmd_starttls(Session& s, proto::Parser& p) {
    if (!p.end()) {
        parse_failed(s, p);
        co_return;
    }
    if (s.tls()) {
        s.done(Status::Bad, "TLS already active");
        co_return;
    }
    if (!s.stream.tls_available()) {
        s.done(Status::No, "TLS not available");
        co_return;
    }
    s.done(Status::Ok, "begin TLS negotiation now");
    if (!co_await s.flush()) {
        s.logout = true;
        co_return;
    }
    auto ec = co_await s.stream.start_tls();
    if (ec) {
        spdlog::info("imap: {} TLS handshake failed: {}", s.peer_ip, ec.message());
        s.logout = true;  // start_tls() closed the connection
    }
}

}  // namespace hermod::imap
