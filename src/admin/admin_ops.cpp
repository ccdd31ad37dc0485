// admin_ops.cpp - domain, user and alias administration over the Store. See admin_ops.hpp.
#include "admin/admin_ops.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <limits>
#include <tuple>
#include <utility>

#include "auth/password.hpp"
#include "common/address.hpp"

namespace hermod::admin {

namespace {

std::string normalize_domain(std::string_view name) {
    if (!is_valid_domain(name)) throw AdminError("invalid domain name: " + std::string(name));
    if (name.back() == '.') name.remove_suffix(1);
    return ascii_lower(name);
}

Address parse_or_throw(std::string_view text) {
    auto address = parse_address(text);
    if (!address) throw AdminError("invalid address: " + std::string(text));
    return *address;
}

void require_local_domain(store::Store& store, std::string_view domain) {
    if (!store.find_domain(domain)) throw AdminError("no such domain: " + std::string(domain));
}

store::Account require_account(store::Store& store, std::string_view address) {
    auto account = store.find_account(address);
    if (!account) throw AdminError("no such user: " + std::string(address));
    return *account;
}

// The domain part of a normalised alias source ("a@d" or "@d").
std::string_view source_domain(std::string_view source) {
    return source.substr(source.rfind('@') + 1);
}

std::string hash_or_throw(std::string_view password) {
    if (password.empty()) throw AdminError("empty password");
    return auth::hash_password(password);
}

std::string format_time(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr) return std::to_string(unix_seconds);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

}  // namespace

// --- domains ---------------------------------------------------------------------------

store::Domain add_domain(store::Store& store, std::string_view name) {
    std::string domain = normalize_domain(name);
    if (store.find_domain(domain)) throw AdminError("domain already exists: " + domain);
    return store.add_domain(domain);
}

std::vector<std::string> list_domains(store::Store& store) {
    std::vector<std::string> names;
    for (auto& d : store.list_domains())
        names.push_back(std::move(d.name));
    std::sort(names.begin(), names.end());
    return names;
}

std::string delete_domain(store::Store& store, std::string_view name) {
    std::string domain = normalize_domain(name);
    require_local_domain(store, domain);
    std::size_t accounts = store.list_accounts(domain).size();
    std::size_t aliases = 0;
    for (const auto& a : store.list_aliases())
        if (source_domain(a.source) == domain) ++aliases;
    if (accounts != 0 || aliases != 0)
        throw AdminError("domain " + domain + " still has " + std::to_string(accounts) +
                         " user(s) and " + std::to_string(aliases) +
                         " alias(es); delete them first");
    store.delete_domain(domain);
    return domain;
}

// --- users -----------------------------------------------------------------------------

std::string check_new_user(store::Store& store, std::string_view address) {
    Address a = parse_or_throw(address);
    require_local_domain(store, a.domain);
    if (store.find_account(a.str())) throw AdminError("user already exists: " + a.str());
    return a.str();
}

store::Account require_user(store::Store& store, std::string_view address) {
    return require_account(store, parse_or_throw(address).str());
}

store::Account add_user(store::Store& store, std::string_view address, std::string_view password,
                        std::int64_t quota_bytes) {
    if (quota_bytes < 0) throw AdminError("invalid quota: " + std::to_string(quota_bytes));
    std::string normalized = check_new_user(store, address);
    // Hash last: it's the slow step, and there's no point before the checks pass.
    std::string hash = hash_or_throw(password);
    return store.add_account(normalized, hash, quota_bytes);
}

std::string set_password(store::Store& store, std::string_view address, std::string_view password) {
    Address a = parse_or_throw(address);
    require_account(store, a.str());
    store.set_password_hash(a.str(), hash_or_throw(password));
    return a.str();
}

std::string set_quota(store::Store& store, std::string_view address, std::int64_t quota_bytes) {
    Address a = parse_or_throw(address);
    if (quota_bytes < 0) throw AdminError("invalid quota: " + std::to_string(quota_bytes));
    require_account(store, a.str());
    store.set_quota(a.str(), quota_bytes);
    return a.str();
}

std::vector<std::string> list_users(store::Store& store, std::string_view domain) {
    std::string filter;
    if (!domain.empty()) {
        filter = normalize_domain(domain);
        require_local_domain(store, filter);
    }
    std::vector<std::string> out;
    for (auto& acc : store.list_accounts(filter))
        out.push_back(std::move(acc.address));
    std::sort(out.begin(), out.end());
    return out;
}

std::string delete_user(store::Store& store, std::string_view address) {
    Address a = parse_or_throw(address);
    require_account(store, a.str());
    store.delete_account(a.str());
    return a.str();
}

UserInfo show_user(store::Store& store, std::string_view address) {
    Address a = parse_or_throw(address);
    UserInfo info{require_account(store, a.str()), {}};
    info.mailboxes = store.list_mailboxes(info.account.id);
    std::sort(info.mailboxes.begin(), info.mailboxes.end(), [](const auto& x, const auto& y) {
        // INBOX first, as mail clients show it, then by name.
        return std::pair(x.name != "INBOX", x.name) < std::pair(y.name != "INBOX", y.name);
    });
    return info;
}

std::string format_user_info(const UserInfo& info) {
    const auto& acc = info.account;
    std::uint64_t messages = 0, bytes = 0;
    for (const auto& m : info.mailboxes) {
        messages += m.message_count;
        bytes += m.total_size;
    }
    std::string out;
    out += "address: " + acc.address + "\n";
    out += "created: " + format_time(acc.created) + "\n";
    out += "quota:   " +
           (acc.quota_bytes == 0 ? std::string("unlimited")
                                 : std::to_string(acc.quota_bytes) + " bytes") +
           "\n";
    out += "usage:   " + std::to_string(bytes) + " bytes in " + std::to_string(messages) +
           " message(s)\n";
    out += "mailboxes:";
    for (const auto& m : info.mailboxes) {
        out += "\n  " + m.name + ": " + std::to_string(m.message_count) + " message(s), " +
               std::to_string(m.total_size) + " bytes";
        if (auto use = store::to_string(m.special_use); !use.empty())
            out += " (" + std::string(use) + ")";
    }
    return out;
}

// --- aliases ---------------------------------------------------------------------------

std::string normalize_alias_source(std::string_view source) {
    // <source> ::= "@" domain          ; catch-all for the domain
    //            | local "@" domain
    if (source.starts_with('@')) {
        std::string_view domain = source.substr(1);
        if (!is_valid_domain(domain))
            throw AdminError("invalid alias source: " + std::string(source));
        return "@" + normalize_domain(domain);
    }
    auto a = parse_address(source);
    if (!a) throw AdminError("invalid alias source: " + std::string(source));
    return a->str();
}

store::Alias add_alias(store::Store& store, std::string_view source, std::string_view target) {
    store::Alias alias{normalize_alias_source(source), {}};
    auto t = parse_address(target);
    if (!t) throw AdminError("invalid alias target: " + std::string(target));
    alias.target = t->str();
    require_local_domain(store, source_domain(alias.source));
    if (alias.source == alias.target)
        throw AdminError("alias would point to itself: " + alias.source);
    for (const auto& existing : store.list_aliases(alias.source))
        if (existing.target == alias.target)
            throw AdminError("alias already exists: " + alias.source + " " + alias.target);
    store.add_alias(alias.source, alias.target);
    return alias;
}

std::vector<store::Alias> list_aliases(store::Store& store, std::string_view source) {
    std::string filter;
    if (!source.empty()) filter = normalize_alias_source(source);
    auto out = store.list_aliases(filter);
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
        return std::tie(x.source, x.target) < std::tie(y.source, y.target);
    });
    return out;
}

std::size_t delete_alias(store::Store& store, std::string_view source, std::string_view target) {
    std::string src = normalize_alias_source(source);
    std::string tgt;
    if (!target.empty()) {
        auto t = parse_address(target);
        if (!t) throw AdminError("invalid alias target: " + std::string(target));
        tgt = t->str();
    }
    auto existing = store.list_aliases(src);
    std::size_t matching = tgt.empty() ? existing.size()
                                       : static_cast<std::size_t>(std::count_if(
                                             existing.begin(), existing.end(),
                                             [&](const auto& a) { return a.target == tgt; }));
    if (matching == 0) throw AdminError("no such alias: " + src + (tgt.empty() ? "" : " " + tgt));
    store.delete_alias(src, tgt);
    return matching;
}

// --- helpers ---------------------------------------------------------------------------

std::int64_t parse_quota(std::string_view text) {
    // <quota> ::= "unlimited" | 1*DIGIT [ ("K" / "M" / "G" / "T") [ "i" ] [ "B" ] ]
    std::string lower = ascii_lower(text);
    if (lower == "unlimited") return 0;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(lower.data(), lower.data() + lower.size(), value);
    std::string_view unit(end, lower.data() + lower.size() - end);
    if (ec != std::errc{} || end == lower.data())
        throw AdminError("invalid quota: " + std::string(text));
    if (unit.ends_with('b')) unit.remove_suffix(1);
    if (unit.ends_with('i') && unit.size() == 2) unit.remove_suffix(1);
    int shift = 0;
    if (unit.empty())
        shift = 0;
    else if (unit == "k")
        shift = 10;
    else if (unit == "m")
        shift = 20;
    else if (unit == "g")
        shift = 30;
    else if (unit == "t")
        shift = 40;
    else
        throw AdminError("invalid quota: " + std::string(text));
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (value > (kMax >> shift)) throw AdminError("quota too large: " + std::string(text));
    return static_cast<std::int64_t>(value << shift);
}

}  // namespace hermod::admin
