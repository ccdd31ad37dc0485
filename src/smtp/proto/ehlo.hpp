// ehlo.hpp - the EHLO/LHLO reply and its capability list (RFC 5321 §4.1.1.1; RFC 2920
// PIPELINING, RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531 SMTPUTF8, RFC 2034 ENHANCEDSTATUSCODES,
// RFC 3030 CHUNKING/BINARYMIME, RFC 3461 DSN, RFC 3207 STARTTLS, RFC 4954 AUTH, RFC 2033 LHLO).
// Security: STARTTLS is offered only before TLS, AUTH only when the policy allows it (normally
// only under TLS), so a client is never invited to send a password in clear.
#pragma once

#include <cstdint>
#include <string_view>

#include "smtp/proto/reply.hpp"

namespace hermod::smtp::proto {

struct EhloOptions {
    std::string_view hostname;   ///< our name, first line
    std::string_view peer_name;  ///< the client's EHLO argument, echoed as a courtesy
    std::uint64_t max_size = 0;  ///< SIZE n; 0 advertises "SIZE" without a limit (RFC 1870 §4)
    bool tls_available = false;  ///< a certificate is configured
    bool tls_active = false;     ///< the connection already runs TLS
    bool auth_allowed = false;   ///< advertise AUTH (policy decides, e.g. only under TLS)
    std::string_view auth_mechanisms = "PLAIN LOGIN";
    bool pipelining = true;
    bool eightbitmime = true;
    bool smtputf8 = true;
    bool chunking = true;
    bool binarymime = false;  ///< needs chunking; off until the store handles binary bodies
    bool dsn = true;
    bool help = true;
};

/// 250 reply: "<hostname> Hello <peer>", then one capability per line, without enhanced codes
/// (RFC 2034 §3 exempts the EHLO response).
Reply ehlo_reply(const EhloOptions& options);

}  // namespace hermod::smtp::proto
