// authenticator.cpp - see authenticator.hpp. A tiny scheduler: worker threads take jobs from a
// queue ordered by due time, so a delayed failure report occupies no thread while it waits.
// Security: failure counters are bounded (old entries pruned, the table capped) so an attacker
// rotating addresses cannot grow memory without limit.
#include "auth/authenticator.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "auth/password.hpp"
#include "store/store.hpp"

namespace hermod::auth {

namespace {

using Clock = std::chrono::steady_clock;

/// "User@Example.ORG" -> "User@example.org": domains are stored lower case (store.hpp).
std::string canonical_login(std::string login) {
    auto at = login.rfind('@');
    if (at != std::string::npos)
        std::transform(login.begin() + static_cast<std::ptrdiff_t>(at), login.end(),
                       login.begin() + static_cast<std::ptrdiff_t>(at),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return login;
}

}  // namespace

struct Authenticator::Impl {
    store::Store& store;
    config::LimitsConfig limits;
    AuthenticatorOptions options;

    std::mutex mutex;
    std::condition_variable cv;
    std::multimap<Clock::time_point, std::function<void()>> jobs;  // due time -> job
    bool stopping = false;
    std::vector<std::thread> workers;

    std::mutex fail_mutex;
    std::unordered_map<std::string, std::deque<Clock::time_point>> failures;  // "ip:x"/"acct:x"
    std::once_flag dummy_once;
    std::string dummy_hash;

    /// The login cache: HMAC(login NUL password) -> what it proved, and until when.
    struct Cached {
        std::string account;
        std::string password_hash;  ///< the stored hash it was checked against
        Clock::time_point expires;
    };
    std::mutex cache_mutex;
    std::unordered_map<std::string, Cached> cache;
    std::atomic<std::uint64_t> cache_hits{0};
    unsigned char cache_key[crypto_auth_hmacsha256_KEYBYTES];

    std::string cache_id(const std::string& login, const std::string& password) {
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, cache_key, sizeof cache_key);
        crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(login.data()),
                                      login.size());
        const unsigned char nul = 0;
        crypto_auth_hmacsha256_update(&st, &nul, 1);
        crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(password.data()),
                                      password.size());
        std::string out(crypto_auth_hmacsha256_BYTES, '\0');
        crypto_auth_hmacsha256_final(&st, reinterpret_cast<unsigned char*>(out.data()));
        return out;
    }

    bool cached(const std::string& id, const store::Account& account) {
        if (options.cache_ttl.count() == 0) return false;
        std::lock_guard lock(cache_mutex);
        auto it = cache.find(id);
        if (it == cache.end()) return false;
        // A new password (or an upgraded hash) invalidates what the old one proved.
        if (it->second.expires < Clock::now() || it->second.account != account.address ||
            it->second.password_hash != account.password_hash) {
            cache.erase(it);
            return false;
        }
        return true;
    }

    void remember(const std::string& id, const std::string& address) {
        if (options.cache_ttl.count() == 0 || options.cache_size == 0) return;
        std::optional<store::Account> now_stored;
        try {
            now_stored = store.find_account(address);  // after a possible rehash
        } catch (const std::exception&) {
            return;
        }
        if (!now_stored) return;
        std::lock_guard lock(cache_mutex);
        auto now = Clock::now();
        if (cache.size() >= options.cache_size) {
            std::erase_if(cache, [now](const auto& e) { return e.second.expires < now; });
            // Still full: forget an arbitrary tenth (the cost is one Argon2 check each).
            for (std::size_t n = std::max<std::size_t>(cache.size() / 10, 1);
                 n > 0 && !cache.empty(); --n)
                cache.erase(cache.begin());
        }
        cache[id] = Cached{address, now_stored->password_hash, now + options.cache_ttl};
    }

    Impl(store::Store& s, const config::LimitsConfig& l, AuthenticatorOptions o)
        : store(s), limits(l), options(o) {
        if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
        randombytes_buf(cache_key, sizeof cache_key);
        unsigned n = std::max(1u, options.threads);
        for (unsigned i = 0; i < n; ++i)
            workers.emplace_back([this] { work(); });
    }

    ~Impl() { shutdown(); }

    void shutdown() {
        {
            std::lock_guard lock(mutex);
            stopping = true;
        }
        cv.notify_all();
        for (auto& t : workers)
            if (t.joinable()) t.join();
    }

    void schedule(Clock::time_point when, std::function<void()> job) {
        {
            std::lock_guard lock(mutex);
            jobs.emplace(when, std::move(job));
        }
        cv.notify_one();
    }

    void work() {
        std::unique_lock lock(mutex);
        for (;;) {
            if (jobs.empty()) {
                if (stopping) return;
                cv.wait(lock);
                continue;
            }
            auto due = jobs.begin()->first;
            // On shutdown, run what is left at once: every callback must run exactly once.
            if (!stopping && Clock::now() < due) {
                cv.wait_until(lock, due);
                continue;
            }
            auto job = std::move(jobs.begin()->second);
            jobs.erase(jobs.begin());
            lock.unlock();
            try {
                job();
            } catch (const std::exception& e) {
                spdlog::error("auth: job failed: {}", e.what());
            }
            lock.lock();
        }
    }

    /// Failures of `key` inside the window, pruning older ones.
    std::size_t count(const std::string& key, Clock::time_point now) {
        auto it = failures.find(key);
        if (it == failures.end()) return 0;
        auto& q = it->second;
        while (!q.empty() && now - q.front() > options.window)
            q.pop_front();
        if (q.empty()) {
            failures.erase(it);
            return 0;
        }
        return q.size();
    }

    bool locked_out(const std::string& ip, const std::string& login) {
        std::lock_guard lock(fail_mutex);
        auto now = Clock::now();
        if (limits.failed_logins_per_ip && count("ip:" + ip, now) >= limits.failed_logins_per_ip)
            return true;
        return limits.failed_logins_per_account &&
               count(account_key(login), now) >= limits.failed_logins_per_account;
    }

    /// Per-account key: the login lower-cased, so "ALICE@example.org" counts against the same
    /// lock-out as "alice@example.org" (local parts are case-insensitive in Hermod).
    static std::string account_key(const std::string& login) {
        std::string k = "acct:" + login;
        std::transform(k.begin(), k.end(), k.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return k;
    }

    /// Memory bound: drops expired entries, then a tenth of the keys: those below their limit
    /// first, oldest last failure first. Active lock-outs are the last to go (clearing the
    /// whole table would let an attacker lift every lock-out by rotating addresses).
    void evict(Clock::time_point now) {
        for (auto it = failures.begin(); it != failures.end();) {
            auto& q = it->second;
            while (!q.empty() && now - q.front() > options.window)
                q.pop_front();
            it = q.empty() ? failures.erase(it) : std::next(it);
        }
        if (failures.size() < std::max<std::size_t>(options.max_tracked_keys, 4)) return;
        // Keys that lock something out go last; among equals, the oldest last failure first.
        std::vector<std::tuple<bool, Clock::time_point, const std::string*>> by_age;
        by_age.reserve(failures.size());
        for (const auto& [key, q] : failures) {
            std::size_t limit = key.starts_with("ip:") ? limits.failed_logins_per_ip
                                                       : limits.failed_logins_per_account;
            by_age.emplace_back(limit && q.size() >= limit, q.back(), &key);
        }
        std::size_t drop = std::max<std::size_t>(failures.size() / 10, 1);
        std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                         by_age.end());
        std::vector<std::string> victims;
        victims.reserve(drop);
        for (std::size_t i = 0; i < drop; ++i)
            victims.push_back(*std::get<2>(by_age[i]));
        for (const auto& v : victims)
            failures.erase(v);
        spdlog::warn("auth: failure table full, forgot the {} oldest entries", drop);
    }

    void record_failure(const std::string& ip, const std::string& login) {
        std::lock_guard lock(fail_mutex);
        auto now = Clock::now();
        if (failures.size() + 2 > std::max<std::size_t>(options.max_tracked_keys, 4)) evict(now);
        failures["ip:" + ip].push_back(now);
        failures[account_key(login)].push_back(now);
    }

    AuthResult verify(const std::string& login, const std::string& password,
                      const std::string& ip) {
        if (locked_out(ip, login)) {
            spdlog::warn("auth: locked out {} from {}", login, ip);
            return {AuthStatus::LockedOut, {}};
        }
        std::optional<store::Account> account;
        try {
            account = store.find_account(login);
        } catch (const std::exception& e) {
            spdlog::error("auth: account lookup failed: {}", e.what());
        }
        std::string id;
        if (account && options.cache_ttl.count() > 0) {
            id = cache_id(login, password);
            if (cached(id, *account)) {
                ++cache_hits;
                return {AuthStatus::Ok, account->address};
            }
        }
        bool ok;
        if (account) {
            ok = verify_password(account->password_hash, password);
        } else {
            // Same Argon2 cost as a real check, so timing does not reveal unknown accounts.
            std::call_once(dummy_once, [this] { dummy_hash = hash_password("hermod-dummy"); });
            verify_password(dummy_hash, password);
            ok = false;
        }
        if (!ok) {
            record_failure(ip, login);
            spdlog::info("auth: failed login for {} from {}", login, ip);
            return {AuthStatus::Failed, {}};
        }
        if (needs_rehash(account->password_hash)) {
            try {
                store.set_password_hash(account->address, hash_password(password));
                spdlog::info("auth: upgraded password hash of {}", account->address);
            } catch (const std::exception& e) {
                spdlog::warn("auth: rehash of {} failed: {}", account->address, e.what());
            }
        }
        if (!id.empty()) remember(id, account->address);
        return {AuthStatus::Ok, account->address};
    }
};

AuthenticatorOptions options_from(const config::AuthConfig& auth) {
    AuthenticatorOptions o;
    o.cache_ttl = std::chrono::seconds(auth.cache_seconds);
    o.cache_size = auth.cache_size;
    return o;
}

Authenticator::Authenticator(store::Store& store, const config::LimitsConfig& limits,
                             AuthenticatorOptions options)
    : impl_(std::make_unique<Impl>(store, limits, options)) {}

Authenticator::~Authenticator() = default;

void Authenticator::shutdown() {
    impl_->shutdown();
}

void Authenticator::check_async(std::string login, std::string password, std::string client_ip,
                                Callback done) {
    Impl* d = impl_.get();
    d->schedule(Clock::now(), [d, login = canonical_login(std::move(login)),
                               password = std::move(password), ip = std::move(client_ip),
                               done = std::move(done)]() mutable {
        AuthResult r = d->verify(login, password, ip);
        std::fill(password.begin(), password.end(), '\0');
        if (r.status == AuthStatus::Ok) {
            done(std::move(r));
            return;
        }
        // Slow down guessing without holding a worker while waiting.
        d->schedule(Clock::now() + d->options.failure_delay,
                    [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    });
}

std::uint64_t Authenticator::cache_hits() const {
    return impl_->cache_hits.load();
}

AuthResult Authenticator::check(std::string login, std::string password, std::string client_ip) {
    std::promise<AuthResult> p;
    auto f = p.get_future();
    check_async(std::move(login), std::move(password), std::move(client_ip),
                [&p](AuthResult r) { p.set_value(std::move(r)); });
    return f.get();
}

}  // namespace hermod::auth
