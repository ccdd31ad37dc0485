// connection_limiter.cpp - see connection_limiter.hpp. One mutex: acquire/release are a map
// lookup each, far cheaper than the accept() around them.
#include "net/connection_limiter.hpp"

#include <mutex>
#include <unordered_map>

namespace hermod::net {

struct ConnectionTicket::State {
    std::mutex mutex;
    std::uint32_t max_total = 0;
    std::uint32_t max_per_ip = 0;
    std::uint32_t total = 0;
    std::unordered_map<std::string, std::uint32_t> per_ip;
};

const char* refusal_text(Refusal r) {
    switch (r) {
        case Refusal::TooManyConnections:
            return "too many connections";
        case Refusal::TooManyFromAddress:
            return "too many connections from address";
    }
    return "refused";
}

ConnectionTicket& ConnectionTicket::operator=(ConnectionTicket&& other) noexcept {
    if (this != &other) {
        release();
        state_ = std::move(other.state_);
        ip_ = std::move(other.ip_);
    }
    return *this;
}

void ConnectionTicket::release() {
    if (!state_) return;
    {
        std::lock_guard lock(state_->mutex);
        --state_->total;
        auto it = state_->per_ip.find(ip_);
        if (it != state_->per_ip.end() && --it->second == 0) state_->per_ip.erase(it);
    }
    state_.reset();
}

ConnectionLimiter::ConnectionLimiter(std::uint32_t max_total, std::uint32_t max_per_ip)
    : state_(std::make_shared<ConnectionTicket::State>()) {
    state_->max_total = max_total;
    state_->max_per_ip = max_per_ip;
}

ConnectionLimiter::Result ConnectionLimiter::try_acquire(const std::string& ip) {
    std::lock_guard lock(state_->mutex);
    if (state_->max_total != 0 && state_->total >= state_->max_total)
        return {std::nullopt, Refusal::TooManyConnections};
    auto& n = state_->per_ip[ip];
    if (state_->max_per_ip != 0 && n >= state_->max_per_ip) {
        if (n == 0) state_->per_ip.erase(ip);
        return {std::nullopt, Refusal::TooManyFromAddress};
    }
    ++n;
    ++state_->total;
    return {ConnectionTicket(state_, ip), Refusal::TooManyConnections};
}

std::uint32_t ConnectionLimiter::total() const {
    std::lock_guard lock(state_->mutex);
    return state_->total;
}

std::uint32_t ConnectionLimiter::count_for(const std::string& ip) const {
    std::lock_guard lock(state_->mutex);
    auto it = state_->per_ip.find(ip);
    return it == state_->per_ip.end() ? 0 : it->second;
}

}  // namespace hermod::net
