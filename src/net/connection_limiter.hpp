// connection_limiter.hpp - caps on simultaneous connections, in total and per client address.
//
// Pure and thread-safe: acceptors on several threads share one limiter. Security: bounds the
// file descriptors and memory one client (or everyone) can hold, before any protocol byte.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace hermod::net {

enum class Refusal { TooManyConnections, TooManyFromAddress };
const char* refusal_text(Refusal);  // "too many connections", "too many connections from address"

/// A held connection slot; releases it when destroyed. Move-only; may outlive the limiter.
class ConnectionTicket {
  public:
    ConnectionTicket() = default;
    ConnectionTicket(ConnectionTicket&&) noexcept = default;
    ConnectionTicket& operator=(ConnectionTicket&& other) noexcept;
    ConnectionTicket(const ConnectionTicket&) = delete;
    ConnectionTicket& operator=(const ConnectionTicket&) = delete;
    ~ConnectionTicket() { release(); }

    bool held() const { return state_ != nullptr; }
    void release();

  private:
    friend class ConnectionLimiter;
    struct State;
    ConnectionTicket(std::shared_ptr<State> state, std::string ip)
        : state_(std::move(state)), ip_(std::move(ip)) {}
    std::shared_ptr<State> state_;
    std::string ip_;
};

class ConnectionLimiter {
  public:
    /// 0 means unlimited for either cap.
    ConnectionLimiter(std::uint32_t max_total, std::uint32_t max_per_ip);

    struct Result {
        std::optional<ConnectionTicket> ticket;         ///< set when accepted
        Refusal refusal = Refusal::TooManyConnections;  ///< why, when not
        explicit operator bool() const { return ticket.has_value(); }
    };
    /// `ip` is the client address in canonical text form (IPv4-mapped IPv6 should be given as
    /// IPv4 so one client cannot count twice).
    Result try_acquire(const std::string& ip);

    std::uint32_t total() const;
    std::uint32_t count_for(const std::string& ip) const;

  private:
    std::shared_ptr<ConnectionTicket::State> state_;
};

}  // namespace hermod::net
