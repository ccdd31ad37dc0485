// replies.cpp - the few replies the session needs that proto/reply.hpp has no builder for,
// still built through proto::make_reply so wire() sanitises them (RFC 3463 codes).
#include "smtp/server/session_state.hpp"

namespace hermod::smtp::replies {

using proto::make_reply;
using proto::Reply;

Reply shutting_down(std::string_view host) {
    return make_reply(421, "4.3.2", std::string(host) + " Service shutting down");
}
Reply mailbox_full() {
    return make_reply(452, "4.2.2", "Mailbox full, try again later");
}
Reply quota_exceeded() {
    return make_reply(552, "5.2.2", "Mailbox full");
}
Reply sender_not_owned() {
    return make_reply(553, "5.7.1", "Sender address not owned by the authenticated user");
}
Reply bad_address_form() {
    return make_reply(550, "5.1.3", "Address form not accepted (relay attempt?)");
}
Reply bare_lf_command() {
    return make_reply(500, "5.5.2", "bare LF in command line; use CRLF");
}
Reply use_lhlo() {
    return make_reply(500, "5.5.1", "LMTP: use LHLO");
}
Reply recipient_delivered() {
    return make_reply(250, "2.1.5", "Delivered");
}
Reply expn_not_allowed() {
    return make_reply(502, "5.5.1", "EXPN not available");
}
Reply not_a_list() {
    return make_reply(550, "5.1.1", "Not a mailing list");
}
Reply list_members(const std::vector<std::string>& members) {
    Reply r{250, "2.1.5", {}};
    for (const auto& m : members)
        r.lines.push_back("<" + m + ">");
    if (r.lines.empty()) r.lines.push_back("List is empty");
    return r;
}

Reply delivery_result(delivery::RcptStatus status, std::string_view queue_id) {
    using delivery::RcptStatus;
    switch (status) {
        case RcptStatus::Local:
        case RcptStatus::Remote:
            return proto::message_accepted(queue_id);
        case RcptStatus::OverQuota:
            return quota_exceeded();
        case RcptStatus::NoSuchUser:
            return proto::no_such_user();
        case RcptStatus::RelayDenied:
            return proto::relay_denied();
        case RcptStatus::BadAddress:
            return bad_address_form();
        case RcptStatus::TempFail:
            break;
    }
    return proto::temp_failure();
}

}  // namespace hermod::smtp::replies
