// local_deliverer.cpp - resolution, relay policy, pipeline and the one store write per message
// (see local_deliverer.hpp).
#include "delivery/local_deliverer.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "common/address.hpp"
#include "delivery/networks.hpp"

namespace hermod::delivery {

namespace {

/// How one envelope recipient's copies went, gathered before and after the store write.
struct Slot {
    std::optional<RcptResult> settled;  // decided before the write (refused, failed to resolve)
    std::vector<std::size_t> local;     // indices into the NewMessages
    std::vector<std::size_t> remote;    // indices into the NewQueueEntries
    bool local_target = false;          // resolved to at least one account
    std::size_t discarded = 0;          // copies a stage discarded (accepted, not filed)
    std::optional<Reject> rejected;     // the first Reject of a stage, if any
};

class LocalDeliverer final : public Deliverer {
  public:
    LocalDeliverer(store::Store& store, const config::Config& config, Pipeline pipeline,
                   ResolveLimits limits)
        : store_(store),
          trusted_(config.smtp.trusted_networks),
          hostname_(ascii_lower(config.server.hostname)),
          pipeline_(std::move(pipeline)),
          limits_(limits) {}

    RcptVerdict check_recipient(const Client& client, std::string_view address) override {
        try {
            Resolution r = resolve(store_, normalize_rcpt(address), may_relay(client), limits_);
            return RcptVerdict{r.status, r.detail};
        } catch (const std::exception& e) {
            return RcptVerdict{RcptStatus::TempFail, std::string("cannot resolve: ") + e.what()};
        }
    }

    bool may_send_as(const Client& client, std::string_view sender_in) override {
        if (!client.authenticated || client.login.empty() || sender_in.empty()) return false;
        // Local parts are case-insensitive here as everywhere in Hermod (accounts are lower case).
        std::string sender = ascii_lower(sender_in);
        std::string login = ascii_lower(client.login);
        auto candidates = std::vector<std::string>{sender};
        // "alice+lists@example.org" is alice's own subaddress.
        auto at = sender.rfind('@');
        auto plus = sender.find('+');
        if (at != std::string::npos && plus != std::string::npos && plus > 0 && plus < at)
            candidates.push_back(sender.substr(0, plus) + sender.substr(at));
        try {
            for (const auto& c : candidates) {
                if (c == login) return true;
                // An alias whose targets include the login: the user receives that address's
                // mail, so may send as it. Catch-alls do not count (they would allow any address).
                for (const auto& a : store_.list_aliases(c))
                    if (ascii_lower(a.target) == login) return true;
            }
        } catch (const std::exception&) {
            return false;  // fail closed
        }
        return false;
    }

    std::optional<std::vector<std::string>> expand_list(std::string_view address) override {
        try {
            if (!store_.find_list(address)) return std::nullopt;
            return store_.list_members(address);
        } catch (const store::StoreError& e) {
            if (e.kind() == store::ErrorKind::NotFound) return std::nullopt;
            throw;
        }
    }

    std::unique_ptr<store::BlobWriter> new_message() override { return store_.new_blob(); }

    void deliver_async(Envelope envelope_in, std::shared_ptr<const store::StagedBlob> message,
                       DeliverCallback done) override {
        auto envelope = std::make_shared<const Envelope>(std::move(envelope_in));
        const std::size_t n = envelope->recipients.size();
        auto slots = std::make_shared<std::vector<Slot>>(n);
        std::vector<store::NewMessage> local;
        std::vector<store::NewQueueEntry> remote;
        if (!message) {
            done(std::vector<RcptResult>(n, RcptResult{RcptStatus::TempFail, "no message"}));
            return;
        }
        // One copy per mailbox and one queue entry per remote address for the whole message,
        // however many recipients reach them (RFC 5321 §3.9.1 duplicate suppression).
        std::map<store::Id, std::size_t> by_mailbox;
        std::map<std::string, std::size_t> by_remote;
        bool relay = may_relay(envelope->client);

        for (std::size_t i = 0; i < n; ++i) {
            const Recipient& rcpt = envelope->recipients[i];
            Slot& slot = (*slots)[i];
            try {
                // Again, not the RCPT-time verdict: aliases, lists or quotas may have changed.
                Resolution r = resolve(store_, normalize_rcpt(rcpt.address), relay, limits_);
                // Quota grace (SMTP): accepted at RCPT, so a mailbox filled up since then
                // still gets its copy.
                bool all_full = r.status == RcptStatus::OverQuota;
                if (r.status != RcptStatus::Local && r.status != RcptStatus::Remote &&
                    !(all_full && rcpt.quota_grace)) {
                    slot.settled = RcptResult{r.status, r.detail};
                    continue;
                }
                slot.local_target = !r.local.empty();
                // Every stage runs before anything of this recipient is merged into the write,
                // so a failure half-way leaves no copy behind that a retry would duplicate.
                std::vector<store::NewMessage> copies;
                for (const auto& target : r.local)
                    if (auto copy = file_copy(*envelope, rcpt, target, message, slot)) {
                        // Grace goes to mailboxes the RCPT check counts as not full (a list
                        // member already full still misses the message), or to all of them
                        // when every one is full now (filled since RCPT).
                        bool full =
                            target.quota_bytes > 0 && target.used_bytes >= target.quota_bytes;
                        copy->ignore_quota = rcpt.quota_grace && (all_full || !full);
                        copies.push_back(std::move(*copy));
                    }
                for (auto& copy : copies) {
                    auto [it, fresh] = by_mailbox.emplace(copy.mailbox_id, local.size());
                    if (fresh) local.push_back(std::move(copy));
                    slot.local.push_back(it->second);
                }
                for (const auto& address : r.remote) {
                    auto [it, fresh] = by_remote.emplace(ascii_lower(address), remote.size());
                    if (fresh) remote.push_back(queue_entry(*envelope, rcpt, address, message));
                    slot.remote.push_back(it->second);
                }
            } catch (const std::exception& e) {
                slot = Slot{};
                slot.settled =
                    RcptResult{RcptStatus::TempFail, std::string("cannot deliver: ") + e.what()};
            }
        }

        auto finish = [slots, done = std::move(done)](std::exception_ptr error,
                                                      store::Delivered delivered) {
            std::vector<RcptResult> results;
            results.reserve(slots->size());
            std::string why;
            if (error) {
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    why = e.what();
                } catch (...) {
                    why = "unknown error";
                }
            }
            for (const auto& slot : *slots)
                results.push_back(settle(slot, error != nullptr, why, delivered));
            done(std::move(results));
        };
        // Always through the writer, even with nothing to write: the completion then runs on
        // the writer thread in every case, never re-entering the caller.
        store_.deliver_async(std::move(local), std::move(remote), std::move(finish));
    }

  private:
    bool may_relay(const Client& client) const {
        return client.authenticated || client.trusted || trusted_.contains(client.ip);
    }

    /// RFC 5321 §4.5.1: "Postmaster" without a domain must be accepted; it means the postmaster
    /// of this host: postmaster@<hostname> when the hostname is a local domain, else the
    /// postmaster of the first local domain (the oldest).
    std::string normalize_rcpt(std::string_view address) const {
        if (address.find('@') != std::string_view::npos || ascii_lower(address) != "postmaster")
            return std::string(address);
        if (!store_.find_domain(hostname_)) {
            auto domains = store_.list_domains();
            auto first = std::min_element(
                domains.begin(), domains.end(),
                [](const store::Domain& a, const store::Domain& b) { return a.id < b.id; });
            if (first != domains.end()) return "postmaster@" + first->name;
        }
        return "postmaster@" + hostname_;
    }

    /// Runs the pipeline for one account; returns the copy to file, or nullopt when a stage
    /// discarded or rejected it (recorded in `slot`).
    std::optional<store::NewMessage> file_copy(
        const Envelope& envelope, const Recipient& rcpt, const MailboxTarget& target,
        const std::shared_ptr<const store::StagedBlob>& message, Slot& slot) {
        DeliveryContext ctx(store_, envelope, rcpt, target.account, target.account_id, message);
        StageResult verdict = pipeline_.run(ctx);
        if (std::holds_alternative<Discard>(verdict)) {
            ++slot.discarded;
            return std::nullopt;
        }
        if (auto* reject = std::get_if<Reject>(&verdict)) {
            if (!slot.rejected || (reject->temporary && !slot.rejected->temporary))
                slot.rejected = *reject;
            return std::nullopt;
        }
        auto box = store_.find_mailbox(target.account_id, ctx.mailbox);
        if (!box) box = store_.find_mailbox(target.account_id, "INBOX");
        if (!box)
            throw store::StoreError(store::ErrorKind::NotFound,
                                    "account " + target.account + " has no INBOX");
        return store::NewMessage{box->id, message, ctx.flags, ctx.keywords, 0};
    }

    static store::NewQueueEntry queue_entry(
        const Envelope& envelope, const Recipient& rcpt, const std::string& address,
        const std::shared_ptr<const store::StagedBlob>& message) {
        store::NewQueueEntry q;
        q.blob = message;
        q.return_path_length = envelope.return_path_length;
        q.mail_from = envelope.mail_from;
        q.recipient = address;
        q.dsn_ret = envelope.dsn.ret;
        q.dsn_envid = envelope.dsn.envid;
        q.notify = rcpt.notify;
        // RFC 3461 §4.2: keep the recipient's ORCPT; when an alias or list rewrote it, the
        // original recipient is what the sender knows.
        q.orcpt = !rcpt.orcpt.empty()                                 ? rcpt.orcpt
                  : ascii_lower(rcpt.address) != ascii_lower(address) ? "rfc822;" + rcpt.address
                                                                      : std::string();
        return q;
    }

    /// One recipient's result once the store has answered.
    static RcptResult settle(const Slot& slot, bool failed, const std::string& why,
                             const store::Delivered& delivered) {
        if (slot.settled) return *slot.settled;
        if (failed && (!slot.local.empty() || !slot.remote.empty()))
            return RcptResult{RcptStatus::TempFail, "cannot store the message: " + why};
        std::size_t ok_local = slot.discarded, ok_remote = 0;
        std::string quota_error;
        for (std::size_t k : slot.local) {
            if (k < delivered.local.size() && delivered.local[k])
                ++ok_local;
            else if (k < delivered.local_errors.size() && quota_error.empty())
                quota_error = delivered.local_errors[k];
        }
        for (std::size_t k : slot.remote)
            if (k < delivered.queued.size()) ++ok_remote;
        // Accepted when at least one copy is durable (or deliberately discarded); members of a
        // list whose mailbox is full just miss this message.
        if (ok_local > 0) return RcptResult{RcptStatus::Local, {}};
        if (ok_remote > 0) return RcptResult{RcptStatus::Remote, {}};
        if (!quota_error.empty()) return RcptResult{RcptStatus::OverQuota, "mailbox full"};
        if (slot.rejected)
            // RcptStatus has no generic "refused by policy": 554 5.7.1 (RFC 3463 "delivery not
            // authorized, message refused") is what RelayDenied maps to.
            return RcptResult{
                slot.rejected->temporary ? RcptStatus::TempFail : RcptStatus::RelayDenied,
                slot.rejected->detail};
        if (!slot.local_target && slot.remote.empty())
            return RcptResult{RcptStatus::Local, {}};  // an empty mailing list: accepted, dropped
        return RcptResult{RcptStatus::TempFail, "nothing was delivered"};
    }

    store::Store& store_;
    NetworkList trusted_;
    std::string hostname_;
    Pipeline pipeline_;
    ResolveLimits limits_;
};

}  // namespace

std::unique_ptr<Deliverer> make_deliverer(store::Store& store, const config::Config& config) {
    return make_deliverer(store, config, default_pipeline());
}

std::unique_ptr<Deliverer> make_deliverer(store::Store& store, const config::Config& config,
                                          Pipeline pipeline, ResolveLimits limits) {
    return std::make_unique<LocalDeliverer>(store, config, std::move(pipeline), limits);
}

}  // namespace hermod::delivery
