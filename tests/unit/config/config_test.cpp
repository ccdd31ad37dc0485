#include "config/config.hpp"

#include <gtest/gtest.h>

using namespace hermod::config;

namespace {

std::vector<std::string> messages(const LoadResult& r) {
    std::vector<std::string> out;
    for (const auto& e : r.errors)
        out.push_back(e.to_string());
    return out;
}

}  // namespace

TEST(Config, DefaultsListenOnLocalhostUnprivilegedPorts) {
    Config c = defaults();
    ASSERT_EQ(c.listen[Service::Smtp].size(), 2u);
    EXPECT_EQ(c.listen[Service::Smtp][0].to_string(), "127.0.0.1:2525");
    EXPECT_EQ(c.listen[Service::Smtp][1].to_string(), "[::1]:2525");
    EXPECT_EQ(c.listen[Service::Submission][0].port, 5870);
    EXPECT_EQ(c.listen[Service::Submissions][0].port, 4650);
    EXPECT_EQ(c.listen[Service::Imap][0].port, 1143);
    EXPECT_EQ(c.listen[Service::Imaps][0].port, 9930);
    EXPECT_EQ(c.listen[Service::Pop3][0].port, 1110);
    EXPECT_EQ(c.listen[Service::Pop3s][0].port, 9950);
    EXPECT_EQ(c.listen[Service::Lmtp][0].port, 2424);
    EXPECT_EQ(c.listen[Service::Http][0].port, 8080);
    EXPECT_EQ(c.limits.max_message_size, 50u << 20);
    EXPECT_EQ(c.limits.smtp_line_length, 512u);
    EXPECT_EQ(c.tls.min_version, "1.2");
    EXPECT_TRUE(implicit_tls(Service::Imaps));
    EXPECT_FALSE(implicit_tls(Service::Imap));
}

TEST(Config, EmptyFileIsTheDefaults) {
    auto r = parse("", "empty.toml");
    EXPECT_TRUE(r.errors.empty());
    EXPECT_EQ(to_toml(r.config), to_toml(defaults()));
}

TEST(Config, OverridesAndDisablesServices) {
    auto r = parse(R"(
[server]
hostname = "mail.example.org"
[limits]
max_message_size = 10485760
[listen]
smtp = ["0.0.0.0:25", "[::]:25"]
http = []
)",
                   "a.toml");
    ASSERT_TRUE(r.errors.empty()) << messages(r)[0];
    EXPECT_EQ(r.config.server.hostname, "mail.example.org");
    EXPECT_EQ(r.config.limits.max_message_size, 10485760u);
    EXPECT_EQ(r.config.listen[Service::Smtp][1].host, "::");
    EXPECT_EQ(r.config.listen[Service::Smtp][1].port, 25);
    EXPECT_TRUE(r.config.listen[Service::Http].empty());
    EXPECT_EQ(r.config.listen[Service::Imap].size(), 2u);  // untouched: default
}

TEST(Config, ReportsEveryErrorWithItsLine) {
    auto r = parse(R"([server]
hostname = 42
colour = "blue"
[limits]
max_recipients = -1
smtp_line_length = 100
[tls]
min_version = "1.0"
[listen]
smtp = ["localhost:25", "127.0.0.1:99999", "[::1]25"]
gopher = ["127.0.0.1:70"]
[nonsense]
)",
                   "bad.toml");
    auto m = messages(r);
    ASSERT_EQ(m.size(), 10u) << ::testing::PrintToString(m);
    EXPECT_EQ(m[0], "bad.toml:2: 'hostname' must be a string");
    EXPECT_EQ(m[1], "bad.toml:3: unknown key 'colour' in [server]");
    EXPECT_EQ(m[2], "bad.toml:5: 'max_recipients' must be between 1 and 100000, not -1");
    EXPECT_EQ(m[3], "bad.toml:6: 'smtp_line_length' must be between 512 and 1048576, not 100");
    EXPECT_EQ(m[4],
              "bad.toml:8: 'min_version' must be \"1.2\" or \"1.3\" (older TLS is not offered)");
    EXPECT_NE(m[5].find("bad.toml:10: 'localhost:25' in smtp"), std::string::npos) << m[5];
    EXPECT_NE(m[6].find("bad.toml:10: '127.0.0.1:99999' in smtp"), std::string::npos) << m[6];
    EXPECT_NE(m[7].find("bad.toml:10: '[::1]25' in smtp"), std::string::npos) << m[7];
    EXPECT_EQ(m[8], "bad.toml:11: unknown key 'gopher' in [listen]");
    EXPECT_NE(m[9].find("bad.toml:12: unknown section [nonsense]"), std::string::npos) << m[9];
}

TEST(Config, SyntaxErrorHasPosition) {
    auto r = parse("[server]\nhostname = \"unterminated\n", "syn.toml");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].line, 2u);
    EXPECT_EQ(r.errors[0].file, "syn.toml");
}

TEST(Config, CertAndKeyGoTogether) {
    auto r = parse("[tls]\ncert_file = \"/etc/ssl/a.pem\"\n", "t.toml");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors[0].message.find("go together"), std::string::npos);
}

TEST(Config, ShowOutputLoadsBackToTheSameConfig) {
    auto first = parse(
        "[server]\nhostname = \"mx \\\"1\\\"\"\n[listen]\nimap = []\n"
        "[smtp]\nlmtp_socket = \"/var/spool/postfix/private/hermod-lmtp\"\n"
        "lmtp_socket_user = \"postfix\"\nlmtp_socket_group = \"mail\"\nlmtp_socket_mode = "
        "\"0600\"\n",
        "x.toml");
    ASSERT_TRUE(first.errors.empty()) << messages(first)[0];
    std::string text = to_toml(first.config);
    auto again = parse(text, "shown.toml");
    ASSERT_TRUE(again.errors.empty()) << messages(again)[0];
    EXPECT_EQ(to_toml(again.config), text);
    EXPECT_EQ(again.config.server.hostname, "mx \"1\"");
    EXPECT_EQ(again.config.smtp.lmtp_socket, "/var/spool/postfix/private/hermod-lmtp");
    EXPECT_EQ(again.config.smtp.lmtp_socket_user, "postfix");
    EXPECT_EQ(again.config.smtp.lmtp_socket_group, "mail");
    EXPECT_EQ(again.config.smtp.lmtp_socket_mode, 0600u);
    EXPECT_NE(text.find("lmtp_socket_mode = \"0600\"\n"), std::string::npos) << text;
}

TEST(Config, MissingFileIsOneError) {
    auto r = load_file("/nonexistent/hermod.toml");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].to_string(), "/nonexistent/hermod.toml: cannot read the file");
}

TEST(Config, ShippedProductionConfigIsValid) {
    auto r = load_file(HERMOD_SOURCE_DIR "/etc/hermod.toml");
    ASSERT_TRUE(r.errors.empty()) << messages(r)[0];
    EXPECT_EQ(r.config.listen[Service::Smtp][0].to_string(), "0.0.0.0:25");
    EXPECT_EQ(r.config.listen[Service::Imaps][1].to_string(), "[::]:993");
}

TEST(Config, SmtpSection) {
    auto r = parse(R"([smtp]
trusted_networks = ["192.0.2.0/24", "2001:db8::/32", "198.51.100.7", "10.0.0.0/33", "x"]
plaintext_auth_on_loopback = false
lmtp_socket = ""
)",
                   "s.toml");
    auto m = messages(r);
    ASSERT_EQ(m.size(), 2u) << ::testing::PrintToString(m);
    EXPECT_NE(m[0].find("s.toml:2: 'trusted_networks' entries"), std::string::npos);
    EXPECT_EQ(r.config.smtp.trusted_networks.size(), 3u);
    EXPECT_FALSE(r.config.smtp.plaintext_auth_on_loopback);
    EXPECT_EQ(r.config.smtp.lmtp_socket, "");
    EXPECT_TRUE(defaults().smtp.trusted_networks.empty());  // no open relay by default
}

TEST(Config, LmtpSocketOwnerAndMode) {
    Config d = defaults();
    EXPECT_EQ(d.smtp.lmtp_socket, "lmtp.sock");  // relative: in the data folder
    EXPECT_EQ(d.smtp.lmtp_socket_user, "");
    EXPECT_EQ(d.smtp.lmtp_socket_group, "");
    EXPECT_EQ(d.smtp.lmtp_socket_mode, 0660u);

    auto ok = parse(R"([smtp]
lmtp_socket = "/var/spool/postfix/private/hermod-lmtp"
lmtp_socket_user = "postfix"
lmtp_socket_group = "postfix"
lmtp_socket_mode = "666"
)",
                    "ok.toml");
    ASSERT_TRUE(ok.errors.empty()) << messages(ok)[0];
    EXPECT_EQ(ok.config.smtp.lmtp_socket, "/var/spool/postfix/private/hermod-lmtp");
    EXPECT_EQ(ok.config.smtp.lmtp_socket_user, "postfix");
    EXPECT_EQ(ok.config.smtp.lmtp_socket_group, "postfix");
    EXPECT_EQ(ok.config.smtp.lmtp_socket_mode, 0666u);

    // Each bad mode in a file of its own: a decimal number, digits 8/9, beyond 0777, empty,
    // a sign, trailing text.
    for (const char* mode : {"\"0800\"", "\"1777\"", "\"\"", "\"-1\"", "\"0660 \"", "660"}) {
        auto r = parse(std::string("[smtp]\n\nlmtp_socket_mode = ") + mode + "\n", "m.toml");
        auto m = messages(r);
        ASSERT_EQ(m.size(), 1u) << mode << ::testing::PrintToString(m);
        EXPECT_EQ(m[0].rfind("m.toml:3: 'lmtp_socket_mode' must be", 0), 0u) << m[0];
        EXPECT_EQ(r.config.smtp.lmtp_socket_mode, 0660u);  // unchanged
    }
    auto user = parse("[smtp]\nlmtp_socket_user = 7\nlmtp_socket_group = false\n", "u.toml");
    auto m = messages(user);
    ASSERT_EQ(m.size(), 2u) << ::testing::PrintToString(m);
    EXPECT_EQ(m[0], "u.toml:2: 'lmtp_socket_user' must be a string");
    EXPECT_EQ(m[1], "u.toml:3: 'lmtp_socket_group' must be a string");
}

TEST(Config, Pop3AndAuthSections) {
    auto r = parse(R"([pop3]
mailboxes = ["INBOX", "Junk"]
expire_retrieved = true
login_delay_seconds = 300
plaintext_auth_on_loopback = false
max_errors = 3
apop = true
[auth]
cache_seconds = 0
cache_size = 5
)",
                   "p.toml");
    auto m = messages(r);
    // RFC 1939 §7 APOP needs clear-text passwords: turning it on is an error with the reason.
    ASSERT_EQ(m.size(), 1u) << ::testing::PrintToString(m);
    EXPECT_NE(m[0].find("p.toml:7: 'apop' cannot be turned on"), std::string::npos) << m[0];
    EXPECT_EQ(r.config.pop3.mailboxes, (std::vector<std::string>{"INBOX", "Junk"}));
    EXPECT_TRUE(r.config.pop3.expire_retrieved);
    EXPECT_EQ(r.config.pop3.login_delay_seconds, 300u);
    EXPECT_FALSE(r.config.pop3.plaintext_auth_on_loopback);
    EXPECT_EQ(r.config.pop3.max_errors, 3u);
    EXPECT_EQ(r.config.auth.cache_seconds, 0u);
    EXPECT_EQ(r.config.auth.cache_size, 5u);

    auto bad = parse("[pop3]\nmailboxes = []\n[auth]\ncache_seconds = -1\n", "b.toml");
    EXPECT_EQ(messages(bad).size(), 2u);

    // The shown form loads back to the same settings.
    auto fine =
        parse("[pop3]\nmailboxes = [\"INBOX\", \"Junk\"]\nexpire_retrieved = true\n", "f.toml");
    ASSERT_TRUE(fine.errors.empty());
    auto again = parse(to_toml(fine.config), "shown.toml");
    ASSERT_TRUE(again.errors.empty()) << messages(again)[0];
    EXPECT_EQ(to_toml(again.config), to_toml(fine.config));
    EXPECT_EQ(again.config.pop3.mailboxes.size(), 2u);
}
