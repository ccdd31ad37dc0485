// cmd_misc.cpp - RSET, NOOP, QUIT, HELP, VRFY and EXPN (RFC 5321 §4.1.1.5-4.1.1.10, §3.5).
// Security: VRFY always answers 252 and EXPN works only for authenticated users, so neither
// lets an anonymous peer harvest addresses or list members (RFC 5321 §7.3).
#include "smtp/server/session_state.hpp"

namespace hermod::smtp {

awaitable<void> cmd_rset(Session& s, const proto::Command&) {
    s.reset_transaction();
    s.reply(proto::ok());
    co_return;
}

awaitable<void> cmd_noop(Session& s, const proto::Command&) {
    s.reply(proto::ok());
    co_return;
}

awaitable<void> cmd_quit(Session& s, const proto::Command&) {
    s.reply(proto::closing_quit(s.hostname));
    s.quit = true;
    co_return;
}

awaitable<void> cmd_help(Session& s, const proto::Command&) {
    s.reply(proto::help());
    co_return;
}

awaitable<void> cmd_vrfy(Session& s, const proto::Command&) {
    s.reply(proto::vrfy_cannot());
    co_return;
}

awaitable<void> cmd_expn(Session& s, const proto::Command& cmd) {
    if (!s.authenticated) {
        s.reply(proto::expn_not_allowed());
        co_return;
    }
    std::string_view arg = cmd.argument;
    if (arg.size() >= 2 && arg.front() == '<' && arg.back() == '>')
        arg = arg.substr(1, arg.size() - 2);
    auto members = s.deliverer.expand_list(arg);
    s.reply(members ? proto::list_members(*members) : proto::not_a_list());
}

}  // namespace hermod::smtp
