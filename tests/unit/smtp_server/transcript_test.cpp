// transcript_test.cpp - golden SMTP/LMTP transcripts (tests/transcripts/smtp/*.txt) played
// against the real session over TCP on 127.0.0.1 port 0, in-process, with a fake deliverer
// and a real store-backed authenticator.
//
// Transcript format: C:, C-RAW:, S: and options as in ../support/transcript.hpp, plus:
//   TLS                client TLS handshake (after "220 2.0.0" to STARTTLS)
//   CLOSED             the server closes the connection
//   STOP               begin server shutdown (net::Server::stop)
//   SLEEP: ms          pause
//   BLOBS: n           n messages delivered so far
//   BLOB-HAS: text     the last delivered message contains text (escapes as C-RAW)
//   BLOB-LACKS: text   ... does not contain text
//   BLOB-STARTS: text  ... starts with text
//   RCPTS: a b         the last envelope's recipients
//   # comment; "#! key: value" sets options before the session starts:
//   service (smtp|submission|lmtp), max_recipients, max_errors, max_size, idle,
//   no_tls, inline_max (bodies above it are finished off the I/O thread), loopback_auth (on|off),
//   trusted (CIDR), failed_logins, remote (connect through a non-loopback address of this host;
//   skipped when there is none)
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <ifaddrs.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../support/line_client.hpp"
#include "../support/transcript.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "auth/authenticator.hpp"
#include "auth/password.hpp"
#include "fake_deliverer.hpp"
#include "net/server.hpp"
#include "net/tls.hpp"
#include "smtp/server/session.hpp"
#include "store/store.hpp"

namespace hermod::smtp::test {
namespace {

namespace fs = std::filesystem;

using hermod::testing::matches;
using hermod::testing::unescape;
using Client = hermod::testing::LineClient;

std::shared_ptr<net::TlsContext> test_tls() {
    return hermod::testing::transcript_tls();
}

fs::path transcript_dir() {
    return fs::path(HERMOD_SOURCE_DIR) / "tests" / "transcripts" / "smtp";
}

class Transcript : public ::testing::TestWithParam<std::string> {
  protected:
    static void SetUpTestSuite() {
        std::string tmpl = (fs::temp_directory_path() / "hermod-smtpd-store-XXXXXX").string();
        dir_ = ::mkdtemp(tmpl.data());
        store::StoreOptions o;
        o.data_dir = dir_.string();
        store_ = store::open_store(o).release();
        store_->add_domain("example.org");
        store_->add_account("alice@example.org", auth::hash_password("secret"));
    }
    static void TearDownTestSuite() {
        delete store_;
        store_ = nullptr;
        fs::remove_all(dir_);
    }
    static inline fs::path dir_;
    static inline store::Store* store_ = nullptr;
};

TEST_P(Transcript, Plays) {
    hermod::testing::Script script = hermod::testing::load_script(transcript_dir() / GetParam());
    ASSERT_FALSE(script.steps.empty()) << GetParam();
    auto opt = [&](const std::string& k, const std::string& d = "") {
        auto it = script.options.find(k);
        return it == script.options.end() ? d : it->second;
    };

    config::Config cfg = config::defaults();
    cfg.listen.clear();
    auto svc = config::service_from_name(opt("service", "smtp"));
    ASSERT_TRUE(svc) << "bad service";
    // "remote": AUTH only under TLS, STARTTLS before anything on submission.
    auto client = hermod::testing::listen_for(script, cfg, *svc);
    if (!client) GTEST_SKIP() << "no non-loopback IPv4 address";
    std::string client_ip = *client;
    cfg.server.hostname = "mx.example.test";
    cfg.server.shutdown_grace_seconds = 1;
    if (!opt("max_recipients").empty())
        cfg.limits.max_recipients = static_cast<std::uint32_t>(std::stoul(opt("max_recipients")));
    if (!opt("max_errors").empty())
        cfg.smtp.max_errors = static_cast<std::uint32_t>(std::stoul(opt("max_errors")));
    if (!opt("max_size").empty()) cfg.limits.max_message_size = std::stoull(opt("max_size"));
    if (!opt("idle").empty())
        cfg.limits.idle_timeout_seconds = static_cast<std::uint32_t>(std::stoul(opt("idle")));
    if (!opt("inline_max").empty()) cfg.store.inline_blob_max = std::stoull(opt("inline_max"));
    if (opt("loopback_auth") == "off") cfg.smtp.plaintext_auth_on_loopback = false;
    if (!opt("trusted").empty()) cfg.smtp.trusted_networks = {opt("trusted")};
    if (!opt("failed_logins").empty())
        cfg.limits.failed_logins_per_account =
            static_cast<std::uint32_t>(std::stoul(opt("failed_logins")));

    FakeDeliverer deliverer;
    auth::AuthenticatorOptions ao;
    ao.failure_delay = std::chrono::milliseconds(0);
    auth::Authenticator authenticator(*store_, cfg.limits, ao);
    {
        net::Server server(cfg, script.options.count("no_tls") ? nullptr : test_tls());
        server.set_handler(
            *svc, make_handler(Services{&cfg, &deliverer, &authenticator}, mode_for(*svc)));
        server.bind();
        std::uint16_t port = server.bound().at(0).port;
        std::thread runner([&] { server.run(2); });

        {
            Client client(port, client_ip);
            ASSERT_TRUE(client.connected());
            std::string pending;
            auto flush = [&] {
                client.send(pending);
                pending.clear();
            };
            for (const auto& st : script.steps) {
                SCOPED_TRACE(GetParam() + ":" + std::to_string(st.line) + " " + st.kind + ": " +
                             st.arg);
                if (st.kind == "C") {
                    pending += st.arg + "\r\n";
                } else if (st.kind == "C-RAW") {
                    pending += unescape(st.arg);
                } else if (st.kind == "S") {
                    flush();
                    auto l = client.line();
                    ASSERT_TRUE(l.has_value()) << "connection closed or timed out";
                    EXPECT_TRUE(matches(*l, st.arg)) << "got: " << *l;
                    if (!matches(*l, st.arg)) break;
                } else if (st.kind == "TLS") {
                    flush();
                    ASSERT_TRUE(client.start_tls());
                } else if (st.kind == "CLOSED") {
                    flush();
                    EXPECT_TRUE(client.closed_by_server());
                } else if (st.kind == "STOP") {
                    flush();
                    server.stop();
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                } else if (st.kind == "SLEEP") {
                    flush();
                    std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(st.arg)));
                } else if (st.kind == "BLOBS") {
                    EXPECT_EQ(deliverer.delivered().size(), std::stoul(st.arg));
                } else if (st.kind.starts_with("BLOB-") || st.kind == "RCPTS") {
                    auto all = deliverer.delivered();
                    ASSERT_FALSE(all.empty()) << "nothing delivered";
                    const auto& d = all.back();
                    std::string want = unescape(st.arg);
                    if (st.kind == "BLOB-HAS")
                        EXPECT_NE(d.data.find(want), std::string::npos) << d.data;
                    else if (st.kind == "BLOB-LACKS")
                        EXPECT_EQ(d.data.find(want), std::string::npos) << d.data;
                    else if (st.kind == "BLOB-STARTS")
                        EXPECT_TRUE(d.data.starts_with(want)) << d.data;
                    else {
                        std::string got;
                        for (const auto& r : d.envelope.recipients)
                            got += (got.empty() ? "" : " ") + r.address;
                        EXPECT_EQ(got, st.arg);
                    }
                    if (st.kind == "BLOB-STARTS") {
                        // Return-Path is what return_path_length covers.
                        auto eol = d.data.find("\r\n");
                        EXPECT_EQ(d.envelope.return_path_length, eol + 2);
                    }
                } else {
                    ADD_FAILURE() << "unknown step";
                }
            }
        }
        server.stop();
        runner.join();
        // Pending AUTH checks and deliveries complete while the server's executors still exist.
        authenticator.shutdown();
        deliverer.drain();
    }
}

INSTANTIATE_TEST_SUITE_P(Smtp, Transcript,
                         ::testing::ValuesIn(hermod::testing::transcript_files(transcript_dir())),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             return hermod::testing::transcript_test_name(info.param);
                         });

}  // namespace
}  // namespace hermod::smtp::test
