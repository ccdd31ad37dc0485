// ehlo.cpp - EHLO/LHLO capability list (RFC 5321 §4.1.1.1 and the extension RFCs in ehlo.hpp).
// Security: decides what a pre-TLS client is offered (no AUTH unless allowed, no STARTTLS in TLS).
#include "smtp/proto/ehlo.hpp"

#include <string>

namespace hermod::smtp::proto {

Reply ehlo_reply(const EhloOptions& o) {
    Reply r;
    r.code = 250;
    std::string first(o.hostname);
    if (!o.peer_name.empty()) {
        first += " Hello ";
        first += o.peer_name;
    }
    r.lines.push_back(std::move(first));
    if (o.pipelining) r.lines.emplace_back("PIPELINING");
    r.lines.push_back(o.max_size != 0 ? "SIZE " + std::to_string(o.max_size) : "SIZE");
    if (o.eightbitmime) r.lines.emplace_back("8BITMIME");
    if (o.smtputf8) r.lines.emplace_back("SMTPUTF8");
    r.lines.emplace_back("ENHANCEDSTATUSCODES");
    if (o.chunking) {
        r.lines.emplace_back("CHUNKING");
        if (o.binarymime) r.lines.emplace_back("BINARYMIME");
    }
    if (o.dsn) r.lines.emplace_back("DSN");
    if (o.tls_available && !o.tls_active) r.lines.emplace_back("STARTTLS");
    if (o.auth_allowed && !o.auth_mechanisms.empty())
        r.lines.push_back("AUTH " + std::string(o.auth_mechanisms));
    if (o.help) r.lines.emplace_back("HELP");
    return r;
}

}  // namespace hermod::smtp::proto
