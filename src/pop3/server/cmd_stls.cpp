// cmd_stls.cpp - STLS (RFC 2595 §4): the TLS upgrade of the pop3 port.
// Security: "+OK" is written before the handshake and start_tls() discards any plaintext the
// client pipelined after STLS (CVE-2011-0411); a pending USER is forgotten.
#include "common/log.hpp"
#include "pop3/server/session_state.hpp"

namespace hermod::pop3 {

awaitable<void> cmd_stls(Session& s, const proto::Command&) {
    if (s.tls()) {
        s.reply(proto::err("TLS already active"));
        co_return;
    }
    if (!s.stream.tls_available()) {
        s.reply(proto::err("TLS not available"));
        co_return;
    }
    s.reply(proto::ok("Begin TLS negotiation"));
    bool ok = co_await s.flush();
    if (!ok) {
        s.quit = true;
        co_return;
    }
    auto ec = co_await s.stream.start_tls();
    if (ec) {
        spdlog::info("pop3: {} TLS handshake failed: {}", s.peer_ip, ec.message());
        s.quit = true;  // start_tls() closed the connection
        co_return;
    }
    s.user.reset();
}

}  // namespace hermod::pop3
