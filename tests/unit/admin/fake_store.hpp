// fake_store.hpp - an in-memory Store with just the domain/account/alias/mailbox parts, so the
// admin operations can be tested without the SQLite backend (and to cross-check it).
#pragma once

#include <algorithm>
#include <map>
#include <stdexcept>

#include "store/store.hpp"

namespace hermod::admin::testing {

class FakeStore : public store::Store {
  public:
    using Domain = store::Domain;
    using Account = store::Account;
    using Alias = store::Alias;
    using Mailbox = store::Mailbox;
    using Id = store::Id;
    using store::Store::append;

    Domain add_domain(std::string_view name) override {
        if (domains_.contains(std::string(name))) fail(store::ErrorKind::AlreadyExists);
        Domain d{next_id_++, std::string(name)};
        domains_[d.name] = d;
        return d;
    }
    std::vector<Domain> list_domains() override {
        std::vector<Domain> out;
        for (auto& [_, d] : domains_)
            out.push_back(d);
        return out;
    }
    std::optional<Domain> find_domain(std::string_view name) override {
        auto it = domains_.find(std::string(name));
        if (it == domains_.end()) return std::nullopt;
        return it->second;
    }
    void delete_domain(std::string_view name) override {
        if (!domains_.erase(std::string(name))) fail(store::ErrorKind::NotFound);
    }

    Account add_account(std::string_view address, std::string_view hash,
                        std::int64_t quota) override {
        std::string a(address);
        if (!domains_.contains(a.substr(a.rfind('@') + 1))) fail(store::ErrorKind::NotFound);
        if (accounts_.contains(a)) fail(store::ErrorKind::AlreadyExists);
        Account acc{next_id_++, a, std::string(hash), quota, 1700000000};
        accounts_[a] = acc;
        create_mailbox(acc.id, "INBOX", store::SpecialUse::None);
        create_mailbox(acc.id, "Sent", store::SpecialUse::Sent);
        create_mailbox(acc.id, "Trash", store::SpecialUse::Trash);
        return acc;
    }
    std::vector<Account> list_accounts(std::string_view domain) override {
        std::vector<Account> out;
        for (auto& [a, acc] : accounts_)
            if (domain.empty() || a.substr(a.rfind('@') + 1) == domain) out.push_back(acc);
        return out;
    }
    std::optional<Account> find_account(std::string_view address) override {
        auto it = accounts_.find(std::string(address));
        if (it == accounts_.end()) return std::nullopt;
        return it->second;
    }
    void set_password_hash(std::string_view address, std::string_view hash) override {
        get(address).password_hash = hash;
    }
    void set_quota(std::string_view address, std::int64_t quota) override {
        get(address).quota_bytes = quota;
    }
    void delete_account(std::string_view address) override {
        Id id = get(address).id;
        std::erase_if(mailboxes_, [&](const auto& kv) { return kv.second.account_id == id; });
        accounts_.erase(std::string(address));
    }

    void add_alias(std::string_view source, std::string_view target) override {
        aliases_.push_back({std::string(source), std::string(target)});
    }
    std::vector<Alias> list_aliases(std::string_view source) override {
        std::vector<Alias> out;
        for (auto& a : aliases_)
            if (source.empty() || a.source == source) out.push_back(a);
        return out;
    }
    void delete_alias(std::string_view source, std::string_view target) override {
        std::erase_if(aliases_, [&](const Alias& a) {
            return a.source == source && (target.empty() || a.target == target);
        });
    }

    Mailbox create_mailbox(Id account_id, std::string_view name, store::SpecialUse use) override {
        Mailbox m;
        m.id = next_id_++;
        m.account_id = account_id;
        m.name = name;
        m.special_use = use;
        mailboxes_[m.id] = m;
        return m;
    }
    std::vector<Mailbox> list_mailboxes(Id account_id) override {
        std::vector<Mailbox> out;
        for (auto& [_, m] : mailboxes_)
            if (m.account_id == account_id) out.push_back(m);
        return out;
    }
    std::optional<Mailbox> find_mailbox(Id, std::string_view) override { unused(); }
    void rename_mailbox(Id, std::string_view) override { unused(); }
    void delete_mailbox(Id) override { unused(); }
    void set_subscribed(Id, bool) override { unused(); }
    void append_async(std::vector<store::NewMessage>, store::AppendCallback) override { unused(); }
    std::vector<store::Message> list_messages(Id) override { unused(); }
    std::optional<store::Message> find_message(Id, std::uint32_t) override { unused(); }
    std::uint64_t store_flags(Id, const std::vector<std::uint32_t>&, std::uint32_t,
                              const std::vector<std::string>&, store::FlagMode) override {
        unused();
    }
    std::uint64_t expunge(Id, const std::vector<std::uint32_t>&) override { unused(); }
    std::vector<store::Change> changes_since(Id, std::uint64_t) override { unused(); }
    std::unique_ptr<store::BlobWriter> new_blob() override { unused(); }
    std::string read_blob(std::string_view) override { unused(); }
    std::string read_blob_range(std::string_view, std::uint64_t, std::uint64_t) override {
        unused();
    }
    int schema_version() override { return 0; }

    /// Test hook: pretend a mailbox holds messages.
    void set_mailbox_usage(Id account_id, std::string_view name, std::uint32_t count,
                           std::uint64_t size) {
        for (auto& [_, m] : mailboxes_)
            if (m.account_id == account_id && m.name == name) {
                m.message_count = count;
                m.total_size = size;
            }
    }

  private:
    [[noreturn]] static void fail(store::ErrorKind kind) {
        throw store::StoreError(kind, "fake store error");
    }
    [[noreturn]] static void unused() { throw std::logic_error("not used by admin"); }
    Account& get(std::string_view address) {
        auto it = accounts_.find(std::string(address));
        if (it == accounts_.end()) fail(store::ErrorKind::NotFound);
        return it->second;
    }

    Id next_id_ = 1;
    std::map<std::string, Domain> domains_;
    std::map<std::string, Account> accounts_;
    std::vector<Alias> aliases_;
    std::map<Id, Mailbox> mailboxes_;
};

}  // namespace hermod::admin::testing
