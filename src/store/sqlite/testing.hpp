// testing.hpp - raw inspection helpers for tests of the SQLite backend. Not for production code:
// each call opens its own connection to <data_dir>/hermod.db.
#pragma once

#include <cstdint>
#include <string>

namespace hermod::store::sqlite::testing {

int user_version(const std::string& data_dir);
void set_user_version(const std::string& data_dir, int version);
bool has_index(const std::string& data_dir, const std::string& name);
bool has_table(const std::string& data_dir, const std::string& name);
/// Rows in the blobs table, and the refcount of one blob (-1 if absent).
std::int64_t blob_rows(const std::string& data_dir);
std::int64_t blob_refcount(const std::string& data_dir, const std::string& hash);
/// True when the blob's content is stored inside the database (not in a file).
bool blob_is_inline(const std::string& data_dir, const std::string& hash);
/// True when the blob's row has no stored MIME structure (NULL, or no such column before v4).
bool blob_structure_is_null(const std::string& data_dir, const std::string& hash);

/// EXPLAIN QUERY PLAN of `sql` (no parameters), its detail lines joined by '\n'.
std::string query_plan(const std::string& data_dir, const std::string& sql);

}  // namespace hermod::store::sqlite::testing
