// testing.cpp - raw inspection helpers for tests (see testing.hpp).
#include "store/sqlite/testing.hpp"

#include "store/sqlite/db.hpp"

namespace hermod::store::sqlite::testing {

int user_version(const std::string& data_dir) {
    Db db(data_dir + "/hermod.db", false, false);
    auto st = db.prepare("PRAGMA user_version");
    return st.step() ? static_cast<int>(st.int64(0)) : 0;
}

void set_user_version(const std::string& data_dir, int version) {
    Db db(data_dir + "/hermod.db", false, false);
    db.exec("PRAGMA user_version=" + std::to_string(version));
}

bool has_index(const std::string& data_dir, const std::string& name) {
    Db db(data_dir + "/hermod.db", false, false);
    auto st = db.prepare("SELECT 1 FROM sqlite_master WHERE type='index' AND name=?1");
    st.bind(1, name);
    return st.step();
}

bool has_table(const std::string& data_dir, const std::string& name) {
    Db db(data_dir + "/hermod.db", false, false);
    auto st = db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1");
    st.bind(1, name);
    return st.step();
}

std::int64_t blob_rows(const std::string& data_dir) {
    Db db(data_dir + "/hermod.db", false, false);
    auto st = db.prepare("SELECT count(*) FROM blobs");
    return st.step() ? st.int64(0) : 0;
}

std::int64_t blob_refcount(const std::string& data_dir, const std::string& hash) {
    Db db(data_dir + "/hermod.db", false, false);
    auto st = db.prepare("SELECT refcount FROM blobs WHERE hash=?1");
    st.bind(1, hash);
    return st.step() ? st.int64(0) : -1;
}

bool blob_is_inline(const std::string& data_dir, const std::string& hash) {
    Db db(data_dir + "/hermod.db", false, false);
    auto st = db.prepare("SELECT data IS NOT NULL FROM blobs WHERE hash=?1");
    st.bind(1, hash);
    return st.step() && st.int64(0) != 0;
}

bool blob_structure_is_null(const std::string& data_dir, const std::string& hash) {
    Db db(data_dir + "/hermod.db", false, false);
    {
        auto st = db.prepare("SELECT 1 FROM pragma_table_info('blobs') WHERE name='structure'");
        if (!st.step()) return true;
    }
    {
        auto t = db.prepare("SELECT 1 FROM sqlite_master WHERE name='blob_structures'");
        if (t.step()) {
            auto st = db.prepare(
                "SELECT count(*) = 0 FROM blob_structures s JOIN blobs b ON s.blob_id=b.id "
                "WHERE b.hash=?1");
            st.bind(1, hash);
            return !st.step() || st.int64(0) != 0;
        }
    }
    auto st = db.prepare("SELECT structure IS NULL FROM blobs WHERE hash=?1");
    st.bind(1, hash);
    return !st.step() || st.int64(0) != 0;
}

std::string query_plan(const std::string& data_dir, const std::string& sql) {
    Db db(data_dir + "/hermod.db", false, false);
    auto st = db.prepare("EXPLAIN QUERY PLAN " + sql);
    std::string out;
    while (st.step()) {
        if (!out.empty()) out.push_back('\n');
        out += st.text(3);
    }
    return out;
}

}  // namespace hermod::store::sqlite::testing
