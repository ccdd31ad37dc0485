// fake_deliverer.hpp - an in-memory delivery::Deliverer for the SMTP session tests: a fixed
// set of users in example.org, a list, quota and temporary-failure recipients, a storage
// failure for messages with the header line "X-Fail-Store: yes", and a
// deliver_async that completes on its own thread like the store's writer thread does.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "delivery/delivery.hpp"

namespace hermod::smtp::test {

class MemoryBlob : public store::BlobWriter {
  public:
    void write(std::string_view bytes) override { data_.append(bytes); }
    std::uint64_t size() const override { return data_.size(); }
    std::shared_ptr<const store::StagedBlob> finish() override {
        // A message containing this line fails to be stored (disk full, I/O error).
        if (data_.find("\r\nX-Fail-Store: yes\r\n") != std::string::npos)
            throw std::runtime_error("simulated storage failure");
        auto b = std::make_shared<store::StagedBlob>();
        b->hash = "fake";
        b->size = data_.size();
        b->inline_data = data_;
        return b;
    }

  private:
    std::string data_;
};

struct Delivered {
    delivery::Envelope envelope;
    std::string data;
};

class FakeDeliverer : public delivery::Deliverer {
  public:
    ~FakeDeliverer() override { drain(); }

    /// Waits for every pending completion; call it before the server (and its executors) goes.
    void drain() {
        std::vector<std::thread> pending;
        {
            std::lock_guard lock(mutex_);
            pending.swap(threads_);
        }
        for (auto& t : pending)
            t.join();
    }

    static std::string domain_of(std::string_view a) {
        auto at = a.rfind('@');
        return at == std::string_view::npos ? std::string() : std::string(a.substr(at + 1));
    }
    static std::string local_of(std::string_view a) {
        return std::string(a.substr(0, a.rfind('@')));
    }

    delivery::RcptVerdict check_recipient(const delivery::Client& client,
                                          std::string_view address) override {
        using delivery::RcptStatus;
        if (address == "Postmaster") return {RcptStatus::Local, {}};  // bare: ours
        std::string domain = domain_of(address), local = local_of(address);
        if (domain == "example.org" || domain == "mx.example.test") {
            static const std::set<std::string> users = {"alice", "bob",       "postmaster",
                                                        "team",  "late-full", "late-fail"};
            if (users.count(local)) return {RcptStatus::Local, {}};
            if (local == "full") return {RcptStatus::OverQuota, {}};
            if (local == "tmp") return {RcptStatus::TempFail, {}};
            return {RcptStatus::NoSuchUser, {}};
        }
        if (client.authenticated || client.trusted) return {RcptStatus::Remote, {}};
        return {RcptStatus::RelayDenied, {}};
    }

    bool may_send_as(const delivery::Client& client, std::string_view sender) override {
        if (!client.authenticated) return false;
        return sender == client.login ||
               (sender == "sales@example.org" && client.login == "alice@example.org");
    }

    std::optional<std::vector<std::string>> expand_list(std::string_view address) override {
        if (address == "team@example.org")
            return std::vector<std::string>{"alice@example.org", "bob@example.org"};
        return std::nullopt;
    }

    std::unique_ptr<store::BlobWriter> new_message() override {
        return std::make_unique<MemoryBlob>();
    }

    void deliver_async(delivery::Envelope envelope,
                       std::shared_ptr<const store::StagedBlob> message,
                       delivery::DeliverCallback done) override {
        std::lock_guard lock(mutex_);
        threads_.emplace_back(
            [this, envelope = std::move(envelope), message, done = std::move(done)]() mutable {
                // Like the store's writer thread: the answer arrives later, on another thread.
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                std::vector<delivery::RcptResult> results;
                for (const auto& r : envelope.recipients) {
                    std::string local = local_of(r.address);
                    delivery::RcptResult res;
                    if (local == "late-full")
                        // Like the real deliverer: quota grace (SMTP) delivers past the quota.
                        res.status = r.quota_grace ? delivery::RcptStatus::Local
                                                   : delivery::RcptStatus::OverQuota;
                    else if (local == "late-fail")
                        res.status = delivery::RcptStatus::TempFail;
                    else
                        res.status = domain_of(r.address) == "example.org"
                                         ? delivery::RcptStatus::Local
                                         : delivery::RcptStatus::Remote;
                    results.push_back(res);
                }
                {
                    std::lock_guard lock(mutex_);
                    delivered_.push_back(Delivered{envelope, message->inline_data});
                }
                done(std::move(results));
            });
    }

    std::vector<Delivered> delivered() {
        std::lock_guard lock(mutex_);
        return delivered_;
    }

  private:
    std::mutex mutex_;
    std::vector<std::thread> threads_;
    std::vector<Delivered> delivered_;
};

}  // namespace hermod::smtp::test
