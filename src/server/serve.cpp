// serve.cpp - `hermod serve`: load the config, prepare the data folder, bind every listener,
// drop root, open the store, create the demo account on first start, and serve until SIGTERM.
//
// Security: ports are bound and the TLS key is read while still root (if started as root);
// then the data folder is handed to the unprivileged user and the process switches to it
// before any client byte is read. The process works with the data folder as its current
// directory and relative paths, so the data folder may live below a directory the
// unprivileged user cannot traverse (e.g. a checkout in /root).
#include "server/serve.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>

#include "auth/authenticator.hpp"
#include "common/log.hpp"
#include "config/cli_options.hpp"
#include "delivery/local_deliverer.hpp"
#include "net/server.hpp"
#include "net/tls.hpp"
#include "server/first_start.hpp"
#include "smtp/server/session.hpp"
#include "store/store.hpp"

namespace hermod::server {

namespace fs = std::filesystem;

namespace {

/// Creates the data folder (0750) if needed and makes it the current directory.
fs::path enter_data_folder(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create data folder " + dir + ": " + ec.message());
    ::chmod(dir.c_str(), 0750);
    fs::path absolute = fs::absolute(dir).lexically_normal();
    if (::chdir(dir.c_str()) != 0)
        throw std::runtime_error("cannot enter data folder " + dir + ": " + std::strerror(errno));
    return absolute;
}

/// Gives everything in the current directory (the data folder) to `user`.
void hand_data_folder_to(const std::string& user) {
    struct passwd* pw = ::getpwnam(user.c_str());
    if (!pw)
        throw std::runtime_error("user '" + user +
                                 "' does not exist: create it (scripts/install-deps does) or set "
                                 "[server] user in the config");
    auto own = [&](const fs::path& p) {
        if (::lchown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0)
            throw std::runtime_error("cannot chown " + p.string() + ": " + std::strerror(errno));
    };
    own(".");
    for (const auto& entry : fs::recursive_directory_iterator("."))
        own(entry.path());
}

void print_banner(const fs::path& data, const net::Server& server) {
    std::printf("hermod 0.1.0 is running; data folder %s\n", data.c_str());
    auto bound = server.bound();
    for (config::Service service : config::kAllServices) {
        std::string addresses;
        for (const auto& b : bound)
            if (b.service == service)
                addresses += (addresses.empty() ? "" : "  ") +
                             config::ListenAddress{b.host, b.port}.to_string();
        if (!addresses.empty())
            std::printf("  %-12s %s\n", config::service_name(service), addresses.c_str());
    }
}

void print_login(const fs::path& data, const std::optional<DemoLogin>& demo) {
    if (demo) {
        std::printf("first start: created domain localhost and account %s\n",
                    demo->address.c_str());
        std::printf("  login:    %s\n  password: %s   (also in %s)\n", demo->address.c_str(),
                    demo->password.c_str(), (data / kDemoPasswordFile).c_str());
    } else if (fs::exists(kDemoPasswordFile)) {
        std::printf("demo login: demo@localhost, password in %s\n",
                    (data / kDemoPasswordFile).c_str());
    }
    std::printf("stop with Ctrl-C (SIGINT) or SIGTERM\n");
    std::fflush(stdout);
}

void serve(const config::GlobalOptions& options) {
    config::Config cfg = config::load_or_exit(options);
    init_logging(cfg.server.log_level);

    fs::path data = enter_data_folder(options.data_dir);
    auto tls = net::TlsContext::from_config(cfg.tls, cfg.server.hostname, ".");

    // Declared before the server so they are destroyed after it: its sessions use them until
    // the server (and with it every session) is gone.
    std::unique_ptr<store::Store> store;
    std::unique_ptr<delivery::Deliverer> deliverer;
    std::optional<auth::Authenticator> authenticator;

    net::Server server(cfg, tls);
    server.bind();
    if (::geteuid() == 0) {
        hand_data_folder_to(cfg.server.user);
        net::drop_privileges(cfg.server.user);
    }

    store::StoreOptions store_options;
    store_options.data_dir = ".";
    store_options.inline_blob_max = cfg.store.inline_blob_max;
    store = store::open_store(store_options);
    auto demo = create_demo_account_if_empty(*store);
    if (demo) {
        // RFC 5321 §4.5.1: postmaster@ of the domain must reach someone; the demo account is
        // the only one (the resolver would fall back to it anyway; the alias makes it visible).
        try {
            store->add_alias("postmaster@localhost", demo->address);
        } catch (const std::exception& e) {
            spdlog::warn("first start: cannot create postmaster@localhost: {}", e.what());
        }
    }

    // Mail reception: SMTP (MX), submission (587, 465) and LMTP share one session; the
    // deliverer and authenticator read the store, so they come after it is open.
    deliverer = delivery::make_deliverer(*store, cfg);
    authenticator.emplace(*store, cfg.limits);
    smtp::Services services{&cfg, deliverer.get(), &*authenticator};
    for (config::Service service : {config::Service::Smtp, config::Service::Submission,
                                    config::Service::Submissions, config::Service::Lmtp})
        server.set_handler(service, smtp::make_handler(services, smtp::mode_for(service)));
    // The LMTP socket lives in the data folder, which the unprivileged user owns by now, so
    // it is created after the privilege drop; 0660 lets a local MTA in our group connect.
    std::string lmtp_socket;
    if (!cfg.smtp.lmtp_socket.empty()) {
        server.add_unix_listener(cfg.smtp.lmtp_socket, config::Service::Lmtp, 0660);
        lmtp_socket = (data / cfg.smtp.lmtp_socket).string();
    }

    print_banner(data, server);
    if (!lmtp_socket.empty()) std::printf("  %-12s %s\n", "lmtp", lmtp_socket.c_str());
    print_login(data, demo);
    unsigned threads = std::max(2u, std::thread::hardware_concurrency());
    server.run(threads);
    smtp::join_background_threads();
    spdlog::info("stopped");
}

}  // namespace

void register_serve_command(CLI::App& app, const config::GlobalOptions& options) {
    auto* cmd = app.add_subcommand("serve", "run the mail server (all configured services)");
    cmd->callback([&options] { serve(options); });
}

}  // namespace hermod::server
