// main.cpp - `hermod`: one binary for the server, the admin commands and (later) the mail client.
// Only dispatches to subcommands; each concern registers its own.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "admin/commands.hpp"
#include "config/cli_options.hpp"
#include "server/serve.hpp"

int main(int argc, char** argv) {
    CLI::App app{"hermod - a complete e-mail system: SMTP, IMAP, POP3 and their administration"};
    app.set_version_flag("--version", "hermod 0.1.0");
    app.require_subcommand(1);
    app.fallthrough();  // global options are accepted after the subcommand too

    hermod::config::GlobalOptions options;
    app.add_option("--data", options.data_dir, "data folder: database, message files, TLS keys")
        ->envname("HERMOD_DATA")
        ->capture_default_str();
    app.add_option("--config", options.config_file,
                   "TOML configuration file (default: embedded defaults)")
        ->envname("HERMOD_CONFIG");

    hermod::server::register_serve_command(app, options);
    hermod::admin::register_commands(app, options);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const hermod::config::ExitError& e) {
        return e.code;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hermod: %s\n", e.what());
        return 1;
    }
    return 0;
}
