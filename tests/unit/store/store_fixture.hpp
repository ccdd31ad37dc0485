// store_fixture.hpp - a fresh store in its own temporary folder for every test.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace hermod::store::test {

class StoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/hermod-store-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        options_.data_dir = dir_;
        store_ = open_store(options_);
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    void reopen() {
        store_.reset();
        store_ = open_store(options_);
    }

    /// A body staged through the public BlobWriter.
    std::shared_ptr<const StagedBlob> blob(const std::string& content) {
        auto w = store_->new_blob();
        w->write(content);
        return w->finish();
    }
    /// Creates example.org and alice@example.org; returns alice's INBOX.
    Mailbox inbox() {
        if (!store_->find_domain("example.org")) store_->add_domain("example.org");
        auto a = store_->find_account("alice@example.org");
        if (!a) a = store_->add_account("alice@example.org", "{PLAIN}x");
        return *store_->find_mailbox(a->id, "INBOX");
    }

    std::string dir_;
    StoreOptions options_;
    std::unique_ptr<Store> store_;
};

/// EXPECT that `stmt` throws StoreError of `kind`.
#define EXPECT_STORE_ERROR(stmt, expected_kind)                                                 \
    do {                                                                                        \
        try {                                                                                   \
            stmt;                                                                               \
            ADD_FAILURE() << #stmt " did not throw";                                            \
        } catch (const ::hermod::store::StoreError& e) {                                        \
            EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(expected_kind)) << e.what(); \
        }                                                                                       \
    } while (0)

}  // namespace hermod::store::test
