// Command-line parser: keywords, argument counts and lengths, PASS, AUTH, numbers
// (RFC 1939 §3, §5-7, RFC 2449 §4, RFC 5034 §4).
#include "pop3/proto/command.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace hermod::pop3::proto;

namespace {

Command parsed(std::string_view line) {
    auto r = parse_command(line);
    EXPECT_TRUE(r.command.has_value()) << line << " -> " << r.error;
    return r.command.value_or(Command{});
}

// Expects an error and returns its text.
std::string error(std::string_view line) {
    auto r = parse_command(line);
    EXPECT_FALSE(r.command.has_value()) << line;
    EXPECT_FALSE(r.error.empty()) << line;
    return r.command ? "ok" : r.error;
}

using Args = std::vector<std::string>;

}  // namespace

TEST(pop3_command_Rfc1939_3, KeywordsAreCaseInsensitive) {
    EXPECT_EQ(parsed("stat").verb, Verb::Stat);
    EXPECT_EQ(parsed("StAt").verb, Verb::Stat);
    EXPECT_EQ(parsed("top 1 0").verb, Verb::Top);
    EXPECT_EQ(parsed("uidl").verb, Verb::Uidl);
    EXPECT_EQ(parsed("Capa").verb, Verb::Capa);
}

TEST(pop3_command_Rfc1939_3, EveryVerbParses) {
    struct Case {
        const char* line;
        Verb verb;
    };
    const Case cases[] = {
        {"USER alice", Verb::User}, {"PASS secret", Verb::Pass}, {"APOP alice 0123abc", Verb::Apop},
        {"AUTH PLAIN", Verb::Auth}, {"STLS", Verb::Stls},        {"CAPA", Verb::Capa},
        {"QUIT", Verb::Quit},       {"STAT", Verb::Stat},        {"LIST", Verb::List},
        {"RETR 1", Verb::Retr},     {"DELE 1", Verb::Dele},      {"NOOP", Verb::Noop},
        {"RSET", Verb::Rset},       {"TOP 1 10", Verb::Top},     {"UIDL 3", Verb::Uidl},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(parsed(c.line).verb, c.verb) << c.line;
        EXPECT_EQ(to_string(c.verb), std::string_view(c.line).substr(0, to_string(c.verb).size()));
    }
    EXPECT_EQ(to_string(Verb::Unknown), "");
}

TEST(pop3_command_Rfc1939_3, ArgumentsAreKeptVerbatim) {
    EXPECT_EQ(parsed("USER Alice@Example.ORG").args, Args{"Alice@Example.ORG"});
    EXPECT_EQ(parsed("TOP 7 0").args, (Args{"7", "0"}));
    EXPECT_EQ(parsed("APOP mrose c4c9334bac560ecc979e58001b3e22fb").args,
              (Args{"mrose", "c4c9334bac560ecc979e58001b3e22fb"}));
    EXPECT_TRUE(parsed("LIST").args.empty());
    EXPECT_EQ(parsed("LIST 2").args, Args{"2"});
    // Numbers are the handler's business: the parser passes "x" through.
    EXPECT_EQ(parsed("RETR x").args, Args{"x"});
}

TEST(pop3_command_Rfc1939_3, UnknownAndEmptyLines) {
    EXPECT_EQ(error(""), "empty command");
    EXPECT_EQ(error("HELO"), "unknown command");
    EXPECT_EQ(error("XTND XMIT"), "unknown command");
    EXPECT_EQ(error("STATS"), "unknown command");
    EXPECT_EQ(error("ST"), "unknown command");
    EXPECT_EQ(error(" STAT"), "unknown command");
    EXPECT_EQ(error("STAT\t"), "unknown command");
    EXPECT_EQ(error(std::string("STAT\0", 5)), "unknown command");
    EXPECT_EQ(error("EHLO example.org"), "unknown command");
}

TEST(pop3_command_Rfc1939_3, ArgumentCounts) {
    for (const char* line : {"USER",
                             "USER a b",
                             "APOP a",
                             "APOP a b c",
                             "STAT 1",
                             "NOOP x",
                             "RSET 1",
                             "QUIT now",
                             "CAPA x",
                             "STLS x",
                             "LIST 1 2",
                             "UIDL 1 2",
                             "RETR",
                             "RETR 1 2",
                             "DELE",
                             "DELE 1 2",
                             "TOP",
                             "TOP 1",
                             "TOP 1 2 3",
                             "AUTH PLAIN abc extra",
                             "LIST 1 2 3 4 5 6"}) {
        EXPECT_EQ(error(line).rfind("syntax error", 0), 0u) << line;
    }
    EXPECT_EQ(error("TOP 1"), "syntax error: wrong number of arguments for TOP");
}

TEST(pop3_command_Rfc1939_3, ArgumentsAreSeparatedBySingleSpaces) {
    EXPECT_EQ(error("TOP 1  2").rfind("syntax error", 0), 0u);
    EXPECT_EQ(error("LIST  1").rfind("syntax error", 0), 0u);
    EXPECT_EQ(error("TOP\t1 2"), "unknown command");
    EXPECT_EQ(error("USER a\tb").rfind("syntax error", 0), 0u);
}

// Like Dovecot: exactly one trailing space is ignored, two are a syntax error.
TEST(pop3_command_Rfc1939_3, OneTrailingSpaceIsTolerated) {
    EXPECT_TRUE(parsed("STAT ").args.empty());
    EXPECT_EQ(parsed("LIST 1 ").args, Args{"1"});
    EXPECT_EQ(parsed("TOP 1 2 ").args, (Args{"1", "2"}));
    EXPECT_EQ(parsed("USER alice ").args, Args{"alice"});
    EXPECT_EQ(error("STAT  ").rfind("syntax error", 0), 0u);
    EXPECT_EQ(error("LIST 1  ").rfind("syntax error", 0), 0u);
}

TEST(pop3_command_Rfc1939_3, ControlCharactersInArgumentsAreRefused) {
    EXPECT_EQ(error(std::string("USER a\0b", 8)).rfind("syntax error", 0), 0u);
    EXPECT_EQ(error("USER a\nb").rfind("syntax error", 0), 0u);
    EXPECT_EQ(error("USER a\x7f").rfind("syntax error", 0), 0u);
    // UTF-8 user names pass.
    EXPECT_EQ(parsed("USER j\xc3\xb6rg").args, Args{"j\xc3\xb6rg"});
}

TEST(pop3_command_Rfc1939_7, PassKeepsTheWholeRestOfTheLine) {
    EXPECT_EQ(parsed("PASS secret").args, Args{"secret"});
    EXPECT_EQ(parsed("PASS correct horse battery staple").args,
              Args{"correct horse battery staple"});
    EXPECT_EQ(parsed("pass  leading space").args, Args{" leading space"});
    EXPECT_EQ(parsed("PASS trailing ").args, Args{"trailing "});
    // RFC 2449 §4's 40-octet limit does not apply to the password (the line limit does).
    std::string long_pass(100, 'p');
    EXPECT_EQ(parsed("PASS " + long_pass).args, Args{long_pass});
}

TEST(pop3_command_Rfc1939_7, PassErrorsNeverEchoThePassword) {
    EXPECT_EQ(error("PASS").rfind("syntax error", 0), 0u);
    EXPECT_EQ(error("PASS ").rfind("syntax error", 0), 0u);
    auto e = error(std::string("PASS hunter2\0x", 14));
    EXPECT_EQ(e.find("hunter2"), std::string::npos);
    e = error("PASS " + std::string(300, 's'));
    EXPECT_EQ(e.find("sss"), std::string::npos);
}

TEST(pop3_command_Rfc2449_4, ArgumentsAreAtMost40Octets) {
    std::string forty(40, 'a');
    EXPECT_EQ(parsed("USER " + forty).args, Args{forty});
    EXPECT_EQ(error("USER " + forty + "a"), "syntax error: argument too long");
    EXPECT_EQ(error("APOP " + forty + "a 0123"), "syntax error: argument too long");
    EXPECT_EQ(error("AUTH " + forty + "X"), "syntax error: argument too long");
}

TEST(pop3_command_Rfc2449_4, LinesAreAtMost255OctetsWithCrlf) {
    std::string at_limit = "PASS " + std::string(kMaxCommandLine - 2 - 5, 'p');
    EXPECT_EQ(at_limit.size() + 2, kMaxCommandLine);
    EXPECT_TRUE(parse_command(at_limit).command.has_value());
    EXPECT_EQ(error(at_limit + "p"), "line too long");
}

TEST(pop3_command_Rfc5034_4, AuthTakesMechanismAndOptionalInitialResponse) {
    // No mechanism: the session lists the mechanisms.
    EXPECT_TRUE(parsed("AUTH").args.empty());
    EXPECT_EQ(parsed("auth plain").args, Args{"plain"});
    EXPECT_EQ(parsed("AUTH PLAIN =").args, (Args{"PLAIN", "="}));
    // The initial response may exceed 40 octets and the 255-octet command line.
    std::string ir(1000, 'Q');
    EXPECT_EQ(parsed("AUTH PLAIN " + ir).args, (Args{"PLAIN", ir}));
}

TEST(pop3_command_Number, DigitsOnlyWithin32Bits) {
    EXPECT_EQ(parse_number("0"), 0u);
    EXPECT_EQ(parse_number("1"), 1u);
    EXPECT_EQ(parse_number("0001"), 1u);
    EXPECT_EQ(parse_number("4294967295"), 4294967295u);
    EXPECT_EQ(parse_number("4294967296"), std::nullopt);
    EXPECT_EQ(parse_number("9999999999"), std::nullopt);
    EXPECT_EQ(parse_number("00000000001"), std::nullopt);  // more than 10 digits
    EXPECT_EQ(parse_number(""), std::nullopt);
    EXPECT_EQ(parse_number("+1"), std::nullopt);
    EXPECT_EQ(parse_number("-1"), std::nullopt);
    EXPECT_EQ(parse_number(" 1"), std::nullopt);
    EXPECT_EQ(parse_number("1 "), std::nullopt);
    EXPECT_EQ(parse_number("1a"), std::nullopt);
    EXPECT_EQ(parse_number("0x10"), std::nullopt);
    EXPECT_EQ(parse_number("\xd9\xa1"), std::nullopt);  // ARABIC-INDIC DIGIT ONE
}
