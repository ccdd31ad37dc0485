// RFC 5322 §3.4 addresses as IMAP ENVELOPE wants them (RFC 9051 §7.5.2).
#include "mime/address.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace hermod::mime {
void PrintTo(const Address& a, std::ostream* os) {
    *os << "{" << static_cast<int>(a.kind) << " \"" << a.name << "\" " << a.adl << " " << a.mailbox
        << " @ " << a.host << "}";
}
}  // namespace hermod::mime

using namespace hermod::mime;
using K = Address::Kind;

namespace {
Address mbox(std::string name, std::string mailbox, std::string host, std::string adl = "") {
    Address a;
    a.name = std::move(name);
    a.adl = std::move(adl);
    a.mailbox = std::move(mailbox);
    a.host = std::move(host);
    return a;
}
}  // namespace

TEST(MimeAddress, Rfc5322_3_4_MailboxForms) {
    auto l = parse_address_list(
        "John Doe <jdoe@example.com>, \"Smith, Mary\" <mary@x.test>, plain@host.test, "
        "<angle@only.test>");
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[0], mbox("John Doe", "jdoe", "example.com"));
    EXPECT_EQ(l[1], mbox("Smith, Mary", "mary", "x.test"));
    EXPECT_EQ(l[2], mbox("", "plain", "host.test"));
    EXPECT_EQ(l[3], mbox("", "angle", "only.test"));
}

TEST(MimeAddress, Rfc5322_3_4_Groups) {
    auto l =
        parse_address_list("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, x@y");
    ASSERT_EQ(l.size(), 6u);
    EXPECT_EQ(l[0].kind, K::GroupStart);
    EXPECT_EQ(l[0].mailbox, "A Group");
    EXPECT_EQ(l[1], mbox("Ed Jones", "c", "a.test"));
    EXPECT_EQ(l[3], mbox("John", "jdoe", "one.test"));
    EXPECT_EQ(l[4].kind, K::GroupEnd);
    EXPECT_EQ(l[4].mailbox, "");
    EXPECT_EQ(l[5], mbox("", "x", "y"));

    auto u = parse_address_list("undisclosed-recipients:;");
    ASSERT_EQ(u.size(), 2u);
    EXPECT_EQ(u[0].mailbox, "undisclosed-recipients");
    EXPECT_EQ(u[1].kind, K::GroupEnd);
    // Missing ';' at the end still closes the group.
    auto m = parse_address_list("g: a@b");
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[2].kind, K::GroupEnd);
}

TEST(MimeAddress, Rfc5322_3_2_CommentsQuotedLocalPartsAndEncodedNames) {
    auto l = parse_address_list(
        "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>, "
        "jdoe@example.org (John Doe), \"very.(),:;<>[]\\\".VERY.\\\"very@\\\\ "
        "\\\"very\\\".unusual\"@strange.example.com, "
        "=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>");
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[0], mbox("Pete", "pete", "silly.test"));
    EXPECT_EQ(l[1], mbox("John Doe", "jdoe", "example.org"));
    EXPECT_EQ(l[2].mailbox, "very.(),:;<>[]\".VERY.\"very@\\ \"very\".unusual");
    EXPECT_EQ(l[2].host, "strange.example.com");
    // ENVELOPE sends names raw: the encoded word is kept.
    EXPECT_EQ(l[3].name, "=?ISO-8859-1?Q?Andr=E9?= Pirard");
}

TEST(MimeAddress, Rfc5322_4_4_ObsoleteRouteAndFolding) {
    auto l = parse_address_list("Joe Q. Public\r\n <@a.test,@b.test:john.q.public@example.com>");
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0], mbox("Joe Q. Public", "john.q.public", "example.com", "@a.test,@b.test"));
    auto d = parse_address_list("a @ [192.0.2.1], b.c . d@e . f");
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0], mbox("", "a", "[192.0.2.1]"));
    EXPECT_EQ(d[1], mbox("", "b.c.d", "e.f"));
}

TEST(MimeAddress, MalformedGetsDovecotPlaceholders) {
    auto l = parse_address_list("nodomain, Name <>, ,,, @only.host");
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[0], mbox("", "nodomain", "MISSING_DOMAIN"));
    EXPECT_EQ(l[1], mbox("Name", "MISSING_MAILBOX", "MISSING_DOMAIN"));  // Dovecot: empty, valid
    EXPECT_EQ(l[2], mbox("", "MISSING_MAILBOX", "only.host"));
    EXPECT_TRUE(parse_address_list("").empty());
    EXPECT_TRUE(parse_address_list("  (just a comment) ").empty());
    EXPECT_EQ(addr_spec(mbox("", "a", "b")), "a@b");
    auto r = parse_address_list("<@a.test x@y>, <local>, N <a@b junk>");
    ASSERT_EQ(r.size(), 3u);
    // Dovecot: a broken route is marked, the address after it is still read.
    EXPECT_EQ(r[0], mbox("", "x", "y", "INVALID_ROUTE"));
    EXPECT_EQ(r[1], mbox("", "local", "MISSING_DOMAIN"));
    EXPECT_EQ(r[2], mbox("N", "a", "SYNTAX_ERROR"));
}

TEST(MimeAddress, NulBytesInsideAGroupTerminate) {
    // Found by fuzz_mime: NUL made the recovery scan stall inside a group.
    std::string_view s("g: mult\0part <x@y>; z@w", 23);
    auto l = parse_address_list(s);
    ASSERT_FALSE(l.empty());
    EXPECT_EQ(l.front().kind, K::GroupStart);
    EXPECT_EQ(l.back(), mbox("", "z", "w"));
}

// The cases below were checked against Dovecot 2.3.19 (tests/integration/
// test_imap_dovecot_diff.py starts one).
TEST(MimeAddress, PhraseWithoutAddressIsADisplayName) {
    EXPECT_EQ(parse_address_list("Someone Else"),
              std::vector<Address>{mbox("Someone Else", "MISSING_MAILBOX", "MISSING_DOMAIN")});
    EXPECT_EQ(parse_address_list("Joe \"Q\" Public (comment)"),
              std::vector<Address>{mbox("Joe Q Public", "MISSING_MAILBOX", "MISSING_DOMAIN")});
    EXPECT_EQ(parse_address_list("\"Quoted Name\""),
              std::vector<Address>{mbox("Quoted Name", "MISSING_MAILBOX", "MISSING_DOMAIN")});
    // One atom stays a mailbox without a domain; a comment is its name.
    EXPECT_EQ(parse_address_list("user (comment)"),
              std::vector<Address>{mbox("comment", "user", "MISSING_DOMAIN")});
    EXPECT_EQ(parse_address_list("Someone.Else"),
              std::vector<Address>{mbox("", "Someone.Else", "MISSING_DOMAIN")});
    auto l = parse_address_list("x@y.example, Undisclosed Recipients, z@y.example");
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[1], mbox("Undisclosed Recipients", "MISSING_MAILBOX", "MISSING_DOMAIN"));
    EXPECT_EQ(l[2], mbox("", "z", "y.example"));
    auto g = parse_address_list("G: a@b.example, Someone Else;");
    ASSERT_EQ(g.size(), 4u);
    EXPECT_EQ(g[2], mbox("Someone Else", "MISSING_MAILBOX", "MISSING_DOMAIN"));
    EXPECT_EQ(g[3].kind, K::GroupEnd);
}

TEST(MimeAddress, EmptyAngleAddressIsMissingNotSyntaxError) {
    EXPECT_EQ(parse_address_list("MAILER DAEMON <>"),
              std::vector<Address>{mbox("MAILER DAEMON", "MISSING_MAILBOX", "MISSING_DOMAIN")});
    auto l = parse_address_list("<>, x@y.example");
    ASSERT_EQ(l.size(), 2u);
    EXPECT_EQ(l[0], mbox("", "MISSING_MAILBOX", "MISSING_DOMAIN"));
    EXPECT_EQ(l[1], mbox("", "x", "y.example"));
    EXPECT_EQ(parse_address_list("Name <@route:>"),
              std::vector<Address>{mbox("Name", "MISSING_MAILBOX", "MISSING_DOMAIN", "@route")});
    // Really broken angle addresses keep SYNTAX_ERROR.
    EXPECT_EQ(parse_address_list("<a@>"), std::vector<Address>{mbox("", "a", "SYNTAX_ERROR")});
    EXPECT_EQ(parse_address_list("Name <a@b.example"),
              std::vector<Address>{mbox("Name", "a", "SYNTAX_ERROR")});
}

TEST(MimeAddress, UnterminatedQuoteEndsTheList) {
    EXPECT_EQ(parse_address_list("\"unterminated <a@b.example>, ok@c.example"),
              std::vector<Address>{mbox("", "MISSING_MAILBOX", "MISSING_DOMAIN")});
    auto l = parse_address_list("ok@c.example, \"unterminated <a@b.example>");
    ASSERT_EQ(l.size(), 2u);
    EXPECT_EQ(l[0], mbox("", "ok", "c.example"));
    EXPECT_EQ(l[1], mbox("", "MISSING_MAILBOX", "MISSING_DOMAIN"));
    // The words before it still count.
    EXPECT_EQ(parse_address_list("Name \"unterminated"),
              std::vector<Address>{mbox("", "Name", "MISSING_DOMAIN")});
    EXPECT_EQ(parse_address_list("Foo <\"unterminated>"),
              std::vector<Address>{mbox("Foo", "MISSING_MAILBOX", "SYNTAX_ERROR")});
    auto g = parse_address_list("G: \"unterminated, x@y.example;");
    ASSERT_EQ(g.size(), 3u);
    EXPECT_EQ(g[0].kind, K::GroupStart);
    EXPECT_EQ(g[1], mbox("", "MISSING_MAILBOX", "MISSING_DOMAIN"));
    EXPECT_EQ(g[2].kind, K::GroupEnd);
}
