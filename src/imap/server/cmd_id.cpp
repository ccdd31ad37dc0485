// cmd_id.cpp - ID (RFC 2971): the client's parameters are logged, the server answers with its
// name only (no version: RFC 2971 §7 warns against helping attackers pick exploits).
#include "common/log.hpp"
#include "imap/proto/arguments.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

awaitable<void> cmd_id(Session& s, proto::Parser& p) {
    auto params = proto::parse_id(p);
    if (!params) {
        parse_failed(s, p);
        co_return;
    }
    std::string client;
    for (const auto& [k, v] : *params)
        if (v && (k == "name" || k == "version")) client += (client.empty() ? "" : " ") + *v;
    if (!client.empty()) spdlog::info("imap: {} client {}", s.peer_ip, client);
    s.send("* ID (\"name\" \"Hermod\")\r\n");
    s.done(Status::Ok, "ID completed");
}

}  // namespace hermod::imap
