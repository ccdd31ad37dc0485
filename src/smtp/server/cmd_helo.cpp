// cmd_helo.cpp - HELO, EHLO (RFC 5321 §4.1.1.1) and LHLO (RFC 2033 §4.1): greet, reset the
// transaction, advertise extensions.
// Security: AUTH is advertised only when the session policy allows it (never in clear off
// loopback, RFC 4954 §4), STARTTLS only before TLS. The client's name is only echoed and put
// into Received (proto's parser has refused control octets).
#include "smtp/proto/ehlo.hpp"
#include "smtp/server/session_state.hpp"

namespace hermod::smtp {

awaitable<void> cmd_helo(Session& s, const proto::Command& cmd) {
    s.reset_transaction();
    s.greeted = true;
    s.esmtp = false;
    s.helo_name = cmd.domain;
    s.reply(proto::helo_ok(s.hostname, cmd.domain));
    co_return;
}

awaitable<void> cmd_ehlo(Session& s, const proto::Command& cmd) {
    s.reset_transaction();
    s.greeted = true;
    s.esmtp = true;
    s.helo_name = cmd.domain;
    proto::EhloOptions o;
    o.hostname = s.hostname;
    o.peer_name = cmd.domain;
    o.max_size = s.cfg.limits.max_message_size;
    o.tls_available = s.stream.tls_available();  // never on the LMTP unix socket
    o.tls_active = s.tls();
    o.auth_allowed = s.auth_offered() && !s.authenticated;
    s.reply(proto::ehlo_reply(o));
    co_return;
}

}  // namespace hermod::smtp
