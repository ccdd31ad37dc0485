// bdat_receiver.cpp - RFC 3030 BDAT chunk receiver.
// Security: peer data; counts octets with overflow-safe arithmetic, constant memory.
#include "smtp/proto/bdat_receiver.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace hermod::smtp::proto {

std::optional<Reply> rejection_reply(BdatOutcome outcome) {
    switch (outcome) {
        case BdatOutcome::Accepted:
            return std::nullopt;
        case BdatOutcome::BareLineEnding:
            return bare_newline();
        case BdatOutcome::TooBig:
            return too_big();
        case BdatOutcome::TooManyHops:
            return too_many_hops();
    }
    return temp_failure();
}

BdatReceiver::BdatReceiver(BdatLimits limits, Sink sink)
    : limits_(limits), sink_(std::move(sink)) {}

void BdatReceiver::reset() {
    received_.reset();
    remaining_ = size_ = 0;
    last_ = too_big_ = after_cr_ = bare_cr_ = bare_lf_ = false;
}

void BdatReceiver::begin_chunk(std::uint64_t size, bool last) {
    remaining_ = size;
    last_ = last;
    // Saturating: "BDAT 18446744073709551615" twice must not wrap around the limit.
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
    size_ = size > kMax - size_ ? kMax : size_ + size;
    if (limits_.max_size != 0 && size_ > limits_.max_size) too_big_ = true;
}

BdatOutcome BdatReceiver::outcome() const {
    if (too_big_) return BdatOutcome::TooBig;
    // A CR still pending at the very end has no LF after it.
    if (message_complete() && (bare_cr_ || bare_lf_ || after_cr_))
        return BdatOutcome::BareLineEnding;
    if (limits_.max_received != 0 && received_.count() > limits_.max_received)
        return BdatOutcome::TooManyHops;
    return BdatOutcome::Accepted;
}

FeedResult BdatReceiver::feed(std::string_view input) {
    const auto take = static_cast<std::size_t>(
        std::min<std::uint64_t>(remaining_, static_cast<std::uint64_t>(input.size())));
    std::string_view chunk = input.substr(0, take);
    remaining_ -= take;
    if (!chunk.empty()) {
        for (char c : chunk) {
            if (after_cr_ && c != '\n') bare_cr_ = true;
            if (c == '\n' && !after_cr_) bare_lf_ = true;
            after_cr_ = c == '\r';
        }
        if (received_.in_headers()) received_.feed(chunk);
        // Still written when bare CR/LF was seen: that is only judged at LAST (the session
        // then discards the message).
        if (!too_big_ && sink_) sink_(chunk);
    }
    return {remaining_ == 0 ? FeedStatus::Done : FeedStatus::NeedMore, take};
}

}  // namespace hermod::smtp::proto
