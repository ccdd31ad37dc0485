// cmd_noop.cpp - NOOP (RFC 9051 §6.1.2) and CHECK (RFC 3501 §6.4.1, an alias of NOOP in
// IMAP4rev2): nothing to do but deliver pending mailbox updates, which done() sends.
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> cmd_noop(Session& s, proto::Parser& p) {
    if (!p.end()) {
        parse_failed(s, p);
        co_return;
    }
    s.done(Status::Ok, s.verb == proto::Verb::Check ? "CHECK completed" : "NOOP completed");
}

}  // namespace hermod::imap
