// server_test.cpp - Server over real sockets on 127.0.0.1 port 0: echo, implicit TLS, STARTTLS
// discarding pipelined plaintext, "not available" greetings, limits, timeouts and shutdown.
// The client side uses plain POSIX sockets and OpenSSL with receive timeouts, so a broken
// server fails a test instead of hanging it.
#include "net/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "../support/line_client.hpp"

#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/connection_limiter.hpp"
#include "net/tls.hpp"

namespace hermod::net {
namespace {

namespace fs = std::filesystem;
using boost::asio::awaitable;
using config::Service;

std::shared_ptr<TlsContext> test_tls() {
    static std::shared_ptr<TlsContext> ctx = [] {
        std::string tmpl = (fs::temp_directory_path() / "hermod-srv-XXXXXX").string();
        fs::path dir = ::mkdtemp(tmpl.data());
        generate_self_signed("localhost", dir / "cert.pem", dir / "key.pem");
        auto c = TlsContext::load(dir / "cert.pem", dir / "key.pem");
        fs::remove_all(dir);
        return c;
    }();
    return ctx;
}

// A LineClient that can start with implicit TLS.
class Client : public hermod::testing::LineClient {
  public:
    explicit Client(std::uint16_t port, bool tls = false) : LineClient(port) {
        if (tls) tls_ok_ = start_tls();
    }
    bool tls_ok() const { return tls_ok_; }

  private:
    bool tls_ok_ = false;
};
// Greets, echoes lines, upgrades on STARTTLS (after "220 go ahead", as RFC 3207), ends on QUIT.
awaitable<void> echo(Stream& s) {
    co_await s.write(std::string("220 ready tls=") + (s.is_tls() ? "1" : "0") + "\r\n");
    for (;;) {
        auto r = co_await s.read_line();
        if (r.ec) co_return;
        if (r.line.status == LineReader::Status::TooLong) {
            co_await s.write("500 too long\r\n");
            continue;
        }
        std::string line(r.line.text);
        if (line == "STARTTLS") {
            co_await s.write("220 go ahead\r\n");
            if (co_await s.start_tls()) co_return;
            continue;
        }
        if (line == "QUIT") {
            co_await s.write("221 bye\r\n");
            co_return;
        }
        if (line == "PEER") {
            co_await s.write("peer " + s.peer_address() + "\r\n");
            continue;
        }
        co_await s.write("echo: " + line + (s.is_tls() ? " (tls)" : "") + "\r\n");
    }
}

config::Config base_config() {
    config::Config cfg;
    cfg.listen.clear();
    cfg.server.hostname = "mx.test";
    cfg.server.shutdown_grace_seconds = 1;
    return cfg;
}

class Running {
  public:
    Running(const config::Config& cfg, std::map<Service, Handler> handlers)
        : server_(cfg, test_tls()) {
        for (auto& [s, h] : handlers)
            server_.set_handler(s, h);
        server_.bind();
        thread_ = std::thread([this] { server_.run(2); });
    }
    ~Running() { stop(); }
    void stop() {
        if (thread_.joinable()) {
            server_.stop();
            thread_.join();
        }
    }
    std::uint16_t port(Service s) const {
        for (auto& b : server_.bound())
            if (b.service == s) return b.port;
        return 0;
    }
    Server& server() { return server_; }
    std::thread& thread() { return thread_; }

  private:
    Server server_;
    std::thread thread_;
};

TEST(Server, PlainEcho) {
    auto cfg = base_config();
    cfg.listen[Service::Smtp] = {{"127.0.0.1", 0}};
    Running srv(cfg, {{Service::Smtp, echo}});
    ASSERT_NE(srv.port(Service::Smtp), 0);
    Client c(srv.port(Service::Smtp));
    ASSERT_TRUE(c.connected());
    EXPECT_EQ(c.line(), "220 ready tls=0");
    c.send("hello\r\nPEER\r\n");
    EXPECT_EQ(c.line(), "echo: hello");
    EXPECT_EQ(c.line(), "peer 127.0.0.1");
    c.send("QUIT\r\n");
    EXPECT_EQ(c.line(), "221 bye");
    EXPECT_TRUE(c.closed_by_server());
}

TEST(Server, ImplicitTls) {
    auto cfg = base_config();
    cfg.listen[Service::Submissions] = {{"127.0.0.1", 0}};
    Running srv(cfg, {{Service::Submissions, echo}});
    Client c(srv.port(Service::Submissions), true);
    ASSERT_TRUE(c.tls_ok());
    EXPECT_EQ(c.line(), "220 ready tls=1");
    c.send("hi\r\n");
    EXPECT_EQ(c.line(), "echo: hi (tls)");
    EXPECT_EQ(c.tls_version(), "TLSv1.3");
    c.send("QUIT\r\n");
    EXPECT_EQ(c.line(), "221 bye");
    EXPECT_TRUE(c.closed_by_server());  // close_notify, not a hang
}

TEST(Server, StartTlsDiscardsPipelinedPlaintext) {
    auto cfg = base_config();
    cfg.listen[Service::Submission] = {{"127.0.0.1", 0}};
    Running srv(cfg, {{Service::Submission, echo}});
    Client c(srv.port(Service::Submission));
    EXPECT_EQ(c.line(), "220 ready tls=0");
    c.send("STARTTLS\r\nJUNK\r\n");  // one write: JUNK arrives with the command
    EXPECT_EQ(c.line(), "220 go ahead");
    ASSERT_TRUE(c.start_tls());
    c.send("AFTER\r\n");
    EXPECT_EQ(c.line(), "echo: AFTER (tls)");  // not "echo: JUNK"
}

TEST(Server, ServiceWithoutHandlerSaysNotAvailable) {
    auto cfg = base_config();
    cfg.listen[Service::Smtp] = {{"127.0.0.1", 0}};
    cfg.listen[Service::Imap] = {{"127.0.0.1", 0}};
    cfg.listen[Service::Pop3s] = {{"127.0.0.1", 0}};
    Running srv(cfg, {});
    {
        Client c(srv.port(Service::Smtp));
        EXPECT_EQ(c.line(), "421 4.3.2 mx.test Service not available yet");
        EXPECT_TRUE(c.closed_by_server());
    }
    {
        Client c(srv.port(Service::Imap));
        EXPECT_EQ(c.line(), "* BYE mx.test IMAP service not available yet");
    }
    {
        Client c(srv.port(Service::Pop3s), true);
        ASSERT_TRUE(c.tls_ok());
        EXPECT_EQ(c.line(), "-ERR [SYS/TEMP] mx.test POP3 service not available yet");
    }
}

TEST(Server, ConnectionLimitRefuses) {
    auto cfg = base_config();
    cfg.limits.max_connections_per_ip = 1;
    cfg.listen[Service::Smtp] = {{"127.0.0.1", 0}};
    Running srv(cfg, {{Service::Smtp, echo}});
    Client first(srv.port(Service::Smtp));
    EXPECT_EQ(first.line(), "220 ready tls=0");
    {
        Client second(srv.port(Service::Smtp));
        EXPECT_EQ(second.line(), "421 4.7.0 mx.test Too many connections, try again later");
        EXPECT_TRUE(second.closed_by_server());
    }
    first.send("QUIT\r\n");
    EXPECT_EQ(first.line(), "221 bye");
    EXPECT_TRUE(first.closed_by_server());
    // The slot is free again once the first session has ended.
    for (int i = 0; i < 50 && srv.server().limiter().total() != 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Client third(srv.port(Service::Smtp));
    EXPECT_EQ(third.line(), "220 ready tls=0");
}

TEST(Server, IdleTimeoutCloses) {
    auto cfg = base_config();
    cfg.limits.idle_timeout_seconds = 1;
    cfg.listen[Service::Smtp] = {{"127.0.0.1", 0}};
    Running srv(cfg, {{Service::Smtp, echo}});
    Client c(srv.port(Service::Smtp));
    EXPECT_EQ(c.line(), "220 ready tls=0");
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.closed_by_server());
    auto waited = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(waited, std::chrono::milliseconds(800));
    EXPECT_LT(waited, std::chrono::seconds(4));
}

TEST(Server, SessionTimeoutClosesBusyConnection) {
    auto cfg = base_config();
    cfg.limits.idle_timeout_seconds = 10;
    cfg.limits.session_timeout_seconds = 1;
    cfg.listen[Service::Smtp] = {{"127.0.0.1", 0}};
    Running srv(cfg, {{Service::Smtp, echo}});
    Client c(srv.port(Service::Smtp));
    EXPECT_EQ(c.line(), "220 ready tls=0");
    auto t0 = std::chrono::steady_clock::now();
    bool closed = false;
    while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4)) {
        c.send("NOOP\r\n");  // activity keeps the idle deadline away, not the session one
        if (!c.line()) {
            closed = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(closed);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(800));
}

TEST(Server, LineTooLongIsAnsweredAndResyncs) {
    auto cfg = base_config();
    cfg.limits.line_length_ceiling = 64;
    cfg.listen[Service::Smtp] = {{"127.0.0.1", 0}};
    Running srv(cfg, {{Service::Smtp, echo}});
    Client c(srv.port(Service::Smtp));
    EXPECT_EQ(c.line(), "220 ready tls=0");
    c.send(std::string(10000, 'x') + "\r\nok\r\n");
    EXPECT_EQ(c.line(), "500 too long");
    EXPECT_EQ(c.line(), "echo: ok");
}

TEST(Server, StopEndsRunWithSessionsOpen) {
    auto cfg = base_config();
    cfg.listen[Service::Smtp] = {{"127.0.0.1", 0}};
    Running srv(cfg, {{Service::Smtp, echo}});
    Client c(srv.port(Service::Smtp));
    EXPECT_EQ(c.line(), "220 ready tls=0");
    auto t0 = std::chrono::steady_clock::now();
    srv.stop();  // grace 1 s, then the idle session is closed
    auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_LT(took, std::chrono::seconds(4));
    EXPECT_TRUE(c.closed_by_server());
    EXPECT_EQ(srv.server().sessions(), 0u);
}

TEST(Server, StuckHandlerDoesNotBlockShutdown) {
    // A handler waiting on something other than its socket cannot be woken by a close; run()
    // must still return (grace 1 s + the force-stop delay) and destruction must be clean.
    auto cfg = base_config();
    cfg.listen[Service::Smtp] = {{"127.0.0.1", 0}};
    auto stuck = [](Stream& s) -> awaitable<void> {
        co_await s.write("220 stuck\r\n");
        boost::asio::steady_timer t(co_await boost::asio::this_coro::executor,
                                    std::chrono::hours(1));
        co_await t.async_wait(boost::asio::use_awaitable);
    };
    auto srv = std::make_unique<Running>(cfg, std::map<Service, Handler>{{Service::Smtp, stuck}});
    Client c(srv->port(Service::Smtp));
    EXPECT_EQ(c.line(), "220 stuck");
    auto t0 = std::chrono::steady_clock::now();
    srv->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
    srv.reset();
}

TEST(Server, ShutdownCallbackStopsBackgroundWork) {
    auto cfg = base_config();
    cfg.listen[Service::Smtp] = {{"127.0.0.1", 0}};
    Server srv(cfg, nullptr);
    // A background timer far in the future would keep run() alive; the callback cancels it.
    auto timer = std::make_shared<boost::asio::steady_timer>(srv.executor(), std::chrono::hours(1));
    timer->async_wait([](boost::system::error_code) {});
    std::atomic<int> called{0};
    srv.on_shutdown([&] {
        ++called;
        timer->cancel();
    });
    std::thread t([&] { srv.run(1); });
    srv.stop();
    srv.stop();  // idempotent
    t.join();
    EXPECT_EQ(called, 1);
}

TEST(Server, BindFailureIsOneClearLine) {
    auto cfg = base_config();
    cfg.listen[Service::Smtp] = {{"127.0.0.1", 0}};
    Server first(cfg, nullptr);
    first.bind();
    auto port = first.bound().at(0).port;
    auto cfg2 = base_config();
    cfg2.listen[Service::Smtp] = {{"127.0.0.1", port}};
    Server second(cfg2, nullptr);
    try {
        second.bind();
        FAIL() << "second bind succeeded";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "cannot listen on 127.0.0.1:" + std::to_string(port) +
                                             " (smtp): Address already in use");
    }
    auto cfg3 = base_config();
    cfg3.listen[Service::Imap] = {{"not-an-ip", 143}};
    Server third(cfg3, nullptr);
    EXPECT_THROW(third.bind(), std::runtime_error);
}

TEST(Server, Ipv6Listener) {
    auto cfg = base_config();
    cfg.listen[Service::Pop3] = {{"::1", 0}};
    Server srv(cfg, nullptr);
    try {
        srv.bind();
    } catch (const std::exception& e) {
        GTEST_SKIP() << "no IPv6 loopback: " << e.what();
    }
    EXPECT_NE(srv.bound().at(0).port, 0);
    EXPECT_EQ(srv.bound().at(0).host, "::1");
}

TEST(Server, RefusalLines) {
    EXPECT_EQ(refusal_line(Service::Imap, "h"), "* BYE Too many connections, try again later\r\n");
    EXPECT_EQ(refusal_line(Service::Pop3, "h").substr(0, 4), "-ERR");
    EXPECT_EQ(not_implemented_line(Service::Http, "h").substr(0, 28),
              "HTTP/1.1 501 Not Implemented");
    EXPECT_EQ(not_implemented_line(Service::Lmtp, "h"),
              "421 4.3.2 h Service not available yet\r\n");
}

TEST(Server, UnixListenerOwnerModeAndStaleSocket) {
    std::string tmpl = (fs::temp_directory_path() / "hermod-unix-XXXXXX").string();
    fs::path dir = ::mkdtemp(tmpl.data());
    std::string path = (dir / "lmtp.sock").string();
    {  // a socket file left by a previous run, nobody listening on it
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, path.c_str(), sizeof(sa.sun_path) - 1);
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
        ::close(fd);
    }
    // As root the socket goes to nobody:nogroup (Postfix's case: another user); otherwise to
    // ourselves, which needs no privilege.
    bool root = ::geteuid() == 0;
    int uid = root ? 65534 : static_cast<int>(::getuid());
    int gid = root ? 65534 : static_cast<int>(::getgid());
    {
        Server srv(base_config(), nullptr);
        srv.add_unix_listener(path, Service::Lmtp, 0640, uid, gid);
        struct stat st {};
        ASSERT_EQ(::lstat(path.c_str(), &st), 0);
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        EXPECT_EQ(st.st_mode & 07777, 0640u);
        EXPECT_EQ(static_cast<int>(st.st_uid), uid);
        EXPECT_EQ(static_cast<int>(st.st_gid), gid);
    }
    EXPECT_FALSE(fs::exists(fs::symlink_status(path)));  // removed with the server
    if (!root) {  // giving the socket away needs root: one clear line
        Server srv(base_config(), nullptr);
        try {
            srv.add_unix_listener(path, Service::Lmtp, 0660, 0, 0);
            FAIL() << "chown to root succeeded without root";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("cannot listen on " + path +
                                                 " (lmtp): cannot "
                                                 "give it to uid 0 gid 0"),
                      std::string::npos)
                << e.what();
        }
    }
    fs::remove_all(dir);
}

TEST(Server, DropPrivilegesUnknownUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "not root: drop_privileges is a no-op";
    EXPECT_THROW(drop_privileges("no-such-user-hermod-test"), std::runtime_error);
}

}  // namespace
}  // namespace hermod::net
