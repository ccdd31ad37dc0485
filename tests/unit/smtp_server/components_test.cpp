// components_test.cpp - the pieces around the SMTP session: auth::Authenticator (Argon2 off
// the I/O threads, failure limits, delay, legacy-hash upgrade), MessageWriter (RFC 6409 §8
// Date/Message-ID completion), LMTP over the unix socket (RFC 2033 §5) and one end-to-end
// delivery through the real deliverer into the store.
#include <crypt.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

#include "auth/authenticator.hpp"
#include "auth/password.hpp"
#include "delivery/local_deliverer.hpp"
#include "fake_deliverer.hpp"
#include "net/server.hpp"
#include "smtp/server/message_writer.hpp"
#include "smtp/server/session.hpp"
#include "store/store.hpp"

namespace hermod::smtp::test {
namespace {

namespace fs = std::filesystem;

struct TempStore {
    fs::path dir;
    std::unique_ptr<store::Store> store;
    TempStore() {
        std::string tmpl = (fs::temp_directory_path() / "hermod-smtpd-c-XXXXXX").string();
        dir = ::mkdtemp(tmpl.data());
        store::StoreOptions o;
        o.data_dir = dir.string();
        store = store::open_store(o);
        store->add_domain("example.org");
    }
    ~TempStore() {
        store.reset();
        fs::remove_all(dir);
    }
};

auth::AuthenticatorOptions fast() {
    auth::AuthenticatorOptions o;
    o.failure_delay = std::chrono::milliseconds(0);
    return o;
}

TEST(SmtpServerAuthenticator, AcceptsRightPasswordAndCanonicalisesDomain) {
    TempStore ts;
    ts.store->add_account("alice@example.org", auth::hash_password("secret"));
    config::LimitsConfig limits;
    auth::Authenticator a(*ts.store, limits, fast());
    auto r = a.check("alice@EXAMPLE.org", "secret", "192.0.2.1");
    EXPECT_EQ(r.status, auth::AuthStatus::Ok);
    EXPECT_EQ(r.account, "alice@example.org");
    EXPECT_EQ(a.check("alice@example.org", "wrong", "192.0.2.1").status, auth::AuthStatus::Failed);
    EXPECT_EQ(a.check("nobody@example.org", "secret", "192.0.2.1").status,
              auth::AuthStatus::Failed);
}

TEST(SmtpServerAuthenticator, LocksOutPerAccountAndPerIp) {
    TempStore ts;
    ts.store->add_account("alice@example.org", auth::hash_password("secret"));
    ts.store->add_account("bob@example.org", auth::hash_password("secret"));
    config::LimitsConfig limits;
    limits.failed_logins_per_account = 2;
    limits.failed_logins_per_ip = 3;
    auth::Authenticator a(*ts.store, limits, fast());
    EXPECT_EQ(a.check("alice@example.org", "x", "192.0.2.1").status, auth::AuthStatus::Failed);
    EXPECT_EQ(a.check("alice@example.org", "x", "192.0.2.2").status, auth::AuthStatus::Failed);
    // The account is locked from every address, even with the right password.
    EXPECT_EQ(a.check("alice@example.org", "secret", "192.0.2.3").status,
              auth::AuthStatus::LockedOut);
    // 192.0.2.1 has one failure; two more on another account lock the address.
    EXPECT_EQ(a.check("bob@example.org", "x", "192.0.2.1").status, auth::AuthStatus::Failed);
    EXPECT_EQ(a.check("nobody@example.org", "x", "192.0.2.1").status, auth::AuthStatus::Failed);
    EXPECT_EQ(a.check("bob@example.org", "secret", "192.0.2.1").status,
              auth::AuthStatus::LockedOut);
    EXPECT_EQ(a.check("bob@example.org", "secret", "192.0.2.9").status, auth::AuthStatus::Ok);
}

TEST(SmtpServerAuthenticator, LockOutIgnoresLoginCase) {
    TempStore ts;
    ts.store->add_account("alice@example.org", auth::hash_password("secret"));
    config::LimitsConfig limits;
    limits.failed_logins_per_account = 2;
    auth::Authenticator a(*ts.store, limits, fast());
    EXPECT_EQ(a.check("alice@example.org", "x", "192.0.2.1").status, auth::AuthStatus::Failed);
    EXPECT_EQ(a.check("ALICE@example.org", "x", "192.0.2.2").status, auth::AuthStatus::Failed);
    EXPECT_EQ(a.check("Alice@Example.org", "x", "192.0.2.3").status, auth::AuthStatus::LockedOut);
    EXPECT_EQ(a.check("alice@example.org", "secret", "192.0.2.4").status,
              auth::AuthStatus::LockedOut);
}

TEST(SmtpServerAuthenticator, FullFailureTableKeepsRecentLockOuts) {
    TempStore ts;
    ts.store->add_account("alice@example.org", auth::hash_password("secret"));
    config::LimitsConfig limits;
    limits.failed_logins_per_account = 2;
    auto o = fast();
    o.max_tracked_keys = 20;
    auth::Authenticator a(*ts.store, limits, o);
    EXPECT_EQ(a.check("alice@example.org", "x", "192.0.2.1").status, auth::AuthStatus::Failed);
    EXPECT_EQ(a.check("alice@example.org", "x", "192.0.2.1").status, auth::AuthStatus::Failed);
    // An attacker rotating addresses and accounts fills the table several times over.
    for (int i = 0; i < 25; ++i)
        a.check("u" + std::to_string(i) + "@example.org", "x", "198.51.100." + std::to_string(i));
    // alice was locked out before; a wiped table would let this through.
    EXPECT_EQ(a.check("alice@example.org", "x", "192.0.2.9").status, auth::AuthStatus::LockedOut);
}

TEST(SmtpServerAuthenticator, DelaysFailuresWithoutBlockingSuccesses) {
    TempStore ts;
    ts.store->add_account("alice@example.org", auth::hash_password("secret"));
    config::LimitsConfig limits;
    auth::AuthenticatorOptions o;
    o.threads = 1;
    o.failure_delay = std::chrono::milliseconds(400);
    auth::Authenticator a(*ts.store, limits, o);
    auto t0 = std::chrono::steady_clock::now();
    std::promise<auth::AuthResult> failed;
    a.check_async("alice@example.org", "wrong", "192.0.2.1",
                  [&](auth::AuthResult r) { failed.set_value(r); });
    // With one worker, a success queued after the failure still completes before the delay
    // ends: waiting failures hold no thread.
    EXPECT_EQ(a.check("alice@example.org", "secret", "192.0.2.2").status, auth::AuthStatus::Ok);
    auto ok_at = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(failed.get_future().get().status, auth::AuthStatus::Failed);
    auto fail_at = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(fail_at, std::chrono::milliseconds(400));
    EXPECT_LT(ok_at, fail_at);
}

TEST(SmtpServerAuthenticator, UpgradesLegacyHashAfterLogin) {
    TempStore ts;
    crypt_data cd{};
    const char* sha512 = ::crypt_r("secret", "$6$saltsaltsalt$", &cd);
    ASSERT_NE(sha512, nullptr);
    std::string legacy = std::string("{SHA512-CRYPT}") + sha512;
    ts.store->add_account("alice@example.org", legacy);
    config::LimitsConfig limits;
    auth::Authenticator a(*ts.store, limits, fast());
    EXPECT_EQ(a.check("alice@example.org", "secret", "192.0.2.1").status, auth::AuthStatus::Ok);
    auto acct = ts.store->find_account("alice@example.org");
    ASSERT_TRUE(acct);
    EXPECT_TRUE(acct->password_hash.starts_with("{ARGON2ID}")) << acct->password_hash;
    EXPECT_TRUE(auth::verify_password(acct->password_hash, "secret"));
}

TEST(SmtpServerAuthenticator, LoginCacheSkipsRepeatedChecksUntilThePasswordChanges) {
    TempStore ts;
    ts.store->add_account("alice@example.org", auth::hash_password("secret"));
    config::LimitsConfig limits;
    config::AuthConfig cache_on;
    cache_on.cache_seconds = 60;
    auto o = auth::options_from(cache_on);
    o.failure_delay = std::chrono::milliseconds(0);
    auth::Authenticator a(*ts.store, limits, o);
    EXPECT_EQ(a.check("alice@example.org", "secret", "192.0.2.1").status, auth::AuthStatus::Ok);
    EXPECT_EQ(a.cache_hits(), 0u);
    EXPECT_EQ(a.check("alice@example.org", "secret", "192.0.2.2").status, auth::AuthStatus::Ok);
    EXPECT_EQ(a.cache_hits(), 1u);
    // Only successes are remembered: a wrong password still fails (and is not a hit).
    EXPECT_EQ(a.check("alice@example.org", "wrong", "192.0.2.1").status, auth::AuthStatus::Failed);
    EXPECT_EQ(a.cache_hits(), 1u);
    // A new password invalidates what the old one proved.
    ts.store->set_password_hash("alice@example.org", auth::hash_password("new"));
    EXPECT_EQ(a.check("alice@example.org", "secret", "192.0.2.1").status, auth::AuthStatus::Failed);
    EXPECT_EQ(a.check("alice@example.org", "new", "192.0.2.1").status, auth::AuthStatus::Ok);
    EXPECT_EQ(a.cache_hits(), 1u);
}

TEST(SmtpServerAuthenticator, LoginCacheOffByDefaultInOptions) {
    TempStore ts;
    ts.store->add_account("alice@example.org", auth::hash_password("secret"));
    config::LimitsConfig limits;
    auth::Authenticator a(*ts.store, limits, fast());
    EXPECT_EQ(a.check("alice@example.org", "secret", "192.0.2.1").status, auth::AuthStatus::Ok);
    EXPECT_EQ(a.check("alice@example.org", "secret", "192.0.2.1").status, auth::AuthStatus::Ok);
    EXPECT_EQ(a.cache_hits(), 0u);
}

std::string run_writer(std::string_view message, bool fix, std::size_t piece = 7) {
    auto blob = std::make_unique<MemoryBlob>();
    MessageWriter w(std::move(blob), "P\r\n", fix, "mx.example.test");
    for (std::size_t i = 0; i < message.size(); i += piece)
        w.write(message.substr(i, piece));
    return w.finish()->inline_data;
}

TEST(SmtpServerMessageWriter, AddsMissingDateAndMessageIdOnSubmission) {
    std::string out = run_writer("Subject: x\r\n\r\nDate: in the body\r\n", true);
    EXPECT_TRUE(out.starts_with("P\r\nDate: ")) << out;
    EXPECT_NE(out.find("\r\nMessage-ID: <"), std::string::npos);
    EXPECT_NE(out.find("@mx.example.test>\r\nSubject: x\r\n\r\nDate: in the body\r\n"),
              std::string::npos)
        << out;
}

TEST(SmtpServerMessageWriter, KeepsExistingFieldsAndLeavesRelayedMailAlone) {
    std::string msg = "Message-Id: <a@b>\r\nDATE:Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nbody\r\n";
    EXPECT_EQ(run_writer(msg, true), "P\r\n" + msg);
    EXPECT_EQ(run_writer("Subject: x\r\n\r\nb\r\n", false), "P\r\nSubject: x\r\n\r\nb\r\n");
}

TEST(SmtpServerMessageWriter, EndsALastLineWithoutCrlf_Rfc3030Section2) {
    EXPECT_EQ(run_writer("Subject: x\r\n\r\nno newline", false, 3),
              "P\r\nSubject: x\r\n\r\nno newline\r\n");
    EXPECT_EQ(run_writer("Subject: x\r\n\r\nends\r", false, 1),
              "P\r\nSubject: x\r\n\r\nends\r\r\n");
    EXPECT_EQ(run_writer("Subject: x\r\n\r\nfine\r\n", false, 1),
              "P\r\nSubject: x\r\n\r\nfine\r\n");
    EXPECT_EQ(run_writer("", false), "P\r\n");
}

TEST(SmtpServerMessageWriter, FoldedLinesAndHeaderOnlyMessages) {
    // " Date: x" is a continuation of Subject, not a Date field.
    std::string out = run_writer("Subject: a\r\n Date: x\r\nMessage-ID: <a@b>", true, 1);
    EXPECT_TRUE(out.starts_with("P\r\nDate: ")) << out;
    EXPECT_EQ(out.find("Message-ID: <", 5), out.find("Message-ID: <a@b>"));
    // No header at all: both fields are added before the empty line.
    out = run_writer("\r\nbody\r\n", true);
    EXPECT_NE(out.find("@mx.example.test>\r\n\r\nbody\r\n"), std::string::npos) << out;
}

TEST(SmtpServerMessageWriter, OversizedHeaderPassesThroughUnchanged) {
    std::string big = "X-Big: " + std::string(kMaxHeaderBuffer + 10000, 'a') + "\r\n\r\nbody\r\n";
    EXPECT_EQ(run_writer(big, true, 4096), "P\r\n" + big);
}

TEST(SmtpServerMessageWriter, HeaderFieldMatching) {
    EXPECT_TRUE(has_header_field("a: b\r\ndate : x\r\n", "date"));
    EXPECT_FALSE(has_header_field("dates: x\r\n", "date"));
    EXPECT_FALSE(has_header_field("x-date: x\r\n", "date"));
}

/// Reads one CRLF line from a blocking socket.
std::optional<std::string> read_line(int fd, std::string& buf) {
    for (;;) {
        auto lf = buf.find('\n');
        if (lf != std::string::npos) {
            std::string l = buf.substr(0, lf);
            buf.erase(0, lf + 1);
            if (!l.empty() && l.back() == '\r') l.pop_back();
            return l;
        }
        char tmp[4096];
        auto n = ::recv(fd, tmp, sizeof tmp, 0);
        if (n <= 0) return std::nullopt;
        buf.append(tmp, static_cast<std::size_t>(n));
    }
}

// RFC 2033 §5: LMTP is meant for local sockets; the listener lives in the data folder.
TEST(SmtpServer, LmtpOverUnixSocket) {
    TempStore ts;
    fs::path sock = ts.dir / "lmtp.sock";
    config::Config cfg = config::defaults();
    cfg.listen.clear();
    cfg.server.hostname = "mx.example.test";
    cfg.server.shutdown_grace_seconds = 1;
    FakeDeliverer deliverer;
    std::optional<std::thread> runner;
    {
        net::Server server(cfg, nullptr);
        server.set_handler(config::Service::Lmtp,
                           make_handler(Services{&cfg, &deliverer, nullptr}, Mode::Lmtp));
        server.add_unix_listener(sock.string(), config::Service::Lmtp, 0660);
        struct stat st {};
        ASSERT_EQ(::lstat(sock.c_str(), &st), 0);
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0660u);
        runner.emplace([&] { server.run(2); });

        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock.c_str());
        ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
        std::string buf;
        EXPECT_EQ(read_line(fd, buf), "220 mx.example.test LMTP Hermod");
        std::string script =
            "LHLO mta.local\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<alice@example.org>\r\n"
            "RCPT TO:<late-full@example.org>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n";
        ASSERT_EQ(::send(fd, script.data(), script.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(script.size()));
        std::vector<std::string> lines;
        while (auto l = read_line(fd, buf))
            lines.push_back(*l);
        ::close(fd);
        ASSERT_GE(lines.size(), 6u);
        EXPECT_EQ(lines.back(), "221 2.0.0 mx.example.test closing connection");
        EXPECT_EQ(lines[lines.size() - 2], "552 5.2.2 Mailbox full");
        EXPECT_TRUE(lines[lines.size() - 3].starts_with("250 2.0.0 Ok: queued as "));
        EXPECT_EQ(lines[lines.size() - 4], "354 End data with <CR><LF>.<CR><LF>");
        auto delivered = deliverer.delivered();
        ASSERT_EQ(delivered.size(), 1u);
        EXPECT_NE(delivered[0].data.find("Received: from mta.local ([127.0.0.1])"),
                  std::string::npos);
        EXPECT_NE(delivered[0].data.find("with LMTP id"), std::string::npos);
        server.stop();
        runner->join();
    }
    EXPECT_FALSE(fs::exists(sock));  // removed on shutdown
}

TEST(SmtpServer, AddUnixListenerRefusesToReplaceARegularFile) {
    TempStore ts;
    fs::path file = ts.dir / "not-a-socket";
    { std::ofstream(file) << "x"; }
    config::Config cfg = config::defaults();
    cfg.listen.clear();
    net::Server server(cfg, nullptr);
    EXPECT_THROW(server.add_unix_listener(file.string(), config::Service::Lmtp),
                 std::runtime_error);
    EXPECT_TRUE(fs::exists(file));
}

// End to end with the real deliverer: the 250 comes after the copy is durable in the store,
// and the stored blob starts with Return-Path and Received.
TEST(SmtpServer, DeliversIntoTheStoreWithTheRealDeliverer) {
    TempStore ts;
    ts.store->add_account("alice@example.org", auth::hash_password("secret"));
    config::Config cfg = config::defaults();
    cfg.listen.clear();
    cfg.listen[config::Service::Smtp] = {{"127.0.0.1", 0}};
    cfg.server.hostname = "mx.example.test";
    cfg.server.shutdown_grace_seconds = 1;
    auto deliverer = delivery::make_deliverer(*ts.store, cfg);
    net::Server server(cfg, nullptr);
    server.set_handler(config::Service::Smtp,
                       make_handler(Services{&cfg, deliverer.get(), nullptr}, Mode::Smtp));
    server.bind();
    std::uint16_t port = server.bound().at(0).port;
    std::thread runner([&] { server.run(2); });

    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    std::string script =
        "EHLO c.example.net\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<alice@example.org>\r\n"
        "RCPT TO:<nobody@example.org>\r\nRCPT TO:<x@elsewhere.example>\r\nDATA\r\n"
        "Subject: real\r\n\r\nhello\r\n.\r\nQUIT\r\n";
    ASSERT_EQ(::send(fd, script.data(), script.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(script.size()));
    std::string buf;
    std::vector<std::string> lines;
    while (auto l = read_line(fd, buf))
        lines.push_back(*l);
    ::close(fd);
    server.stop();
    runner.join();

    ASSERT_GE(lines.size(), 6u);
    EXPECT_EQ(lines[lines.size() - 5], "550 5.1.1 Mailbox unavailable");
    EXPECT_EQ(lines[lines.size() - 4], "554 5.7.1 Relay access denied");
    EXPECT_TRUE(lines[lines.size() - 2].starts_with("250 2.0.0 Ok: queued as "))
        << lines[lines.size() - 2];
    auto acct = ts.store->find_account("alice@example.org");
    ASSERT_TRUE(acct);
    auto inbox = ts.store->find_mailbox(acct->id, "INBOX");
    ASSERT_TRUE(inbox);
    auto msgs = ts.store->list_messages(inbox->id);
    ASSERT_EQ(msgs.size(), 1u);
    std::string blob = ts.store->read_blob(msgs[0].blob_hash);
    EXPECT_TRUE(
        blob.starts_with("Return-Path: <a@example.net>\r\nReceived: from c.example.net "
                         "([127.0.0.1])\r\n\tby mx.example.test (Hermod) with ESMTP id "))
        << blob;
    EXPECT_NE(blob.find("\r\nSubject: real\r\n\r\nhello\r\n"), std::string::npos);
}

}  // namespace
}  // namespace hermod::smtp::test
