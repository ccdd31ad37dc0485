// serve.cpp - `hermod serve`: load the config, prepare the data folder, bind every listener,
// drop root, open the store, create the demo account on first start, and serve until SIGTERM.
//
// Security: ports and the LMTP socket are bound and the TLS key is read while still root (if
// started as root); then the data folder is handed to the unprivileged user and the process
// switches to it before any client byte is read. The process works with the data folder as its
// current directory and relative paths, so the data folder may live below a directory the
// unprivileged user cannot traverse (e.g. a checkout in /root).
#include "server/serve.hpp"

#include <grp.h>
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
#include <utility>

#include "auth/authenticator.hpp"
#include "common/log.hpp"
#include "config/cli_options.hpp"
#include "delivery/local_deliverer.hpp"
#include "imap/server/session.hpp"
#include "net/offload.hpp"
#include "net/server.hpp"
#include "net/tls.hpp"
#include "pop3/server/session.hpp"
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
    for (const auto& entry : fs::recursive_directory_iterator(".")) {
        // A unix socket here is the LMTP listener, already given to [smtp] lmtp_socket_user.
        if (entry.is_socket()) continue;
        own(entry.path());
    }
}

/// The owner and group for the LMTP socket ([smtp] lmtp_socket_user/group), -1 = unchanged.
/// An empty user is the one the server runs as (the [server] user once root is dropped); an
/// empty group is the owner's primary group.
std::pair<int, int> lmtp_socket_owner(const config::Config& cfg) {
    const auto& s = cfg.smtp;
    std::string user = s.lmtp_socket_user;
    if (user.empty() && ::geteuid() == 0) user = cfg.server.user;
    int uid = -1, gid = -1;
    if (!user.empty()) {
        struct passwd* pw = ::getpwnam(user.c_str());
        if (!pw)
            throw std::runtime_error("[smtp] lmtp_socket_user: user '" + user + "' does not exist");
        uid = static_cast<int>(pw->pw_uid);
        gid = static_cast<int>(pw->pw_gid);
    }
    if (!s.lmtp_socket_group.empty()) {
        struct group* gr = ::getgrnam(s.lmtp_socket_group.c_str());
        if (!gr)
            throw std::runtime_error("[smtp] lmtp_socket_group: group '" + s.lmtp_socket_group +
                                     "' does not exist");
        gid = static_cast<int>(gr->gr_gid);
    }
    return {uid, gid};
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

    // Declared before the server: sessions use them while the server runs. After run() they are
    // released explicitly, before the server, so no completion outlives its executor.
    std::unique_ptr<store::Store> store;
    std::unique_ptr<delivery::Deliverer> deliverer;
    std::optional<auth::Authenticator> authenticator;

    net::Server server(cfg, tls);
    server.bind();
    // The LMTP socket is bound with the ports, while still root: it may live in a directory
    // only root can write (Postfix's private/, so lmtp:unix:private/... finds it), and its
    // owner, group and mode come from [smtp] (Dovecot's unix_listener { user group mode }). A
    // relative path is in the data folder (the current directory).
    std::string lmtp_socket;
    if (!cfg.smtp.lmtp_socket.empty()) {
        auto [uid, gid] = lmtp_socket_owner(cfg);
        server.add_unix_listener(cfg.smtp.lmtp_socket, config::Service::Lmtp,
                                 cfg.smtp.lmtp_socket_mode, uid, gid);
        lmtp_socket = (data / cfg.smtp.lmtp_socket).string();
    }
    if (::geteuid() == 0) {
        hand_data_folder_to(cfg.server.user);
        net::drop_privileges(cfg.server.user);
    }

    store::StoreOptions store_options;
    store_options.data_dir = ".";
    store_options.inline_blob_max = cfg.store.inline_blob_max;
    store_options.mime_depth = cfg.limits.mime_depth;
    store = store::open_store(store_options);
    auto demo = create_demo_account_if_empty(*store);

    // Mail reception: SMTP (MX), submission (587, 465) and LMTP share one session; the
    // deliverer and authenticator read the store, so they come after it is open.
    deliverer = delivery::make_deliverer(*store, cfg);
    authenticator.emplace(*store, cfg.limits, auth::options_from(cfg.auth));
    smtp::Services services{&cfg, deliverer.get(), &*authenticator};
    for (config::Service service : {config::Service::Smtp, config::Service::Submission,
                                    config::Service::Submissions, config::Service::Lmtp})
        server.set_handler(service, smtp::make_handler(services, smtp::mode_for(service)));
    // POP3 (110 with STLS, 995 implicit TLS): the same session on both.
    for (config::Service service : {config::Service::Pop3, config::Service::Pop3s})
        server.set_handler(service, pop3::make_handler({&cfg, store.get(), &*authenticator}));
    // IMAP (143 with STARTTLS, 993 implicit TLS): the same session on both.
    for (config::Service service : {config::Service::Imap, config::Service::Imaps})
        server.set_handler(service, imap::make_handler({&cfg, store.get(), &*authenticator}));

    print_banner(data, server);
    if (!lmtp_socket.empty()) std::printf("  %-12s %s\n", "lmtp", lmtp_socket.c_str());
    print_login(data, demo);
    unsigned threads = std::max(2u, std::thread::hardware_concurrency());
    server.run(threads);
    // Sessions cut off at the end of the grace period may still wait for an AUTH check or a
    // store commit whose completion posts to the server's executors: finish those now, while
    // the executors exist (the store's destructor commits and completes what is queued).
    // Session frames destroyed with the server afterwards no longer call into these.
    smtp::join_background_threads();
    net::join_blocking_threads();
    authenticator.reset();
    deliverer.reset();
    store.reset();
    spdlog::info("stopped");
}

}  // namespace

void register_serve_command(CLI::App& app, const config::GlobalOptions& options) {
    auto* cmd = app.add_subcommand("serve", "run the mail server (all configured services)");
    cmd->callback([&options] { serve(options); });
}

}  // namespace hermod::server
