// authenticator.hpp - password logins for every protocol (SMTP AUTH, later IMAP and POP3):
// verifies a login against the account's stored hash, rate-limits failures per client address
// and per account over a sliding window, delays failures, and upgrades legacy hashes.
// Security: this is the brute-force front. Argon2 runs on a small dedicated thread pool, never
// on the I/O threads; unknown accounts cost the same Argon2 check as known ones (no user
// enumeration by timing); lock-outs are decided before any hash is computed, so a locked-out
// attacker cannot burn CPU. The optional login cache (Dovecot's auth_cache) remembers only
// successes, keyed by an HMAC of login and password under a per-process random key, and an
// entry is used only while the account's stored hash is unchanged; failures always pay the
// full check and delay. No protocol types here.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "config/config.hpp"

namespace hermod::store {
class Store;
}

namespace hermod::auth {

enum class AuthStatus { Ok, Failed, LockedOut };

struct AuthResult {
    AuthStatus status = AuthStatus::Failed;
    std::string account;  ///< the canonical account address (Ok only)
};

struct AuthenticatorOptions {
    unsigned threads = 2;                           ///< Argon2 workers
    std::chrono::milliseconds failure_delay{1000};  ///< before a failure is reported
    std::chrono::seconds window{15 * 60};           ///< failure counting window
    std::size_t max_tracked_keys = 100000;          ///< failure table bound (addresses + accounts)
    /// Successful logins remembered this long skip the Argon2 check ([auth] cache_seconds);
    /// 0 = every login pays it.
    std::chrono::seconds cache_ttl{0};
    std::size_t cache_size = 10000;  ///< remembered logins at most ([auth] cache_size)
};

/// The options `hermod serve` uses: the failure policy defaults plus the [auth] login cache.
AuthenticatorOptions options_from(const config::AuthConfig& auth);

class Authenticator {
  public:
    using Callback = std::function<void(AuthResult)>;

    /// Failure limits come from limits.failed_logins_per_ip / failed_logins_per_account
    /// (0 = unlimited). `store` must outlive the authenticator.
    Authenticator(store::Store& store, const config::LimitsConfig& limits,
                  AuthenticatorOptions options = {});
    ~Authenticator();  ///< joins the workers; pending callbacks are run first
    /// Runs every pending check at once (delayed failures included) and joins the workers.
    /// Call it while the executors the callbacks post to still exist (after net::Server::run()
    /// returns, before the Server is destroyed): a callback must not outlive its io_context.
    /// Idempotent; check_async() must not be called afterwards.
    void shutdown();
    Authenticator(const Authenticator&) = delete;
    Authenticator& operator=(const Authenticator&) = delete;

    /// Checks asynchronously. `done` runs exactly once on a worker thread (after the failure
    /// delay for Failed/LockedOut): post it to your own executor.
    void check_async(std::string login, std::string password, std::string client_ip, Callback done);
    /// Blocking form (tests, admin tools).
    AuthResult check(std::string login, std::string password, std::string client_ip);

    /// Logins answered from the login cache so far (for tests and statistics).
    std::uint64_t cache_hits() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hermod::auth
