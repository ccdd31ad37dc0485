// db.hpp - a thin RAII layer over one SQLite connection and its prepared statements.
//
// Only src/store/sqlite includes this. Errors become StoreError (Io unless a constraint names a
// better kind), so callers above the backend never see SQLite codes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace hermod::store::sqlite {

class Db;

/// A prepared statement borrowed from a connection's cache. reset() on destruction, so the
/// statement can be reused and never holds a read transaction open.
class Stmt {
  public:
    Stmt(Db& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    ~Stmt();

    Stmt& bind(int index, std::int64_t value);
    Stmt& bind(int index, std::string_view text);
    /// Not copied: `bytes` must stay valid until this Stmt has finished running (it is unbound
    /// when the Stmt goes away).
    Stmt& bind_blob(int index, std::string_view bytes);
    Stmt& bind_null(int index);

    /// Steps once: true when a row is available, false when done. Throws on error.
    bool step();
    /// Steps to completion (for statements returning no rows).
    void run();

    std::int64_t int64(int column) const;
    std::string text(int column) const;
    bool is_null(int column) const;

  private:
    Db* db_;
    sqlite3_stmt* stmt_;
};

class Db {
  public:
    /// Opens (creating if `create`) the database at `path` and sets the per-connection pragmas.
    Db(const std::string& path, bool create, bool read_only);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    /// Runs one or more statements without results.
    void exec(const std::string& sql);
    /// A cached prepared statement for `sql` (one per distinct text).
    Stmt prepare(std::string_view sql);
    std::int64_t last_insert_rowid() const;
    int changes() const;
    /// Throws the StoreError matching the connection's last error, prefixed by `what`.
    [[noreturn]] void fail(std::string_view what) const;
    sqlite3* handle() const { return db_; }
    const std::string& path() const { return path_; }

  private:
    sqlite3* db_ = nullptr;
    std::string path_;
    std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

}  // namespace hermod::store::sqlite
