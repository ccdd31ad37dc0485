// sqlite_store.hpp - the embedded SQLite backend of the Store (file <data_dir>/hermod.db).
#pragma once

#include <memory>

#include "store/sqlite/schema.hpp"
#include "store/store.hpp"

namespace hermod::store::sqlite {

/// Opens the SQLite store in options.data_dir (which must exist), migrating it up to
/// `schema_version`. Anything below kLatestVersion is a test hook: it lets tests build an old
/// database and check that a later open migrates it.
std::unique_ptr<Store> open_sqlite_store(const StoreOptions& options,
                                         int schema_version = kLatestVersion);

/// Test hook: limits the writer's database to its current size plus `extra_pages` pages (0
/// lifts the limit), so tests can make one write of a group commit fail with "database full".
/// `store` must come from open_sqlite_store/open_store.
void limit_growth_for_test(Store& store, int extra_pages);

}  // namespace hermod::store::sqlite
