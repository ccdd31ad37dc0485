// cmd_capability.cpp - CAPABILITY (RFC 9051 §6.1.1): what the server offers in this state.
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> cmd_capability(Session& s, proto::Parser& p) {
    if (!p.end()) {
        parse_failed(s, p);
        co_return;
    }
    std::string line = "* CAPABILITY";
    for (auto c : s.capabilities()) {
        line += ' ';
        line += c;
    }
    line += "\r\n";
    s.send(line);
    s.done(Status::Ok, "CAPABILITY completed");
}

}  // namespace hermod::imap
