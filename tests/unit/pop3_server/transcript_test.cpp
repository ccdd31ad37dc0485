// transcript_test.cpp - golden POP3 transcripts (tests/transcripts/pop3/*.txt) played against
// the real session over TCP on 127.0.0.1 port 0, in-process, with a real store in a temporary
// folder (seeded by fixture.hpp: alice@example.org / "secret" with three INBOX messages) and a
// real store-backed authenticator.
//
// Transcript format: C:, C-RAW:, S: and options as in ../support/transcript.hpp, plus:
//   TLS                client TLS handshake (after "+OK" to STLS)
//   CLOSED             the server closes the connection
//   STOP               begin server shutdown (net::Server::stop)
//   SLEEP: ms          pause
//   CLIENT: n          switch to client connection n (1 at the start; a new n connects)
//   DROP               the current client disconnects without QUIT (then use CLIENT)
//   S-BODY: octets     a multi-line response body up to ".": after un-stuffing, `octets` long
//   INBOX: n           alice's INBOX holds n messages in the store
//   SEEN: n            ... of which n carry \Seen
//   Options ("#! key: value"): max_errors, login_delay (seconds), loopback_auth (off),
//   no_tls, expire (on), mailboxes (comma-separated), failed_logins (per account),
//   big (octets of a 4th INBOX message, stored in its own file),
//   remote (connect through a non-loopback address of this host; skipped when there is none)
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "../support/line_client.hpp"
#include "../support/transcript.hpp"
#include "auth/authenticator.hpp"
#include "fixture.hpp"
#include "net/server.hpp"
#include "pop3/server/session.hpp"

namespace hermod::pop3::test {
namespace {

namespace fs = std::filesystem;
using Client = hermod::testing::LineClient;
using hermod::testing::matches;
using hermod::testing::unescape;

fs::path transcript_dir() {
    return fs::path(HERMOD_SOURCE_DIR) / "tests" / "transcripts" / "pop3";
}

/// A message of about `octets` CRLF lines, some starting with "." (to be stuffed).
std::string big_message(std::size_t octets) {
    std::string m = "Subject: big\r\n\r\n";
    std::size_t n = 0;
    while (m.size() < octets) {
        std::string line =
            (n % 7 == 0 ? "." : "") + std::string(70, static_cast<char>('a' + n % 26));
        m += line + "\r\n";
        ++n;
    }
    return m;
}

class Transcript : public ::testing::TestWithParam<std::string> {};

TEST_P(Transcript, Plays) {
    auto script = hermod::testing::load_script(transcript_dir() / GetParam());
    ASSERT_FALSE(script.steps.empty()) << GetParam();
    auto opt = [&](const std::string& k, const std::string& d = "") {
        auto it = script.options.find(k);
        return it == script.options.end() ? d : it->second;
    };

    // Inline bodies up to 64 KiB, so "big" exercises the file-blob path and the offloaded reads.
    TempStore st(64 * 1024);
    seed(*st);
    if (!opt("big").empty())
        add_message(*st, "alice@example.org", "INBOX", big_message(std::stoul(opt("big"))), 4000);
    store::Id alice = st->find_account("alice@example.org")->id;
    store::Id inbox = st->find_mailbox(alice, "INBOX")->id;

    config::Config cfg = config::defaults();
    cfg.listen.clear();
    auto client = hermod::testing::listen_for(script, cfg, config::Service::Pop3);
    if (!client) GTEST_SKIP() << "no non-loopback IPv4 address";
    std::string client_ip = *client;
    cfg.server.hostname = "pop.example.test";
    cfg.server.shutdown_grace_seconds = 1;
    if (!opt("max_errors").empty())
        cfg.pop3.max_errors = static_cast<std::uint32_t>(std::stoul(opt("max_errors")));
    if (!opt("login_delay").empty())
        cfg.pop3.login_delay_seconds = static_cast<std::uint32_t>(std::stoul(opt("login_delay")));
    if (opt("loopback_auth") == "off") cfg.pop3.plaintext_auth_on_loopback = false;
    if (opt("expire") == "on") cfg.pop3.expire_retrieved = true;
    if (!opt("mailboxes").empty()) {
        cfg.pop3.mailboxes.clear();
        std::stringstream in(opt("mailboxes"));
        for (std::string m; std::getline(in, m, ',');)
            cfg.pop3.mailboxes.push_back(m);
    }
    if (!opt("failed_logins").empty())
        cfg.limits.failed_logins_per_account =
            static_cast<std::uint32_t>(std::stoul(opt("failed_logins")));

    auth::AuthenticatorOptions ao;
    ao.failure_delay = std::chrono::milliseconds(0);
    auth::Authenticator authenticator(*st, cfg.limits, ao);
    {
        net::Server server(
            cfg, script.options.count("no_tls") ? nullptr : hermod::testing::transcript_tls());
        server.set_handler(config::Service::Pop3, make_handler({&cfg, st.get(), &authenticator}));
        server.bind();
        std::uint16_t port = server.bound().at(0).port;
        std::thread runner([&] { server.run(2); });

        {
            std::map<int, std::unique_ptr<Client>> clients;
            clients[1] = std::make_unique<Client>(port, client_ip);
            Client* client = clients[1].get();
            ASSERT_TRUE(client->connected());
            std::string pending;
            auto flush = [&] {
                if (pending.empty()) return;  // also after DROP, when there is no client
                ASSERT_NE(client, nullptr) << "client lines after DROP need a CLIENT step";
                client->send(pending);
                pending.clear();
            };
            auto count_inbox = [&](bool seen_only) {
                std::size_t n = 0;
                for (const auto& m : st->list_messages(inbox))
                    if (!seen_only || (m.flags & store::kSeen)) ++n;
                return n;
            };
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
                    EXPECT_TRUE(matches(*l, step.arg)) << "got: " << *l;
                    if (!matches(*l, step.arg)) break;
                } else if (step.kind == "S-BODY") {
                    flush();
                    std::size_t octets = 0;
                    for (;;) {
                        auto l = client->line();
                        ASSERT_TRUE(l.has_value()) << "body not terminated";
                        if (*l == ".") break;
                        if (l->starts_with('.')) {
                            ASSERT_TRUE(l->starts_with("..")) << "unstuffed line: " << *l;
                            l->erase(0, 1);
                        }
                        octets += l->size() + 2;
                    }
                    EXPECT_EQ(octets, std::stoul(step.arg));
                } else if (step.kind == "CLIENT") {
                    flush();
                    int n = std::stoi(step.arg);
                    auto& c = clients[n];
                    if (!c) {
                        c = std::make_unique<Client>(port, client_ip);
                        ASSERT_TRUE(c->connected());
                    }
                    client = c.get();
                } else if (step.kind == "DROP") {
                    flush();
                    for (auto& [n, c] : clients)
                        if (c.get() == client) c.reset();
                    client = nullptr;
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
                } else if (step.kind == "INBOX") {
                    EXPECT_EQ(count_inbox(false), std::stoul(step.arg));
                } else if (step.kind == "SEEN") {
                    EXPECT_EQ(count_inbox(true), std::stoul(step.arg));
                } else {
                    ADD_FAILURE() << "unknown step";
                }
            }
        }
        server.stop();
        runner.join();
        // Pending AUTH checks complete while the server's executors still exist.
        authenticator.shutdown();
    }
}

INSTANTIATE_TEST_SUITE_P(Pop3, Transcript,
                         ::testing::ValuesIn(hermod::testing::transcript_files(transcript_dir())),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             return hermod::testing::transcript_test_name(info.param);
                         });

}  // namespace
}  // namespace hermod::pop3::test
