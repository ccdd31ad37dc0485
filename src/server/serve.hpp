// serve.hpp - `hermod serve`: the mail server daemon.
#pragma once

namespace CLI {
class App;
}

namespace hermod::config {
struct GlobalOptions;
}

namespace hermod::server {

void register_serve_command(CLI::App& app, const config::GlobalOptions& options);

}  // namespace hermod::server
