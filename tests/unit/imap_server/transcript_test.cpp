// transcript_test.cpp - golden IMAP transcripts (tests/transcripts/imap/*.txt) played against the
// real session over TCP on 127.0.0.1 port 0, in-process, with a real store in a temporary folder
// (seeded by fixture.hpp: alice@example.org / "secret" with four INBOX messages, bob@example.org
// / "secret2") and a real store-backed authenticator.
//
// Transcript format: C:, C-RAW:, S: and options as in ../support/transcript.hpp, plus:
//   TLS                client TLS handshake (after the OK to STARTTLS)
//   CLOSED             the server closes the connection
//   STOP               begin server shutdown (net::Server::stop)
//   SLEEP: ms          pause
//   CLIENT: n          switch to client connection n (1 at the start; a new n connects)
//   DELIVER: subject   a message "Subject: <subject>" is delivered to alice's INBOX through the
//                      store, as SMTP/LMTP final delivery does (Store::deliver); the store
//                      tells the watches before the write completes, so no pause is needed
//   S-NONE: ms         the server sends nothing within ms milliseconds
//   Literals: "C: a APPEND INBOX {n}", "S: + ...", "C-RAW: <n octets>", "C: <rest of line>";
//   a LITERAL+ "{n+}" goes out in one C-RAW with the command line.
//   Options ("#! key: value"): max_errors, loopback_auth (off), no_tls, line_length
//   (limits.imap_line_length), literal_size (limits.imap_literal_size), remote (connect
//   through a non-loopback address of this host; skipped when there is none), known_bug (the
//   transcript shows the correct behaviour of an open server bug, described here: skipped)
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include "../support/line_client.hpp"
#include "../support/transcript.hpp"
#include "auth/authenticator.hpp"
#include "fixture.hpp"
#include "imap/server/session.hpp"
#include "net/server.hpp"

namespace hermod::imap::test {
namespace {

namespace fs = std::filesystem;
using Client = hermod::testing::LineClient;
using hermod::testing::matches;
using hermod::testing::unescape;

fs::path transcript_dir() {
    return fs::path(HERMOD_SOURCE_DIR) / "tests" / "transcripts" / "imap";
}

class Transcript : public ::testing::TestWithParam<std::string> {};

TEST_P(Transcript, Plays) {
    auto script = hermod::testing::load_script(transcript_dir() / GetParam());
    ASSERT_FALSE(script.steps.empty()) << GetParam();
    auto opt = [&](const std::string& k, const std::string& d = "") {
        auto it = script.options.find(k);
        return it == script.options.end() ? d : it->second;
    };

    // A transcript that states the RFC behaviour the server does not have yet: kept, skipped.
    if (!opt("known_bug").empty()) GTEST_SKIP() << "known server bug: " << opt("known_bug");

    TempStore st;
    seed(*st);

    config::Config cfg = config::defaults();
    cfg.listen.clear();
    auto client = hermod::testing::listen_for(script, cfg, config::Service::Imap);
    if (!client) GTEST_SKIP() << "no non-loopback IPv4 address";
    std::string client_ip = *client;
    cfg.server.hostname = "imap.example.test";
    cfg.server.shutdown_grace_seconds = 1;
    if (!opt("max_errors").empty())
        cfg.imap.max_errors = static_cast<std::uint32_t>(std::stoul(opt("max_errors")));
    if (opt("loopback_auth") == "off") cfg.imap.plaintext_auth_on_loopback = false;
    if (!opt("line_length").empty())
        cfg.limits.imap_line_length = static_cast<std::uint32_t>(std::stoul(opt("line_length")));
    if (!opt("literal_size").empty())
        cfg.limits.imap_literal_size = std::stoull(opt("literal_size"));

    auth::AuthenticatorOptions ao;
    ao.failure_delay = std::chrono::milliseconds(0);
    auth::Authenticator authenticator(*st, cfg.limits, ao);
    {
        net::Server server(
            cfg, script.options.count("no_tls") ? nullptr : hermod::testing::transcript_tls());
        server.set_handler(config::Service::Imap, make_handler({&cfg, st.get(), &authenticator}));
        server.bind();
        std::uint16_t port = server.bound().at(0).port;
        std::thread runner([&] { server.run(2); });

        // In a lambda so a failed ASSERT returns here and the server is still stopped.
        [&] {
            std::map<int, std::unique_ptr<Client>> clients;
            clients[1] = std::make_unique<Client>(port, client_ip);
            Client* client = clients[1].get();
            ASSERT_TRUE(client->connected());
            std::string pending;
            auto flush = [&] {
                client->send(pending);
                pending.clear();
            };
            std::int64_t delivered = 0;
            for (const auto& step : script.steps) {
                SCOPED_TRACE(GetParam() + ":" + std::to_string(step.line) + " " + step.kind + ": " +
                             step.arg);
                if (step.kind == "C") {
                    pending += step.arg + "\r\n";
                } else if (step.kind == "C-RAW") {
                    pending += unescape(step.arg);
                } else if (step.kind == "S") {
                    flush();
                    auto l = client->line();
                    ASSERT_TRUE(l.has_value()) << "connection closed or timed out";
                    if (!matches(*l, step.arg)) {
                        std::string rest;  // what followed, to ease writing transcripts
                        while (client->readable(300)) {
                            auto more = client->line();
                            if (!more) break;
                            rest += "\n  " + *more;
                        }
                        ADD_FAILURE() << "got: " << *l << rest;
                        break;
                    }
                } else if (step.kind == "S-NONE") {
                    flush();
                    EXPECT_FALSE(client->readable(std::stoi(step.arg)))
                        << "unexpected: " << client->line().value_or("<closed>");
                } else if (step.kind == "CLIENT") {
                    flush();
                    int n = std::stoi(step.arg);
                    auto& c = clients[n];
                    if (!c) {
                        c = std::make_unique<Client>(port, client_ip);
                        ASSERT_TRUE(c->connected());
                    }
                    client = c.get();
                } else if (step.kind == "TLS") {
                    flush();
                    ASSERT_TRUE(client->start_tls());
                } else if (step.kind == "CLOSED") {
                    flush();
                    EXPECT_TRUE(client->closed_by_server());
                } else if (step.kind == "STOP") {
                    flush();
                    server.stop();
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                } else if (step.kind == "SLEEP") {
                    flush();
                    std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(step.arg)));
                } else if (step.kind == "DELIVER") {
                    flush();
                    std::string msg =
                        "From: erin@example.net\r\nTo: alice@example.org\r\nSubject: " + step.arg +
                        "\r\n\r\nnew mail\r\n";
                    EXPECT_NE(deliver_message(*st, "alice@example.org", "INBOX", msg,
                                              kDate1 + (10 + delivered++) * kDay),
                              0u);
                    // No pause: the store tells the watches before the write completes, so
                    // the next command of any session sees the delivery.
                } else {
                    ADD_FAILURE() << "unknown step";
                }
            }
        }();
        server.stop();
        runner.join();
        // Pending LOGIN checks complete while the server's executors still exist.
        authenticator.shutdown();
    }
}

INSTANTIATE_TEST_SUITE_P(Imap, Transcript,
                         ::testing::ValuesIn(hermod::testing::transcript_files(transcript_dir())),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             return hermod::testing::transcript_test_name(info.param);
                         });

}  // namespace
}  // namespace hermod::imap::test
