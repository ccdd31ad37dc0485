// resolver.cpp - recipient resolution (see resolver.hpp for the rules and their RFCs).
#include "delivery/resolver.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "common/address.hpp"

namespace hermod::delivery {

namespace {

struct Split {
    std::string local;
    std::string domain;
};

/// "local@domain" split at the last '@'. Lower case: accounts, aliases and lists are stored so.
std::optional<Split> split(std::string_view address) {
    auto at = address.rfind('@');
    if (at == std::string_view::npos || at + 1 == address.size()) return std::nullopt;
    return Split{ascii_lower(address.substr(0, at)), ascii_lower(address.substr(at + 1))};
}

/// Thrown inside the expansion to abandon it; becomes TempFail.
struct Abandon {
    std::string detail;
};

class Expander {
  public:
    Expander(store::Store& store, const ResolveLimits& limits, Resolution& out)
        : store_(store), limits_(limits), out_(out) {}

    /// Expands `address`; returns false when it matched nothing at all (dangling).
    bool expand(const std::string& address, int depth) {
        if (++steps_ > limits_.max_targets)
            throw Abandon{"expansion of more than " + std::to_string(limits_.max_targets) +
                          " addresses"};
        auto parts = split(address);
        if (!parts) return false;
        std::string normalized = parts->local + "@" + parts->domain;
        if (!is_local(parts->domain)) {
            // Remote addresses keep their local part as written: only the remote host may
            // interpret it (RFC 5321 §2.4). The domain is case-insensitive.
            std::string remote = address.substr(0, address.rfind('@')) + "@" + parts->domain;
            if (seen_remote_.insert(ascii_lower(remote)).second) out_.remote.push_back(remote);
            return true;
        }
        if (depth > limits_.max_depth)
            throw Abandon{"alias nesting deeper than " + std::to_string(limits_.max_depth) +
                          " at " + normalized + " (loop?)"};
        if (expand_exact(normalized, depth)) return true;
        // Subaddress: "user+tag" falls back to "user" (never for "+tag" alone).
        auto plus = parts->local.find('+');
        if (plus != std::string::npos && plus > 0) {
            std::string base = parts->local.substr(0, plus) + "@" + parts->domain;
            if (expand_exact(base, depth)) return true;
        }
        // RFC 5321 §3.9 leaves catch-alls to local policy: they come last, after every exact
        // and subaddress match.
        std::string catch_all = "@" + parts->domain;
        auto targets = store_.list_aliases(catch_all);
        if (!targets.empty()) {
            expand_targets(catch_all, targets, depth);
            return true;
        }
        return false;
    }

  private:
    bool is_local(const std::string& domain) {
        auto it = domains_.find(domain);
        if (it != domains_.end()) return it->second;
        bool local = store_.find_domain(domain).has_value();
        domains_.emplace(domain, local);
        return local;
    }

    /// Rules 1-3 for one normalised address.
    bool expand_exact(const std::string& address, int depth) {
        if (auto account = store_.find_account(address)) {
            if (seen_accounts_.insert(account->id).second)
                out_.local.push_back(MailboxTarget{account->id, account->address,
                                                   account->quota_bytes, account->used_bytes});
            return true;
        }
        auto targets = store_.list_aliases(address);
        if (!targets.empty()) {
            expand_targets(address, targets, depth);
            return true;
        }
        if (store_.find_list(address)) {
            std::vector<std::string> members;
            try {
                members = store_.list_members(address);
            } catch (const store::StoreError& e) {
                if (e.kind() != store::ErrorKind::NotFound) throw;
                return false;  // deleted meanwhile
            }
            enter(address);
            for (const auto& m : members)
                expand(m, depth + 1);
            path_.pop_back();
            return true;  // an empty list still exists: the mail is accepted and goes nowhere
        }
        return false;
    }

    void expand_targets(const std::string& source, const std::vector<store::Alias>& targets,
                        int depth) {
        enter(source);
        for (const auto& t : targets)
            expand(t.target, depth + 1);
        path_.pop_back();
    }

    /// Pushes `source` on the expansion path; meeting it again below itself is a loop. A
    /// source reached twice along different branches (a diamond) is not.
    void enter(const std::string& source) {
        if (std::find(path_.begin(), path_.end(), source) != path_.end()) {
            std::string chain;
            for (const auto& p : path_)
                chain += p + " -> ";
            throw Abandon{"alias loop: " + chain + source};
        }
        path_.push_back(source);
    }

    store::Store& store_;
    const ResolveLimits& limits_;
    Resolution& out_;
    std::vector<std::string> path_;
    std::set<store::Id> seen_accounts_;
    std::set<std::string> seen_remote_;
    std::map<std::string, bool> domains_;
    std::size_t steps_ = 0;
};

}  // namespace

std::optional<store::Account> first_account(store::Store& store, std::string_view domain) {
    if (!store.find_domain(domain)) return std::nullopt;
    auto accounts = store.list_accounts(domain);
    if (accounts.empty()) return std::nullopt;
    return *std::min_element(
        accounts.begin(), accounts.end(),
        [](const store::Account& a, const store::Account& b) { return a.id < b.id; });
}

Resolution resolve(store::Store& store, std::string_view address, bool may_relay,
                   const ResolveLimits& limits) {
    Resolution out;
    auto parts = split(address);
    if (!parts || parts->local.empty()) {
        out.status = RcptStatus::BadAddress;
        out.detail = "address needs a local part and a domain";
        return out;
    }
    if (!store.find_domain(parts->domain)) {
        // Relaying (RFC 5321 §3.6): only for clients we know.
        if (!may_relay) {
            out.status = RcptStatus::RelayDenied;
            out.detail = "relaying denied";
            return out;
        }
    }
    Expander expander(store, limits, out);
    bool found = false;
    try {
        found = expander.expand(std::string(address), 0);
        // RFC 5321 §4.5.1: every local domain MUST accept "postmaster". With no account, alias,
        // list or catch-all for it, the domain's first account (the oldest) receives its mail.
        if (!found && parts->local == "postmaster") {
            if (auto first = first_account(store, parts->domain))
                found = expander.expand(first->address, 0);
        }
    } catch (const Abandon& a) {
        out = Resolution{};
        out.status = RcptStatus::TempFail;
        out.detail = a.detail;
        return out;
    }
    if (!found || (out.local.empty() && out.remote.empty())) {
        bool list_or_alias = found;
        out.local.clear();
        out.remote.clear();
        out.status = list_or_alias && store.find_list(parts->local + "@" + parts->domain)
                         ? RcptStatus::Local  // an existing but empty list accepts and drops
                         : RcptStatus::NoSuchUser;
        out.detail = out.status == RcptStatus::Local ? "" : "no such user here";
        return out;
    }
    if (out.local.empty()) {
        out.status = RcptStatus::Remote;
        return out;
    }
    // RFC 5321 §4.5.3.1.10 / RFC 3463 X.2.2: refuse at RCPT only when every mailbox the
    // recipient means is full and nothing else would get the mail; members of a list with a full
    // mailbox just miss that message (the store refuses their copy at delivery).
    bool all_full = out.remote.empty() &&
                    std::all_of(out.local.begin(), out.local.end(), [](const MailboxTarget& t) {
                        return t.quota_bytes > 0 && t.used_bytes >= t.quota_bytes;
                    });
    out.status = all_full ? RcptStatus::OverQuota : RcptStatus::Local;
    if (all_full) out.detail = "mailbox full";
    return out;
}

}  // namespace hermod::delivery
