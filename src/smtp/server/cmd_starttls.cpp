// cmd_starttls.cpp - STARTTLS (RFC 3207).
// Security: the handshake discards any plaintext pipelined after the command (net's
// start_tls(), CVE-2011-0411), and afterwards every piece of state learned from the client
// (EHLO name, transaction, authentication) is forgotten (RFC 3207 §4.2).
#include "smtp/server/session_state.hpp"

namespace hermod::smtp {

awaitable<void> cmd_starttls(Session& s, const proto::Command&) {
    if (s.tls()) {
        s.reply(proto::bad_sequence("TLS already active"));
        co_return;
    }
    if (!s.stream.tls_available()) {
        s.reply(proto::tls_not_available());
        co_return;
    }
    if (s.in_mail || s.authenticated) {
        s.reply(proto::bad_sequence("STARTTLS not allowed now"));
        co_return;
    }
    s.reply(proto::tls_ready());
    bool flushed = co_await s.flush();
    if (!flushed) {
        s.quit = true;
        co_return;
    }
    std::error_code ec = co_await s.stream.start_tls();
    if (ec) {
        s.quit = true;  // handshake failed: net has closed the connection
        s.out.clear();
        co_return;
    }
    s.reset_connection();
}

}  // namespace hermod::smtp
