// fake_store_test.cpp - runs the AdminOps tests on the in-memory FakeStore.
#include "fake_store.hpp"
#include "admin_ops_test.hpp"

namespace hermod::admin::testing {

INSTANTIATE_TEST_SUITE_P(Fake, AdminOpsTest, ::testing::Values(StoreFactory([](const std::string&) {
                             return std::unique_ptr<store::Store>(new FakeStore);
                         })));

}  // namespace hermod::admin::testing
