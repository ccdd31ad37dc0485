// cmd_logout.cpp - LOGOUT (RFC 9051 §6.1.3): "* BYE" before the tagged OK, then close.
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> cmd_logout(Session& s, proto::Parser& p) {
    if (!p.end()) {
        parse_failed(s, p);
        co_return;
    }
    s.untagged(Status::Bye, "logging out");
    s.selected.reset();  // no more updates: the tagged OK follows the BYE directly
    s.state = State::Logout;
    s.done(Status::Ok, "LOGOUT completed");
    s.logout = true;
}

}  // namespace hermod::imap
