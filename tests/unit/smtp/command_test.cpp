// Command-line parser: every verb, every parameter, every error with its reply code
// (RFC 5321 §4.1, RFC 1870, 6152, 3030, 6531, 4954, 3461).
#include "smtp/proto/command.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace hermod::smtp::proto;

namespace {

Command parsed(std::string_view line, ParseOptions o = {}) {
    auto r = parse_command(line, o);
    EXPECT_TRUE(r.ok()) << line << " -> " << (r.error ? r.error->reply().wire() : "");
    return r.command;
}

// Expects an error and returns its wire reply's first 9 octets ("501 5.5.4").
std::string err(std::string_view line, ParseOptions o = {}) {
    auto r = parse_command(line, o);
    EXPECT_FALSE(r.ok()) << line;
    if (r.ok()) return "ok";
    return r.error->reply().wire().substr(0, 9);
}

}  // namespace

TEST(Rfc5321_4_1_1, VerbsAreCaseInsensitive) {
    EXPECT_EQ(parsed("ehlo client.example").verb, Verb::Ehlo);
    EXPECT_EQ(parsed("EhLo client.example").verb, Verb::Ehlo);
    EXPECT_EQ(parsed("HELO client.example").verb, Verb::Helo);
    EXPECT_EQ(parsed("LHLO client.example").verb, Verb::Lhlo);
    EXPECT_EQ(parsed("data").verb, Verb::Data);
    EXPECT_EQ(parsed("RSET").verb, Verb::Rset);
    EXPECT_EQ(parsed("NOOP").verb, Verb::Noop);
    EXPECT_EQ(parsed("QUIT").verb, Verb::Quit);
    EXPECT_EQ(parsed("HELP").verb, Verb::Help);
    EXPECT_EQ(parsed("StartTLS").verb, Verb::Starttls);
    EXPECT_EQ(parsed("VRFY postmaster").verb, Verb::Vrfy);
    EXPECT_EQ(parsed("EXPN staff").verb, Verb::Expn);
    EXPECT_EQ(parsed("BDAT 10").verb, Verb::Bdat);
    EXPECT_EQ(parsed("AUTH PLAIN").verb, Verb::Auth);
    EXPECT_EQ(parsed("MAIL FROM:<>").verb, Verb::Mail);
    EXPECT_EQ(parsed("RCPT TO:<a@b.example>").verb, Verb::Rcpt);
}

TEST(Rfc5321_4_1_1, VerbNames) {
    EXPECT_EQ(verb_name(Verb::Starttls), "STARTTLS");
    EXPECT_EQ(verb_name(Verb::Lhlo), "LHLO");
    EXPECT_EQ(verb_name(Verb::Unknown), "UNKNOWN");
}

TEST(Rfc2920_3_1, PipelineGroupEnders) {
    for (Verb v : {Verb::Helo, Verb::Ehlo, Verb::Lhlo, Verb::Data, Verb::Noop, Verb::Quit,
                   Verb::Vrfy, Verb::Expn, Verb::Starttls, Verb::Auth})
        EXPECT_TRUE(ends_pipeline_group(v)) << verb_name(v);
    for (Verb v : {Verb::Mail, Verb::Rcpt, Verb::Rset, Verb::Bdat, Verb::Help, Verb::Unknown})
        EXPECT_FALSE(ends_pipeline_group(v)) << verb_name(v);
}

TEST(Rfc5321_4_2_4, UnknownCommand) {
    auto r = parse_command("XYZZY foo");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.command.verb, Verb::Unknown);
    EXPECT_EQ(r.error->kind, SyntaxErrorKind::UnknownCommand);
    EXPECT_EQ(err("XYZZY foo"), "500 5.5.2");
    EXPECT_EQ(err(""), "500 5.5.2");
    EXPECT_EQ(err(" HELO x"), "500 5.5.2");  // leading white space
    EXPECT_EQ(err("MAILFROM:<>"), "500 5.5.2");
    EXPECT_EQ(err("GET / HTTP/1.1"), "500 5.5.2");
}

TEST(Rfc5321_4_5_3_1_4, LineTooLong) {
    std::string line = "NOOP " + std::string(5000, 'x');
    auto r = parse_command(line);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SyntaxErrorKind::LineTooLong);
    EXPECT_EQ(r.command.verb, Verb::Noop);
    EXPECT_EQ(err(line), "500 5.5.2");
    ParseOptions o;
    o.max_line = 512;
    EXPECT_EQ(err(std::string("NOOP ") + std::string(508, 'x'), o), "500 5.5.2");
    parsed(std::string("NOOP ") + std::string(507, 'x'), o);
}

TEST(SmtpSecurity, ControlCharactersRefused) {
    EXPECT_EQ(err(std::string("NOOP a\0b", 8)), "500 5.5.2");
    EXPECT_EQ(err("RCPT TO:<a@b.example>\r"), "500 5.5.2");
    EXPECT_EQ(err("MAIL FROM:<a@b.example>\nRCPT TO:<c@d.example>"), "500 5.5.2");
    EXPECT_EQ(err("HELO a\x1b[31m"), "500 5.5.2");
    EXPECT_EQ(err("HELO a\x7f"), "500 5.5.2");
    EXPECT_EQ(err("HELO \xff\xfe"), "500 5.5.2");  // malformed UTF-8
    auto r = parse_command(std::string("RCPT TO:<a@b>\0", 14));
    EXPECT_EQ(r.command.verb, Verb::Rcpt);
    EXPECT_EQ(r.error->kind, SyntaxErrorKind::BadCharacter);
}

TEST(Rfc5321_4_1_1_1, HeloEhloLhlo) {
    EXPECT_EQ(parsed("EHLO client.example").domain, "client.example");
    EXPECT_EQ(parsed("EHLO [192.0.2.1]").domain, "[192.0.2.1]");
    EXPECT_EQ(parsed("HELO   client  ").domain, "client");  // lenient white space
    EXPECT_EQ(parsed("EHLO\tclient").domain, "client");
    EXPECT_EQ(err("EHLO"), "501 5.5.4");
    EXPECT_EQ(err("HELO "), "501 5.5.4");
    EXPECT_EQ(err("LHLO a b"), "501 5.5.4");
}

TEST(Rfc5321_4_1_1, ArgumentlessVerbs) {
    for (const char* v : {"DATA", "RSET", "QUIT", "STARTTLS"}) {
        parsed(std::string(v) + "  ");
        EXPECT_EQ(err(std::string(v) + " x"), "501 5.5.4") << v;
    }
    EXPECT_EQ(parsed("NOOP").argument, "");
    EXPECT_EQ(parsed("NOOP hello there").argument, "hello there");
    EXPECT_EQ(parsed("HELP MAIL").argument, "MAIL");
    EXPECT_EQ(parsed("VRFY  <user@x.example>").argument, "<user@x.example>");
    EXPECT_EQ(err("VRFY"), "501 5.5.4");
    EXPECT_EQ(err("EXPN "), "501 5.5.4");
}

TEST(Rfc5321_4_1_1_2, MailFrom) {
    auto c = parsed("MAIL FROM:<sender@example.org>");
    EXPECT_EQ(c.path.local, "sender");
    EXPECT_EQ(c.path.domain, "example.org");
    EXPECT_FALSE(c.path.null);
    EXPECT_TRUE(parsed("MAIL FROM:<>").path.null);
    EXPECT_TRUE(parsed("mail from:<>").path.null);
    // Leniency shared with common servers: space after the colon, trailing white space.
    EXPECT_EQ(parsed("MAIL FROM: <a@b.example>").path.local, "a");
    EXPECT_EQ(parsed("MAIL FROM:  <a@b.example>  ").path.local, "a");
    EXPECT_EQ(parsed("MAIL FROM:<@r.example:a@b.example>").path.route.size(), 1u);
}

TEST(Rfc5321_4_1_1_2, MailFromErrors) {
    EXPECT_EQ(err("MAIL"), "501 5.5.4");
    EXPECT_EQ(err("MAIL TO:<a@b.example>"), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM <a@b.example>"), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM:a@b.example"), "501 5.1.7");  // brackets are required
    EXPECT_EQ(err("MAIL FROM:"), "501 5.1.7");
    EXPECT_EQ(err("MAIL FROM:<a@b.example"), "501 5.1.7");
    EXPECT_EQ(err("MAIL FROM:<a b@b.example>"), "501 5.1.7");
    EXPECT_EQ(err("MAIL FROM:<a@b.example>SIZE=1"), "501 5.1.7");  // no SP before params
    EXPECT_EQ(err("MAIL FROM:<" + std::string(70, 'a') + "@b.example>"), "501 5.1.7");
    EXPECT_EQ(parse_command("MAIL FROM:<" + std::string(70, 'a') + "@b.example>").error->kind,
              SyntaxErrorKind::PathTooLong);
}

TEST(Rfc5321_4_1_1_3, RcptTo) {
    auto c = parsed("RCPT TO:<rcpt@example.org>");
    EXPECT_EQ(c.path.mailbox(), "rcpt@example.org");
    EXPECT_EQ(parsed("rcpt to: <a@b.example>").path.local, "a");
    EXPECT_TRUE(parsed("RCPT TO:<Postmaster>").path.has(kFlagBarePostmaster));
    EXPECT_EQ(err("RCPT TO:<>"), "501 5.1.3");
    EXPECT_EQ(err("RCPT TO:a@b.example"), "501 5.1.3");
    EXPECT_EQ(err("RCPT FROM:<a@b.example>"), "501 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b@c.example>"), "501 5.1.3");
    EXPECT_EQ(err("RCPT TO:<" + std::string(70, 'a') + "@b.example>"), "501 5.1.3");
}

TEST(Rfc1870_6, SizeParameter) {
    EXPECT_EQ(parsed("MAIL FROM:<a@b.example> SIZE=12345").mail.size, 12345u);
    EXPECT_EQ(parsed("MAIL FROM:<a@b.example> size=0").mail.size, 0u);
    EXPECT_FALSE(parsed("MAIL FROM:<a@b.example>").mail.size.has_value());
    // Saturates instead of wrapping: a huge declared size must still be "too big".
    EXPECT_EQ(parsed("MAIL FROM:<> SIZE=99999999999999999999").mail.size, UINT64_MAX);
    EXPECT_EQ(err("MAIL FROM:<> SIZE=123456789012345678901"), "501 5.5.4");  // > 20 digits
    EXPECT_EQ(err("MAIL FROM:<> SIZE=-1"), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> SIZE=1k"), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> SIZE"), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> SIZE="), "501 5.5.4");
}

TEST(Rfc6152_2, BodyParameter) {
    EXPECT_EQ(parsed("MAIL FROM:<> BODY=7BIT").mail.body, Body::SevenBit);
    EXPECT_EQ(parsed("MAIL FROM:<> BODY=8bitmime").mail.body, Body::EightBitMime);
    EXPECT_EQ(parsed("MAIL FROM:<> body=BINARYMIME").mail.body, Body::BinaryMime);
    EXPECT_EQ(parsed("MAIL FROM:<>").mail.body, Body::Unspecified);
    EXPECT_EQ(err("MAIL FROM:<> BODY=9BIT"), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> BODY"), "501 5.5.4");
}

TEST(Rfc6531_3_4, Smtputf8Parameter) {
    const std::string utf8_sender =
        "MAIL FROM:<j\xC3\xB6rg@b\xC3\xBC"
        "cher.example>";
    EXPECT_EQ(err(utf8_sender), "553 5.6.7");
    auto c = parsed(utf8_sender + " SMTPUTF8");
    EXPECT_TRUE(c.mail.smtputf8);
    EXPECT_TRUE(c.path.has(kFlagNonAscii));
    EXPECT_TRUE(parsed("MAIL FROM:<a@b.example> smtputf8").mail.smtputf8);
    EXPECT_EQ(err("MAIL FROM:<a@b.example> SMTPUTF8=yes"), "501 5.5.4");
    // RCPT: allowed only inside an SMTPUTF8 transaction.
    const std::string utf8_rcpt =
        "RCPT TO:<j\xC3\xB6rg@b\xC3\xBC"
        "cher.example>";
    EXPECT_EQ(err(utf8_rcpt), "553 5.6.7");
    ParseOptions o;
    o.smtputf8_transaction = true;
    EXPECT_TRUE(parsed(utf8_rcpt, o).path.has(kFlagNonAscii));
}

TEST(Rfc4954_5, AuthParameter) {
    EXPECT_EQ(*parsed("MAIL FROM:<a@b.example> AUTH=<>").mail.auth, "");
    EXPECT_EQ(*parsed("MAIL FROM:<a@b.example> AUTH=e+3Dmc2@example.com").mail.auth,
              "e=mc2@example.com");
    EXPECT_EQ(err("MAIL FROM:<a@b.example> AUTH=a+0D+0Ab"), "501 5.5.4");  // CR LF
    EXPECT_EQ(err("MAIL FROM:<a@b.example> AUTH=a+4"), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<a@b.example> AUTH"), "501 5.5.4");
}

TEST(Rfc3461_4_3, RetParameter) {
    EXPECT_EQ(parsed("MAIL FROM:<> RET=FULL").mail.ret, Ret::Full);
    EXPECT_EQ(parsed("MAIL FROM:<> ret=hdrs").mail.ret, Ret::Hdrs);
    EXPECT_EQ(err("MAIL FROM:<> RET=BODY"), "501 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b.example> RET=FULL"), "555 5.5.4");
}

TEST(Rfc3461_4_4, EnvidParameter) {
    EXPECT_EQ(*parsed("MAIL FROM:<> ENVID=QQ314159+2Bx").mail.envid, "QQ314159+x");
    EXPECT_EQ(err("MAIL FROM:<> ENVID=a+0D+0ASubject:+20x"), "501 5.5.4");  // header injection
    EXPECT_EQ(err("MAIL FROM:<> ENVID=" + std::string(101, 'e')), "501 5.5.4");
    parsed("MAIL FROM:<> ENVID=" + std::string(100, 'e'));
    EXPECT_EQ(err("MAIL FROM:<> ENVID=a+zz"), "501 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b.example> ENVID=x"), "555 5.5.4");
}

TEST(Rfc3461_4_1, NotifyParameter) {
    EXPECT_EQ(parsed("RCPT TO:<a@b.example> NOTIFY=NEVER").rcpt.notify, kNotifyNever);
    EXPECT_EQ(parsed("RCPT TO:<a@b.example> NOTIFY=success,Failure,DELAY").rcpt.notify,
              kNotifySuccess | kNotifyFailure | kNotifyDelay);
    EXPECT_EQ(parsed("RCPT TO:<a@b.example>").rcpt.notify, 0);
    EXPECT_EQ(err("RCPT TO:<a@b.example> NOTIFY=NEVER,SUCCESS"), "501 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b.example> NOTIFY=SUCCESS,"), "501 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b.example> NOTIFY=ALWAYS"), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> NOTIFY=NEVER"), "555 5.5.4");
}

TEST(Rfc3461_4_2, OrcptParameter) {
    auto c = parsed("RCPT TO:<a@b.example> ORCPT=rfc822;Bob+2Bfoo@Example.COM");
    ASSERT_TRUE(c.rcpt.orcpt);
    EXPECT_EQ(c.rcpt.orcpt->addr_type, "rfc822");
    EXPECT_EQ(c.rcpt.orcpt->address, "Bob+foo@Example.COM");
    EXPECT_EQ(err("RCPT TO:<a@b.example> ORCPT=rfc822"), "501 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b.example> ORCPT=;a@b"), "501 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b.example> ORCPT=rfc822;"), "501 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b.example> ORCPT=rfc822;a+0Ab"), "501 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b.example> ORCPT=rfc822;" + std::string(500, 'o')), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> ORCPT=rfc822;a@b"), "555 5.5.4");
}

TEST(Rfc5321_4_1_2, ParameterGrammarAndCombination) {
    auto c =
        parsed("MAIL FROM:<a@b.example> SIZE=10 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=x1 AUTH=<>");
    EXPECT_EQ(c.mail.size, 10u);
    EXPECT_EQ(c.mail.body, Body::EightBitMime);
    EXPECT_TRUE(c.mail.smtputf8);
    EXPECT_EQ(c.mail.ret, Ret::Hdrs);
    EXPECT_EQ(*c.mail.envid, "x1");
    parsed("MAIL FROM:<a@b.example>   SIZE=10    BODY=7BIT  ");
    EXPECT_EQ(err("MAIL FROM:<> =x"), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> -SIZE=1"), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> SI_ZE=1"), "501 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> SIZE=1=2"), "501 5.5.4");
}

TEST(Rfc5321_4_1_1_11, UnknownAndDuplicateParameters) {
    EXPECT_EQ(err("MAIL FROM:<> XFOO=bar"), "555 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> X-UNKNOWN"), "555 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b.example> SIZE=1"), "555 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> SIZE=1 SIZE=2"), "555 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> BODY=7BIT body=7BIT"), "555 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> SMTPUTF8 SMTPUTF8"), "555 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> RET=FULL RET=FULL"), "555 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> ENVID=a ENVID=b"), "555 5.5.4");
    EXPECT_EQ(err("MAIL FROM:<> AUTH=<> AUTH=<>"), "555 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b.example> NOTIFY=NEVER NOTIFY=NEVER"), "555 5.5.4");
    EXPECT_EQ(err("RCPT TO:<a@b.example> ORCPT=rfc822;a ORCPT=rfc822;a"), "555 5.5.4");
    auto r = parse_command("MAIL FROM:<> SIZE=1 SIZE=2");
    EXPECT_EQ(r.error->kind, SyntaxErrorKind::DuplicateParameter);
}

TEST(Rfc3030_2, Bdat) {
    auto c = parsed("BDAT 1000");
    EXPECT_EQ(c.chunk_size, 1000u);
    EXPECT_FALSE(c.last);
    auto l = parsed("bdat 0 last");
    EXPECT_EQ(l.chunk_size, 0u);
    EXPECT_TRUE(l.last);
    EXPECT_EQ(parsed("BDAT 18446744073709551615 LAST").chunk_size, UINT64_MAX);
    EXPECT_EQ(err("BDAT 18446744073709551616"), "501 5.5.4");
    EXPECT_EQ(err("BDAT"), "501 5.5.4");
    EXPECT_EQ(err("BDAT x"), "501 5.5.4");
    EXPECT_EQ(err("BDAT -1"), "501 5.5.4");
    EXPECT_EQ(err("BDAT 10 FIRST"), "501 5.5.4");
    EXPECT_EQ(err("BDAT 10 LAST x"), "501 5.5.4");
}

TEST(Rfc4954_4, Auth) {
    auto c = parsed("AUTH plain");
    EXPECT_EQ(c.mechanism, "PLAIN");
    EXPECT_FALSE(c.initial_response);
    auto i = parsed("AUTH PLAIN AHVzZXIAcGFzcw==");
    EXPECT_EQ(*i.initial_response, "AHVzZXIAcGFzcw==");
    EXPECT_EQ(*parsed("AUTH PLAIN =").initial_response, "=");
    EXPECT_EQ(parsed("AUTH SCRAM-SHA-256").mechanism, "SCRAM-SHA-256");
    EXPECT_EQ(err("AUTH"), "501 5.5.4");
    EXPECT_EQ(err("AUTH " + std::string(21, 'A')), "501 5.5.4");
    EXPECT_EQ(err("AUTH PL.AIN"), "501 5.5.4");
    EXPECT_EQ(err("AUTH PLAIN a b"), "501 5.5.4");
    EXPECT_EQ(err("AUTH PLAIN a*b"), "501 5.5.4");
}

TEST(Rfc3461_4, Xtext) {
    EXPECT_EQ(*xtext_decode(""), "");
    EXPECT_EQ(*xtext_decode("a+2Bb+3D"), "a+b=");
    EXPECT_EQ(*xtext_decode("a+2bb"), "a+b");  // lower-case hex tolerated
    EXPECT_FALSE(xtext_decode("a+"));
    EXPECT_FALSE(xtext_decode("a+2"));
    EXPECT_FALSE(xtext_decode("a+G0"));
    EXPECT_FALSE(xtext_decode("a=b"));
    EXPECT_FALSE(xtext_decode("a b"));
    EXPECT_FALSE(xtext_decode("\xC3\xA9"));
    EXPECT_EQ(xtext_encode("a+b=c d\r\n"), "a+2Bb+3Dc+20d+0D+0A");
    EXPECT_EQ(*xtext_decode(xtext_encode("any \x01 octets \xff")), "any \x01 octets \xff");
}
