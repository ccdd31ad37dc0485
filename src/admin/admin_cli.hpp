// admin_cli.hpp - small helpers shared by the domain/user/alias subcommand files.
#pragma once

#include <memory>

#include "config/cli_options.hpp"
#include "store/store.hpp"

namespace hermod::admin {

/// Opens the store in --data (creating it on first use). Every admin command opens and closes
/// it per invocation; the running server sees the changes on its next lookup.
inline std::unique_ptr<store::Store> open_admin_store(const config::GlobalOptions& options) {
    return store::open_store({.data_dir = options.data_dir});
}

}  // namespace hermod::admin
