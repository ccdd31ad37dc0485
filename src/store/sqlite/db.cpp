// db.cpp - SQLite connection and statement wrappers (see db.hpp).
#include "store/sqlite/db.hpp"

#include <sqlite3.h>

#include <cstring>
#include <mutex>

#include "store/store.hpp"

namespace hermod::store::sqlite {

namespace {

// The server switches to an unprivileged user with the data folder as its current directory and
// opens everything by relative path, so the data folder may sit below folders that user cannot
// traverse (a checkout in /root). SQLite's default VFS turns a relative name into an absolute one
// before opening it, which would defeat that; this VFS is the default one except that relative
// names stay relative. The process never changes its directory after opening the store.
sqlite3_vfs* g_base_vfs = nullptr;
sqlite3_vfs g_relative_vfs;

int relative_full_pathname(sqlite3_vfs* vfs, const char* name, int out_size, char* out) {
    if (name[0] == '/') return g_base_vfs->xFullPathname(vfs, name, out_size, out);
    std::size_t len = std::strlen(name);
    if (len + 1 > static_cast<std::size_t>(out_size)) return SQLITE_CANTOPEN;
    std::memcpy(out, name, len + 1);
    return SQLITE_OK;
}

const char* relative_vfs_name() {
    static std::once_flag once;
    std::call_once(once, [] {
        g_base_vfs = sqlite3_vfs_find(nullptr);
        g_relative_vfs = *g_base_vfs;  // same pAppData: the unix VFS needs its own there
        g_relative_vfs.zName = "hermod-relative";
        g_relative_vfs.xFullPathname = relative_full_pathname;
        sqlite3_vfs_register(&g_relative_vfs, 0);
    });
    return g_relative_vfs.zName;
}

ErrorKind kind_of(int code) {
    switch (code & 0xff) {
        case SQLITE_CONSTRAINT:
            return ErrorKind::AlreadyExists;
        default:
            return ErrorKind::Io;
    }
}

}  // namespace

Stmt::~Stmt() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Stmt& Stmt::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_->fail("bind");
    return *this;
}

Stmt& Stmt::bind(int index, std::string_view text) {
    if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                            SQLITE_UTF8) != SQLITE_OK)
        db_->fail("bind");
    return *this;
}

Stmt& Stmt::bind_blob(int index, std::string_view bytes) {
    // A zero-length blob must still be a BLOB, not NULL (NULL means "in a file").
    // SQLITE_STATIC: no private copy of what may be a message body of up to inline_blob_max;
    // the caller keeps `bytes` alive until the statement has run (see db.hpp).
    if (sqlite3_bind_blob64(stmt_, index, bytes.empty() ? "" : bytes.data(), bytes.size(),
                            SQLITE_STATIC) != SQLITE_OK)
        db_->fail("bind");
    return *this;
}

Stmt& Stmt::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_->fail("bind");
    return *this;
}

bool Stmt::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_->fail("statement");
}

void Stmt::run() {
    while (step()) {
    }
}

std::int64_t Stmt::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::string Stmt::text(int column) const {
    auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    int n = sqlite3_column_bytes(stmt_, column);
    return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

bool Stmt::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Db::Db(const std::string& path, bool create, bool read_only) : path_(path) {
    // SQLite's memory statistics take one process-wide mutex around every allocation: with
    // many reader connections on many threads that mutex was contended on each query. Must
    // precede the first sqlite3_open (the call fails harmlessly if SQLite is already running).
    static std::once_flag memstatus_off;
    std::call_once(memstatus_off, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    int flags = SQLITE_OPEN_NOMUTEX;  // one thread at a time per connection (writer or a lease)
    flags |= read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create && !read_only) flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, relative_vfs_name()) != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw StoreError(ErrorKind::Io, "cannot open database " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    // The admin CLI and the server may both write: wait for the other's lock rather than fail.
    sqlite3_busy_timeout(db_, 10000);
    // FULL: the WAL is fsynced at every COMMIT, which is what makes a completion durable.
    exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
}

Db::~Db() {
    for (auto& [sql, stmt] : cache_)
        sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

void Db::exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw StoreError(kind_of(sqlite3_extended_errcode(db_)), "database error: " + msg);
    }
}

Stmt Db::prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
            fail("prepare");
        it = cache_.emplace(std::string(sql), stmt).first;
    }
    return Stmt(*this, it->second);
}

std::int64_t Db::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(db_);
}

int Db::changes() const {
    return sqlite3_changes(db_);
}

void Db::fail(std::string_view what) const {
    throw StoreError(kind_of(sqlite3_extended_errcode(db_)),
                     "database error (" + std::string(what) + "): " + sqlite3_errmsg(db_));
}

}  // namespace hermod::store::sqlite
