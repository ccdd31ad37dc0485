// commands.hpp - the admin subcommands: `hermod domain|user|alias|list|config ...`.
#pragma once

namespace CLI {
class App;
}

namespace hermod::config {
struct GlobalOptions;
}

namespace hermod::admin {

/// Adds every admin subcommand to `app`. `options` is filled in by the time a callback runs.
void register_commands(CLI::App& app, const config::GlobalOptions& options);

// Each group lives in its own file (domain_commands.cpp, ...).
void register_domain_commands(CLI::App& app, const config::GlobalOptions& options);
void register_user_commands(CLI::App& app, const config::GlobalOptions& options);
void register_alias_commands(CLI::App& app, const config::GlobalOptions& options);
void register_list_commands(CLI::App& app, const config::GlobalOptions& options);
void register_config_commands(CLI::App& app, const config::GlobalOptions& options);
void register_export_commands(CLI::App& app, const config::GlobalOptions& options);

}  // namespace hermod::admin
