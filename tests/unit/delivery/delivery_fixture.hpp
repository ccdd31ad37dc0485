// delivery_fixture.hpp - a real store in a temporary folder, with local domains, accounts and
// a Deliverer over it.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "delivery/local_deliverer.hpp"
#include "store/store.hpp"

namespace hermod::delivery::test {

class DeliveryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/hermod-delivery-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        store_ = store::open_store({.data_dir = dir_});
        store_->add_domain("example.org");
        store_->add_domain("example.com");
        for (const char* a :
             {"alice@example.org", "bob@example.org", "carol@example.org", "dave@example.com"})
            store_->add_account(a, "{PLAIN}x");
        config_ = config::defaults();
        config_.server.hostname = "example.org";
    }
    void TearDown() override {
        deliverer_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    Deliverer& deliverer() {
        if (!deliverer_) deliverer_ = make_deliverer(*store_, config_);
        return *deliverer_;
    }

    store::Id inbox_of(const std::string& address, const std::string& box = "INBOX") {
        auto a = store_->find_account(address);
        EXPECT_TRUE(a) << address;
        return store_->find_mailbox(a->id, box)->id;
    }
    std::size_t count(const std::string& address, const std::string& box = "INBOX") {
        return store_->list_messages(inbox_of(address, box)).size();
    }

    std::shared_ptr<const store::StagedBlob> message(const std::string& text) {
        auto w = deliverer().new_message();
        w->write(text);
        return w->finish();
    }

    static Envelope envelope(std::vector<std::string> rcpts, Client client = {}) {
        Envelope e;
        e.mail_from = "sender@remote.example";
        e.client = std::move(client);
        for (auto& r : rcpts)
            e.recipients.push_back(Recipient{std::move(r), 0, {}});
        return e;
    }

    /// deliver_async, waited for; also checks the completion ran off the calling thread.
    std::vector<RcptResult> deliver(Envelope e, std::shared_ptr<const store::StagedBlob> m) {
        std::promise<std::vector<RcptResult>> p;
        auto caller = std::this_thread::get_id();
        std::thread::id completion;
        deliverer().deliver_async(std::move(e), std::move(m), [&](std::vector<RcptResult> r) {
            completion = std::this_thread::get_id();
            p.set_value(std::move(r));
        });
        auto r = p.get_future().get();
        EXPECT_TRUE(completion != caller) << "completion must come from the store's writer thread";
        return r;
    }

    std::string dir_;
    std::unique_ptr<store::Store> store_;
    config::Config config_;
    std::unique_ptr<Deliverer> deliverer_;
};

}  // namespace hermod::delivery::test
