// cmd_namespace.cpp - NAMESPACE (RFC 9051 §6.3.10, RFC 2342 §5): one personal namespace with
// the empty prefix and the separator "/"; no other users' or shared namespaces.
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> cmd_namespace(Session& s, proto::Parser& p) {
    if (!p.end()) {
        parse_failed(s, p);
        co_return;
    }
    s.send("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n");
    s.done(Status::Ok, "NAMESPACE completed");
}

}  // namespace hermod::imap
