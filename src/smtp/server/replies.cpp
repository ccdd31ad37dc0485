// replies.cpp - the reply for a delivery outcome: maps delivery::RcptStatus (not known to the
// pure proto layer) onto proto's reply builders (RFC 3463 codes).
#include "smtp/server/session_state.hpp"

namespace hermod::smtp::replies {

using proto::Reply;

Reply delivery_result(delivery::RcptStatus status, std::string_view queue_id) {
    using delivery::RcptStatus;
    switch (status) {
        case RcptStatus::Local:
        case RcptStatus::Remote:
            return proto::message_accepted(queue_id);
        case RcptStatus::OverQuota:
            return proto::quota_exceeded();
        case RcptStatus::NoSuchUser:
            return proto::no_such_user();
        case RcptStatus::RelayDenied:
            return proto::relay_denied();
        case RcptStatus::BadAddress:
            return proto::bad_address_form();
        case RcptStatus::TempFail:
            break;
    }
    return proto::temp_failure();
}

}  // namespace hermod::smtp::replies
