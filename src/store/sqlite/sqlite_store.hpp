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

}  // namespace hermod::store::sqlite
