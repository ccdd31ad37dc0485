// transcript_test.cpp - golden SMTP/LMTP transcripts (tests/transcripts/smtp/*.txt) played
// against the real session over TCP on 127.0.0.1 port 0, in-process, with a fake deliverer
// and a real store-backed authenticator.
//
// Transcript format, one step per line:
//   C: text            client line (CRLF appended); consecutive C: lines go out in ONE write
//                      when the next step needs the server (so they test PIPELINING)
//   C-RAW: text        raw client bytes, escapes \r \n \t \\ and \xHH, no CRLF appended
//   S: pattern         one server line; "<ANY>" matches any text, a trailing "..." any rest
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

std::shared_ptr<net::TlsContext> test_tls() {
    static std::shared_ptr<net::TlsContext> ctx = [] {
        std::string tmpl = (fs::temp_directory_path() / "hermod-smtpd-XXXXXX").string();
        fs::path dir = ::mkdtemp(tmpl.data());
        net::generate_self_signed("localhost", dir / "cert.pem", dir / "key.pem");
        auto c = net::TlsContext::load(dir / "cert.pem", dir / "key.pem");
        fs::remove_all(dir);
        return c;
    }();
    return ctx;
}

using Client = hermod::testing::LineClient;
std::string unescape(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        char c = s[++i];
        if (c == 'r')
            out += '\r';
        else if (c == 'n')
            out += '\n';
        else if (c == 't')
            out += '\t';
        else if (c == 'x' && i + 2 < s.size() + 0) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else
            out += c;
    }
    return out;
}

/// Glob match with "<ANY>" wildcards and an optional trailing "...".
bool matches(std::string_view text, std::string pattern) {
    bool prefix = pattern.size() >= 3 && pattern.ends_with("...");
    if (prefix) pattern.resize(pattern.size() - 3);
    std::vector<std::string> parts;
    std::size_t pos = 0;
    for (;;) {
        auto any = pattern.find("<ANY>", pos);
        parts.push_back(
            pattern.substr(pos, any == std::string::npos ? std::string::npos : any - pos));
        if (any == std::string::npos) break;
        pos = any + 5;
    }
    if (parts.size() == 1) return prefix ? text.starts_with(parts[0]) : text == parts[0];
    if (!text.starts_with(parts.front())) return false;
    std::size_t at = parts.front().size();
    for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
        auto f = text.find(parts[i], at);
        if (f == std::string_view::npos) return false;
        at = f + parts[i].size();
    }
    const std::string& last = parts.back();
    if (prefix) return text.find(last, at) != std::string_view::npos;
    return text.size() >= at + last.size() && text.ends_with(last);
}

struct Step {
    std::string kind;
    std::string arg;
    int line = 0;
};

struct Script {
    std::map<std::string, std::string> options;
    std::vector<Step> steps;
};

Script load(const fs::path& file) {
    Script s;
    std::ifstream in(file);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.starts_with("#!")) {
            auto colon = line.find(':');
            std::string key =
                line.substr(2, colon == std::string::npos ? std::string::npos : colon - 2);
            std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
            auto trim = [](std::string& x) {
                x.erase(0, x.find_first_not_of(' '));
                x.erase(x.find_last_not_of(' ') + 1);
            };
            trim(key);
            trim(value);
            s.options[key] = value;
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        if (line == "C:") line = "C: ";  // an empty client line
        auto colon = line.find(": ");
        Step st;
        st.line = n;
        if (colon == std::string::npos) {
            st.kind = line;
        } else {
            st.kind = line.substr(0, colon);
            st.arg = line.substr(colon + 2);
        }
        s.steps.push_back(st);
    }
    return s;
}

/// A non-loopback IPv4 address of this host, to play a client that is not on loopback.
std::optional<std::string> external_ipv4() {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return std::nullopt;
    std::optional<std::string> out;
    for (ifaddrs* i = list; i && !out; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
        char buf[INET_ADDRSTRLEN];
        auto* sin = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
        ::inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
        if (!std::string_view(buf).starts_with("127.")) out = buf;
    }
    ::freeifaddrs(list);
    return out;
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
    Script script = load(transcript_dir() / GetParam());
    ASSERT_FALSE(script.steps.empty()) << GetParam();
    auto opt = [&](const std::string& k, const std::string& d = "") {
        auto it = script.options.find(k);
        return it == script.options.end() ? d : it->second;
    };

    config::Config cfg = config::defaults();
    cfg.listen.clear();
    auto svc = config::service_from_name(opt("service", "smtp"));
    ASSERT_TRUE(svc) << "bad service";
    std::string client_ip = "127.0.0.1";
    if (script.options.count("remote")) {
        // Policy that depends on the client not being on loopback (AUTH only under TLS,
        // STARTTLS before anything on submission): listen on all addresses and connect
        // through this host's own non-loopback address.
        auto ip = external_ipv4();
        if (!ip) GTEST_SKIP() << "no non-loopback IPv4 address";
        client_ip = *ip;
        cfg.listen[*svc] = {{"0.0.0.0", 0}};
    } else {
        cfg.listen[*svc] = {{"127.0.0.1", 0}};
    }
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

std::vector<std::string> transcripts() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(transcript_dir()))
        if (e.path().extension() == ".txt") out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

INSTANTIATE_TEST_SUITE_P(Smtp, Transcript, ::testing::ValuesIn(transcripts()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             std::string n = info.param.substr(0, info.param.rfind('.'));
                             for (auto& c : n)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return n;
                         });

}  // namespace
}  // namespace hermod::smtp::test
