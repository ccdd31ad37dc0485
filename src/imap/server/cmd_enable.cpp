// cmd_enable.cpp - ENABLE (RFC 5161; RFC 9051 §6.3.1): IMAP4rev2 and UTF8=ACCEPT (RFC 6855 §3).
// Both make mailbox names UTF-8 on the wire; IMAP4rev2 also switches to rev2 responses (no
// RECENT, ESEARCH answers to SEARCH).
#include "imap/proto/arguments.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> cmd_enable(Session& s, proto::Parser& p) {
    auto names = proto::parse_enable(p);
    if (!names) {
        parse_failed(s, p);
        co_return;
    }
    std::string enabled;
    for (const auto& n : *names) {
        // RFC 5161 §3.1: report only what this command newly enabled.
        if (n == "IMAP4REV2" && !s.rev2) {
            s.rev2 = true;
            s.utf8 = true;
            enabled += " IMAP4rev2";
        } else if (n == "UTF8=ACCEPT" && !s.utf8) {
            s.utf8 = true;
            enabled += " UTF8=ACCEPT";
        }
    }
    s.send("* ENABLED" + enabled + "\r\n");
    s.done(Status::Ok, "ENABLE completed");
}

}  // namespace hermod::imap
