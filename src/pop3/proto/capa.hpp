// capa.hpp - the CAPA list (RFC 2449 §5-6): which capabilities a session offers depends on its
// state, TLS, and whether plaintext logins are allowed, so it is computed, not fixed.
#pragma once

#include <string>

namespace hermod::pop3::proto {

struct CapaOptions {
    bool authorization_state = true;  ///< before login (STLS/USER/SASL are shown only then)
    bool tls_active = false;
    bool tls_available = false;        ///< STLS offered when available and not yet active
    bool plaintext_allowed = false;    ///< USER and SASL PLAIN LOGIN offered
    bool expire_retrieved = false;     ///< "EXPIRE 0" instead of "EXPIRE NEVER"
    unsigned login_delay_seconds = 0;  ///< 0: no LOGIN-DELAY line
};

/// The whole multi-line CAPA response: "+OK Capability list follows\r\n" ... ".\r\n".
/// Lines: TOP, UIDL, USER (plaintext_allowed), RESP-CODES, AUTH-RESP-CODE, PIPELINING,
/// SASL PLAIN LOGIN (plaintext_allowed), STLS (tls_available && !tls_active, authorization
/// state only), EXPIRE 0|NEVER, LOGIN-DELAY n (when > 0), IMPLEMENTATION Hermod.
std::string capa_response(const CapaOptions& options);

}  // namespace hermod::pop3::proto
