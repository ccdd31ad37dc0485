// cmd_capa_quit.cpp - CAPA (RFC 2449 §5) and QUIT (RFC 1939 §6), the commands of every state.
// Security: QUIT in TRANSACTION is the only way deletions reach the store (UPDATE state); a
// session that ends otherwise commits nothing.
#include <fmt/format.h>

#include "common/log.hpp"
#include "pop3/proto/capa.hpp"
#include "pop3/server/session_state.hpp"

namespace hermod::pop3 {

awaitable<void> cmd_capa(Session& s, const proto::Command&) {
    proto::CapaOptions o;
    o.authorization_state = s.state == State::Authorization;
    o.tls_active = s.tls();
    o.tls_available = s.stream.tls_available();
    o.plaintext_allowed = s.plaintext_allowed();
    o.expire_retrieved = s.cfg.pop3.expire_retrieved;
    o.login_delay_seconds = s.cfg.pop3.login_delay_seconds;
    s.out += proto::capa_response(o);
    co_return;
}

awaitable<void> cmd_quit(Session& s, const proto::Command&) {
    s.quit = true;
    if (s.state != State::Transaction) {
        s.reply(proto::goodbye(s.hostname));
        co_return;
    }
    // UPDATE state (RFC 1939 §6).
    std::uint32_t deleted = 0, retrieved = 0;
    for (std::uint32_t n = 1; n <= s.maildrop->size(); ++n) {
        if (s.maildrop->is_deleted(n))
            ++deleted;
        else if (const auto* e = s.maildrop->find(n); e && e->retrieved)
            ++retrieved;
    }
    s.updated = true;
    auto job = std::make_shared<StoreJob>();
    job->store = &s.store;
    job->drop = &*s.maildrop;
    job->expire_retrieved = s.cfg.pop3.expire_retrieved;
    co_await commit_offloaded(job);
    // RFC 1939 §6/§8: the maildrop is free once UPDATE is over, before the client reads our
    // answer and logs in again (a lock held until the session object dies would race it).
    s.lock = {};
    if (!job->error.empty()) {
        spdlog::warn("pop3: {} {} UPDATE failed: {}", s.peer_ip, s.login, job->error);
        // RFC 1939 §6: "-ERR some deleted messages not removed"; the store write is all or
        // nothing per mailbox, and the session ends either way.
        s.reply(proto::temporary_failure());
        co_return;
    }
    spdlog::info("pop3: {} logout {}, {} retrieved, {} deleted", s.peer_ip, s.login, retrieved,
                 deleted);
    s.reply(proto::goodbye(s.hostname));
}

}  // namespace hermod::pop3
