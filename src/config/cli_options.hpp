// cli_options.hpp - the options every `hermod` subcommand takes, and loading the config with them.
#pragma once

#include <string>

#include "config/config.hpp"

namespace hermod::config {

/// Set by main() from the command line and environment before any subcommand runs.
struct GlobalOptions {
    std::string data_dir = "./var";  // --data DIR, env HERMOD_DATA
    std::string config_file;         // --config FILE, env HERMOD_CONFIG; empty = defaults only
};

/// The effective configuration: the defaults, overridden by --config when given. On errors,
/// prints each one as "file:line: message" to stderr and throws ExitError(2).
Config load_or_exit(const GlobalOptions& options);

/// Thrown by subcommands that have already told the user what went wrong; main() exits with
/// `code` and prints nothing more.
struct ExitError {
    int code = 1;
};

}  // namespace hermod::config
