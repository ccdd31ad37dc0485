// Path parsing and relay-trick classification (RFC 5321 §4.1.2, §4.1.1.3, §4.5.3.1; RFC 6531).
#include "smtp/proto/path.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace hermod::smtp::proto;

namespace {

PathOptions fwd() {
    PathOptions o;
    o.allow_postmaster = true;
    return o;
}

PathResult parse(std::string_view s, PathOptions o = fwd()) {
    return parse_path(s, o);
}

}  // namespace

TEST(Rfc5321_4_1_2, PlainMailbox) {
    auto r = parse("<John.Doe@Example.org> SIZE=1");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.consumed, std::string("<John.Doe@Example.org>").size());
    EXPECT_EQ(r.path.local, "John.Doe");
    EXPECT_EQ(r.path.domain, "Example.org");
    EXPECT_EQ(r.path.domain_kind, DomainKind::Name);
    EXPECT_EQ(r.path.flags, 0u);
    EXPECT_TRUE(r.path.is_safe_local_candidate());
    EXPECT_EQ(r.path.mailbox(), "John.Doe@Example.org");
}

TEST(Rfc5321_4_1_2, AtextSpecialsAllowed) {
    auto r = parse("<a+b=c/d{e}~f'g*h?i^j`k|l#m$n&o@x.org>");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.path.is_safe_local_candidate());
}

TEST(Rfc5321_4_5_5, NullPathOnlyWhenAllowed) {
    EXPECT_EQ(parse("<>").error, PathError::NullNotAllowed);
    PathOptions o;
    o.allow_null = true;
    auto r = parse("<>", o);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.path.null);
    EXPECT_EQ(r.consumed, 2u);
    EXPECT_FALSE(r.path.is_safe_local_candidate());
    EXPECT_EQ(r.path.mailbox(), "");
}

TEST(Rfc5321_4_1_1_3, BarePostmaster) {
    for (const char* s : {"<Postmaster>", "<postmaster>", "<POSTMASTER>"}) {
        auto r = parse(s);
        ASSERT_TRUE(r.ok()) << s;
        EXPECT_TRUE(r.path.has(kFlagBarePostmaster));
        EXPECT_TRUE(r.path.is_safe_local_candidate());
        EXPECT_TRUE(r.path.domain.empty());
    }
    // Only for forward paths, only unquoted, never other bare names.
    PathOptions rev;
    rev.allow_null = true;
    EXPECT_FALSE(parse("<Postmaster>", rev).ok());
    EXPECT_FALSE(parse("<\"Postmaster\">").ok());
    EXPECT_FALSE(parse("<root>").ok());
}

TEST(Rfc5321_4_1_2, QuotedLocalPart) {
    auto r = parse("<\"john\"@x.org>");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.path.local, "john");
    EXPECT_TRUE(r.path.has(kFlagQuotedLocal));
    EXPECT_FALSE(r.path.has(kFlagQuotedSpecial));
    EXPECT_TRUE(r.path.is_safe_local_candidate());  // equivalent to john@x.org
    EXPECT_EQ(r.path.mailbox(), "john@x.org");

    auto s = parse("<\"john smith\\\"x\"@x.org>");
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s.path.local, "john smith\"x");
    EXPECT_TRUE(s.path.has(kFlagQuotedSpecial));
    EXPECT_FALSE(s.path.is_safe_local_candidate());
    EXPECT_EQ(s.path.mailbox(), "\"john smith\\\"x\"@x.org");
}

TEST(Rfc5321_4_1_2, QuotedPairAndQtextLimits) {
    EXPECT_FALSE(parse("<\"a\\\x01\"@x.org>").ok());  // quoted-pairSMTP is %d32-126
    EXPECT_FALSE(parse("<\"a\x01\"@x.org>").ok());
    EXPECT_FALSE(parse("<\"abc@x.org>").ok());  // unterminated
    EXPECT_FALSE(parse("<\"abc\\").ok());
}

TEST(Rfc5321_4_1_2, Syntaxerrors) {
    for (const char* s : {"",
                          "x",
                          "<",
                          "<a@x.org",
                          "a@x.org>",
                          "<a>",
                          "<@>",
                          "<a@>",
                          "<@x.org>",
                          "<.a@x.org>",
                          "<a.@x.org>",
                          "<a..b@x.org>",
                          "<a b@x.org>",
                          "<a@x..org>",
                          "<a@-x.org>",
                          "<a@x-.org>",
                          "<a@x_y.org>",
                          "<a@b@x.org>",
                          "<a@x.org.. >",
                          "<a@.x.org>",
                          "<a@x.org..>",
                          "<a@[1.2.3]>",
                          "<a@[1.2.3.256]>",
                          "<a@[1.2.3.4>",
                          "<a@[IPv6:zz::1]>",
                          "<a@[:x]>",
                          "<a@[tag-:x]>",
                          "<a@[tag:]>",
                          "<a@[tag:a[b]>",
                          "<@a:>",
                          "<@a,b:c@d>",
                          "<@a;c@d>",
                          "<a(b)@x.org>",
                          "<a,b@x.org>",
                          "<a;b@x.org>"}) {
        EXPECT_EQ(parse(s).error, PathError::Syntax) << s;
    }
}

TEST(Rfc5321_4_1_1_3, SourceRouteStrippedButReported) {
    auto r = parse("<@relay1.example,@relay2.example:user@final.example>");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.path.local, "user");
    EXPECT_EQ(r.path.domain, "final.example");
    ASSERT_EQ(r.path.route.size(), 2u);
    EXPECT_EQ(r.path.route[0], "relay1.example");
    EXPECT_EQ(r.path.route[1], "relay2.example");
    EXPECT_TRUE(r.path.has(kFlagSourceRoute));
    EXPECT_FALSE(r.path.is_safe_local_candidate());
    EXPECT_EQ(r.path.mailbox(), "user@final.example");
}

// The classic relay probes: each parses (or not) but is never a "safe local candidate".
TEST(SmtpRelayTricks, PercentHack) {
    auto r = parse("<user%remote.example@local.example>");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.path.has(kFlagPercentHack));
    EXPECT_FALSE(r.path.is_safe_local_candidate());
}

TEST(SmtpRelayTricks, BangPath) {
    auto r = parse("<remote.example!user@local.example>");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.path.has(kFlagBangPath));
    EXPECT_FALSE(r.path.is_safe_local_candidate());
}

TEST(SmtpRelayTricks, QuotedAtAndPercent) {
    auto a = parse("<\"user@remote.example\"@local.example>");
    ASSERT_TRUE(a.ok());
    EXPECT_TRUE(a.path.has(kFlagAtInLocal));
    EXPECT_TRUE(a.path.has(kFlagQuotedSpecial));
    EXPECT_FALSE(a.path.is_safe_local_candidate());
    auto p = parse("<\"user%remote\"@local.example>");
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p.path.has(kFlagPercentHack));
    EXPECT_FALSE(p.path.is_safe_local_candidate());
}

TEST(SmtpRelayTricks, RouteToRemote) {
    auto r = parse("<@local.example:user@remote.example>");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.path.domain, "remote.example");
    EXPECT_TRUE(r.path.has(kFlagSourceRoute));
    EXPECT_FALSE(r.path.is_safe_local_candidate());
}

TEST(SmtpRelayTricks, AddressLiterals) {
    auto v4 = parse("<user@[192.0.2.1]>");
    ASSERT_TRUE(v4.ok());
    EXPECT_EQ(v4.path.domain_kind, DomainKind::Ipv4Literal);
    EXPECT_EQ(v4.path.domain, "[192.0.2.1]");
    EXPECT_FALSE(v4.path.is_safe_local_candidate());
    auto v6 = parse("<user@[IPv6:2001:db8::1]>");
    ASSERT_TRUE(v6.ok());
    EXPECT_EQ(v6.path.domain_kind, DomainKind::Ipv6Literal);
    EXPECT_TRUE(v6.path.has(kFlagAddressLiteral));
    auto v6b = parse("<user@[ipv6:::ffff:192.0.2.1]>");
    ASSERT_TRUE(v6b.ok());
    auto gen = parse("<user@[x-tag:abc]>");
    ASSERT_TRUE(gen.ok());
    EXPECT_EQ(gen.path.domain_kind, DomainKind::GeneralLiteral);
    EXPECT_FALSE(gen.path.is_safe_local_candidate());
}

TEST(SmtpRelayTricks, TrailingDot) {
    auto r = parse("<user@local.example.>");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.path.domain, "local.example");
    EXPECT_TRUE(r.path.has(kFlagTrailingDot));
    EXPECT_FALSE(r.path.is_safe_local_candidate());
}

TEST(SmtpRelayTricks, EmptyLocalPart) {
    auto r = parse("<\"\"@local.example>");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.path.has(kFlagEmptyLocal));
    EXPECT_FALSE(r.path.is_safe_local_candidate());
    EXPECT_EQ(r.path.mailbox(), "\"\"@local.example");
    EXPECT_FALSE(parse("<@local.example>").ok());
}

TEST(Rfc5321_4_5_3_1, LengthLimits) {
    std::string local64(64, 'a'), local65(65, 'a');
    EXPECT_TRUE(parse("<" + local64 + "@x.org>").ok());
    EXPECT_EQ(parse("<" + local65 + "@x.org>").error, PathError::TooLong);
    EXPECT_EQ(parse("<\"" + local65 + "\"@x.org>").error, PathError::TooLong);
    EXPECT_EQ(parse("<\"" + std::string(63, 'a') + "\"@x.org>").error, PathError::TooLong);
    // Domain: labels of 63, total over 255.
    std::string label(63, 'b');
    std::string d4 = label + "." + label + "." + label + "." + label;  // 255
    EXPECT_EQ(d4.size(), 255u);
    EXPECT_EQ(parse("<a@" + d4 + "x>").error, PathError::TooLong);
    EXPECT_EQ(parse("<a@" + std::string(64, 'c') + ".org>").error, PathError::Syntax);
    // Whole path: 256 octets including the brackets.
    std::string dom = label + "." + label + "." + label + "." + std::string(60, 'd');
    std::string ok = "<" + std::string(256 - 3 - dom.size(), 'e') + "@" + dom + ">";
    EXPECT_EQ(ok.size(), 256u);
    EXPECT_TRUE(parse(ok).ok());
    std::string too = "<" + std::string(257 - 3 - dom.size(), 'e') + "@" + dom + ">";
    EXPECT_EQ(parse(too).error, PathError::TooLong);
}

TEST(Rfc6531_3_3, Utf8OnlyWithSmtputf8) {
    const std::string s =
        "<j\xC3\xB6rg@b\xC3\xBC"
        "cher.example>";
    EXPECT_EQ(parse(s).error, PathError::Utf8NotAllowed);
    PathOptions o = fwd();
    o.allow_utf8 = true;
    auto r = parse(s, o);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.path.has(kFlagNonAscii));
    EXPECT_TRUE(r.path.is_safe_local_candidate());
    // Malformed UTF-8 is a syntax error even with SMTPUTF8.
    EXPECT_EQ(parse("<j\xC3@x.org>", o).error, PathError::Syntax);
    EXPECT_EQ(parse("<j\xC0\xAF@x.org>", o).error, PathError::Syntax);      // overlong '/'
    EXPECT_EQ(parse("<j\xED\xA0\x80@x.org>", o).error, PathError::Syntax);  // surrogate
}
