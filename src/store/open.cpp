// open.cpp - open_store(): picks the embedded backend for a data folder.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace hermod::store {

std::unique_ptr<Store> open_store(const StoreOptions& options) {
    // Kept exactly as given: the server passes "." after chdir-ing into its data folder, and a
    // canonical absolute path could be outside what it may reach after dropping privileges.
    std::string dir = options.data_dir.empty() ? std::string(".") : options.data_dir;
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST)
        throw StoreError(ErrorKind::Io,
                         "cannot create data folder " + dir + ": " + std::strerror(errno));
    StoreOptions opts = options;
    opts.data_dir = dir;
    return sqlite::open_sqlite_store(opts);
}

}  // namespace hermod::store
