// cmd_mail.cpp - MAIL FROM (RFC 5321 §4.1.1.2) with SIZE (RFC 1870), BODY (RFC 6152),
// SMTPUTF8 (RFC 6531), AUTH= (RFC 4954 §5) and RET/ENVID (RFC 3461).
// Security: once authenticated (submission or the smtp port) the sender must belong to the user
// (RFC 6409 §6.1, else 553 5.7.1), so users cannot forge each other's addresses; the declared SIZE
// is checked before any octet of the message is accepted.
#include "smtp/server/session_state.hpp"

namespace hermod::smtp {

awaitable<void> cmd_mail(Session& s, const proto::Command& cmd) {
    if (!s.greeted) {
        s.reply(
            proto::bad_sequence(s.mode == Mode::Lmtp ? "Send LHLO first" : "Send HELO/EHLO first"));
        co_return;
    }
    if (s.in_mail) {
        s.reply(proto::bad_sequence("Nested MAIL command"));
        co_return;
    }
    const auto& p = cmd.mail;
    bool has_params = p.size || p.body != proto::Body::Unspecified || p.smtputf8 || p.auth ||
                      p.ret != proto::Ret::Unspecified || p.envid;
    if (has_params && !s.esmtp) {
        // Service extensions exist only after EHLO (RFC 5321 §4.1.1.11).
        s.reply(proto::param_unknown("ESMTP parameters need EHLO"));
        co_return;
    }
    if (p.body == proto::Body::BinaryMime) {
        // Not advertised (ehlo.hpp: binarymime off until the store handles binary bodies).
        s.reply(proto::param_not_implemented("BINARYMIME not supported"));
        co_return;
    }
    std::uint64_t max = s.cfg.limits.max_message_size;
    if (p.size && max && *p.size > max) {
        s.reply(proto::message_size_exceeds(max));
        co_return;
    }
    std::string sender = cmd.path.null ? std::string() : cmd.path.mailbox();
    // Any authenticated session may relay (the smtp port too), so it must not forge senders.
    if (s.authenticated && !s.deliverer.may_send_as(s.client(), sender)) {
        s.reply(proto::sender_not_owned());
        co_return;
    }
    s.in_mail = true;
    s.mail_from = std::move(sender);
    s.mail_params = p;
    s.reply(proto::sender_ok());
}

}  // namespace hermod::smtp
