// authenticator.cpp - see authenticator.hpp. A tiny scheduler: worker threads take jobs from a
// queue ordered by due time, so a delayed failure report occupies no thread while it waits.
// Security: failure counters are bounded (old entries pruned, the table capped) so an attacker
// rotating addresses cannot grow memory without limit.
#include "auth/authenticator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
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

    Impl(store::Store& s, const config::LimitsConfig& l, AuthenticatorOptions o)
        : store(s), limits(l), options(o) {
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
        return {AuthStatus::Ok, account->address};
    }
};

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

AuthResult Authenticator::check(std::string login, std::string password, std::string client_ip) {
    std::promise<AuthResult> p;
    auto f = p.get_future();
    check_async(std::move(login), std::move(password), std::move(client_ip),
                [&p](AuthResult r) { p.set_value(std::move(r)); });
    return f.get();
}

}  // namespace hermod::auth
