// config_commands.cpp - `hermod config check FILE` and `hermod config show`.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "admin/commands.hpp"
#include "config/cli_options.hpp"

namespace hermod::admin {

void register_config_commands(CLI::App& app, const config::GlobalOptions& options) {
    auto* cmd = app.add_subcommand("config", "check or show the configuration");
    cmd->require_subcommand(1);

    auto* check = cmd->add_subcommand("check", "report every error in a TOML config file");
    auto file = std::make_shared<std::string>();
    check->add_option("FILE", *file, "the file to check (default: --config)");
    check->callback([&options, file] {
        std::string path = file->empty() ? options.config_file : *file;
        if (path.empty()) throw CLI::ValidationError("config check", "give a FILE or --config");
        auto r = config::load_file(path);
        for (const auto& e : r.errors)
            std::printf("%s\n", e.to_string().c_str());
        if (!r.errors.empty()) {
            std::printf("%zu error(s)\n", r.errors.size());
            throw config::ExitError{2};
        }
        std::printf("%s: ok\n", path.c_str());
    });

    auto* show = cmd->add_subcommand("show", "print the effective configuration as TOML");
    show->callback(
        [&options] { std::fputs(config::to_toml(config::load_or_exit(options)).c_str(), stdout); });
}

}  // namespace hermod::admin
