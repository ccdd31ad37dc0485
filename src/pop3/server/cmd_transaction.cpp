// cmd_transaction.cpp - the TRANSACTION state's maildrop commands (RFC 1939 §5, §7): STAT,
// LIST, UIDL, DELE, NOOP, RSET.
// Security: message numbers go through message_arg(), which checks them against this
// session's snapshot; deleted messages are invisible to every command until RSET.
#include <fmt/format.h>

#include "pop3/server/session_state.hpp"

namespace hermod::pop3 {

const MaildropEntry* message_arg(Session& s, const std::string& arg, std::uint32_t& number) {
    auto n = proto::parse_number(arg);
    if (!n) {
        s.reply(proto::err("invalid message number"));
        return nullptr;
    }
    number = *n;
    if (s.maildrop->is_deleted(number)) {
        s.reply(proto::message_deleted());
        return nullptr;
    }
    const MaildropEntry* e = s.maildrop->find(number);
    if (!e) s.reply(proto::no_such_message());
    return e;
}

awaitable<void> cmd_stat(Session& s, const proto::Command&) {
    s.reply(proto::ok(fmt::format("{} {}", s.maildrop->count(), s.maildrop->total_size())));
    co_return;
}

awaitable<void> cmd_list(Session& s, const proto::Command& cmd) {
    bool uidl = cmd.verb == proto::Verb::Uidl;
    auto value = [uidl](const MaildropEntry& e) { return uidl ? e.uidl : std::to_string(e.size); };
    if (!cmd.args.empty()) {
        std::uint32_t n = 0;
        const MaildropEntry* e = message_arg(s, cmd.args[0], n);
        if (e) s.reply(proto::ok(fmt::format("{} {}", n, value(*e))));
        co_return;
    }
    // RFC 1939 §5: deleted messages are not listed; numbers keep their gaps.
    if (uidl)
        s.reply(proto::ok("unique-id listing follows"));
    else
        s.reply(proto::ok(
            fmt::format("{} messages ({} octets)", s.maildrop->count(), s.maildrop->total_size())));
    for (std::uint32_t n = 1; n <= s.maildrop->size(); ++n) {
        if (const MaildropEntry* e = s.maildrop->find(n))
            s.out += fmt::format("{} {}\r\n", n, value(*e));
    }
    s.out += ".\r\n";
    co_return;
}

awaitable<void> cmd_dele(Session& s, const proto::Command& cmd) {
    std::uint32_t n = 0;
    if (!message_arg(s, cmd.args.at(0), n)) co_return;
    s.maildrop->mark_deleted(n);
    s.reply(proto::ok(fmt::format("message {} deleted", n)));
}

awaitable<void> cmd_noop(Session& s, const proto::Command&) {
    s.reply(proto::ok("still here"));
    co_return;
}

awaitable<void> cmd_rset(Session& s, const proto::Command&) {
    s.maildrop->reset();
    s.reply(proto::ok(fmt::format("maildrop has {} messages ({} octets)", s.maildrop->count(),
                                  s.maildrop->total_size())));
    co_return;
}

}  // namespace hermod::pop3
