// sqlite_store_test.cpp - runs the AdminOps tests on the real store (SQLite) in a temp folder.
#include "admin_ops_test.hpp"

namespace hermod::admin::testing {

INSTANTIATE_TEST_SUITE_P(Sqlite, AdminOpsTest,
                         ::testing::Values(StoreFactory([](const std::string& dir) {
                             return store::open_store({.data_dir = dir});
                         })));

}  // namespace hermod::admin::testing
