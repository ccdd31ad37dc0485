// admin_ops_test.hpp - the AdminOps test fixture, parameterised by how to open a Store (today the
// embedded store in a temporary folder; a PostgreSQL backend will add its own instantiation).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace hermod::admin::testing {

using StoreFactory = std::function<std::unique_ptr<store::Store>(const std::string& dir)>;

class AdminOpsTest : public ::testing::TestWithParam<StoreFactory> {
  protected:
    void SetUp() override {
        std::string tmpl = (std::filesystem::temp_directory_path() / "hermod-admin-XXXXXX");
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
        store_ = GetParam()(dir_);
    }
    void TearDown() override {
        store_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    store::Store& store() { return *store_; }

    std::string dir_;
    std::unique_ptr<store::Store> store_;
};

}  // namespace hermod::admin::testing
