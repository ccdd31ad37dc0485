// cmd_rcpt.cpp - RCPT TO (RFC 5321 §4.1.1.3) with NOTIFY/ORCPT (RFC 3461).
// Security: the relay decision. Addresses using relay tricks (percent hack, bang paths,
// source routes, quoted local parts hiding '@' or '%', address literals, trailing dots; see
// proto::Path flags) are refused here before the deliverer sees them; the deliverer then
// decides local / remote-permitted / denied. LMTP never relays (RFC 2033 §4.2). The
// recipient limit (RFC 5321 §4.5.3.1.8) bounds the envelope.
#include "smtp/server/session_state.hpp"

namespace hermod::smtp {

awaitable<void> cmd_rcpt(Session& s, const proto::Command& cmd) {
    if (!s.in_mail) {
        s.reply(proto::bad_sequence("Need MAIL command"));
        co_return;
    }
    if (s.bdat) {
        s.reply(proto::bad_sequence("RCPT during BDAT transfer"));
        co_return;
    }
    if (s.recipients.size() >= s.cfg.limits.max_recipients) {
        // Not an error (RFC 5321 §4.5.3.1.10): the client sends to the accepted recipients and
        // retries the rest later, so it must not count towards max_errors.
        s.reply(proto::too_many_recipients(), false);
        co_return;
    }
    const proto::Path& path = cmd.path;
    std::string address;
    if (path.has(proto::kFlagBarePostmaster)) {
        // RFC 5321 §4.1.1.3: <Postmaster> without a domain means ours; the deliverer knows
        // which local domain that is (postmaster@hostname only if hostname is local).
        address = "Postmaster";
    } else {
        if (!path.is_safe_local_candidate()) {
            s.reply(proto::bad_address_form());
            co_return;
        }
        address = path.mailbox();
    }
    auto verdict = s.deliverer.check_recipient(s.client(), address);
    using delivery::RcptStatus;
    if (verdict.status == RcptStatus::Remote && s.mode == Mode::Lmtp)
        verdict.status = RcptStatus::RelayDenied;
    switch (verdict.status) {
        case RcptStatus::Local:
        case RcptStatus::Remote:
            break;
        case RcptStatus::NoSuchUser:
            s.reply(proto::no_such_user());
            co_return;
        case RcptStatus::RelayDenied:
            s.reply(proto::relay_denied());
            co_return;
        case RcptStatus::OverQuota:
            s.reply(proto::mailbox_full());
            co_return;
        case RcptStatus::BadAddress:
            s.reply(proto::bad_address_form());
            co_return;
        case RcptStatus::TempFail:
            s.reply(proto::temp_failure());
            co_return;
    }
    delivery::Recipient r;
    r.address = std::move(address);
    r.notify = cmd.rcpt.notify;
    // SMTP answers the whole message with one reply: what RCPT accepted must not be dropped for
    // quota at end of data. LMTP can refuse per recipient (552 5.2.2, RFC 2033 §4.2).
    r.quota_grace = s.mode != Mode::Lmtp;
    if (cmd.rcpt.orcpt) r.orcpt = cmd.rcpt.orcpt->addr_type + ";" + cmd.rcpt.orcpt->address;
    s.recipients.push_back(std::move(r));
    s.reply(proto::recipient_ok());
}

}  // namespace hermod::smtp
