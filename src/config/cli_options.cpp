#include "config/cli_options.hpp"

#include <cstdio>

namespace hermod::config {

Config load_or_exit(const GlobalOptions& options) {
    if (options.config_file.empty()) return defaults();
    LoadResult r = load_file(options.config_file);
    if (r.errors.empty()) return r.config;
    for (const auto& e : r.errors)
        std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::fprintf(stderr, "hermod: %zu error(s) in %s\n", r.errors.size(),
                 options.config_file.c_str());
    throw ExitError{2};
}

}  // namespace hermod::config
