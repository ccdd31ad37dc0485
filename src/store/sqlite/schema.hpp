// schema.hpp - the SQLite schema and its forward migrations (PRAGMA user_version).
//
// Every step is applied in its own transaction; a store written by a newer Hermod (a version
// above kLatestVersion) is refused rather than misread.
#pragma once

namespace hermod::store::sqlite {

class Db;

/// The version this code writes and understands.
inline constexpr int kLatestVersion = 6;

/// Brings the database up to `target` (kLatestVersion by default) one step at a time.
/// Throws StoreError(Invalid) if the database is at a newer version than this code knows.
void migrate(Db& db, int target = kLatestVersion);

/// The database's PRAGMA user_version.
int schema_version(Db& db);

}  // namespace hermod::store::sqlite
