// capa.cpp - the CAPA response (RFC 2449 §5 format, §6 capabilities, RFC 2595 §4 STLS,
// RFC 5034 §5 SASL, RFC 3206 §6 AUTH-RESP-CODE). Order is fixed so transcripts are stable.
#include "pop3/proto/capa.hpp"

#include <fmt/format.h>

namespace hermod::pop3::proto {

std::string capa_response(const CapaOptions& options) {
    std::string out = "+OK Capability list follows\r\n";
    out += "TOP\r\n";
    out += "UIDL\r\n";
    // Login mechanisms only make sense before login (RFC 2449 §6.3, §6.4 allow hiding them).
    bool offer_logins = options.authorization_state && options.plaintext_allowed;
    if (offer_logins) out += "USER\r\n";
    out += "RESP-CODES\r\n";
    out += "AUTH-RESP-CODE\r\n";
    out += "PIPELINING\r\n";
    if (offer_logins) out += "SASL PLAIN LOGIN\r\n";
    // RFC 2595 §4: STLS only where it can still be issued.
    if (options.authorization_state && options.tls_available && !options.tls_active)
        out += "STLS\r\n";
    // RFC 2449 §6.7: "EXPIRE 0" warns clients that retrieved mail does not stay.
    out += options.expire_retrieved ? "EXPIRE 0\r\n" : "EXPIRE NEVER\r\n";
    if (options.login_delay_seconds > 0)
        out += fmt::format("LOGIN-DELAY {}\r\n", options.login_delay_seconds);
    out += "IMPLEMENTATION Hermod\r\n";
    out += ".\r\n";
    return out;
}

}  // namespace hermod::pop3::proto
