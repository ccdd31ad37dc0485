#include "admin/commands.hpp"

namespace hermod::admin {

void register_commands(CLI::App& app, const config::GlobalOptions& options) {
    register_domain_commands(app, options);
    register_user_commands(app, options);
    register_alias_commands(app, options);
    register_list_commands(app, options);
    register_config_commands(app, options);
    register_export_commands(app, options);
}

}  // namespace hermod::admin
