// SASL PLAIN (RFC 4616) and LOGIN exchanges over AUTH (RFC 4954 §4), strict base64 (RFC 4648).
#include "auth/sasl.hpp"
#include "smtp/proto/reply.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/base64.hpp"

using namespace hermod::auth;
using hermod::base64_decode;
using hermod::base64_encode;
using hermod::smtp::proto::sasl_reply;

TEST(Rfc4616_2, PlainMessageGrammar) {
    auto c = parse_plain_message(std::string("admin\0user\0secret", 17));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->authzid, "admin");
    EXPECT_EQ(c->authcid, "user");
    EXPECT_EQ(c->password, "secret");
    auto n = parse_plain_message(std::string("\0user\0pw", 8));
    ASSERT_TRUE(n);
    EXPECT_EQ(n->authzid, "");
    for (std::string bad :
         {std::string("user"), std::string("\0user", 5), std::string("\0\0pw", 4),
          std::string("\0user\0", 6), std::string("\0user\0p\0w", 9),
          std::string("\0us\xff\0pw", 7), std::string("\0user\0", 6) + std::string(1025, 'p')}) {
        EXPECT_FALSE(parse_plain_message(bad));
    }
}

TEST(Rfc4954_4, PlainWithInitialResponse) {
    SaslExchange ex(SaslMechanism::Plain);
    auto s = ex.start(base64_encode(std::string("\0user\0pass", 10)));
    EXPECT_EQ(s.status, SaslStatus::Done);
    EXPECT_TRUE(s.challenge.empty());
    EXPECT_EQ(ex.credentials().authcid, "user");
    EXPECT_EQ(ex.credentials().password, "pass");
}

TEST(Rfc4954_4, PlainWithoutInitialResponseGetsEmptyChallenge) {
    SaslExchange ex(SaslMechanism::Plain);
    auto s = ex.start(std::nullopt);
    EXPECT_EQ(s.status, SaslStatus::Challenge);
    EXPECT_EQ(sasl_reply(s.status, s.challenge).wire(), "334 \r\n");
    auto d = ex.step(base64_encode(std::string("\0user\0pass", 10)));
    EXPECT_EQ(d.status, SaslStatus::Done);
    EXPECT_EQ(ex.credentials().authcid, "user");
}

TEST(Rfc4954_4, EmptyInitialResponseIsMalformedForPlain) {
    SaslExchange ex(SaslMechanism::Plain);
    auto s = ex.start(std::string("="));
    EXPECT_EQ(s.status, SaslStatus::Malformed);
    EXPECT_EQ(sasl_reply(s.status, s.challenge).wire().substr(0, 9), "501 5.5.2");
}

TEST(Rfc4954_4, CancelWithStar) {
    SaslExchange ex(SaslMechanism::Plain);
    ex.start(std::nullopt);
    auto s = ex.step("*");
    EXPECT_EQ(s.status, SaslStatus::Cancelled);
    EXPECT_EQ(sasl_reply(s.status, s.challenge).wire().substr(0, 9), "501 5.7.0");
    SaslExchange login(SaslMechanism::Login);
    login.start(std::nullopt);
    login.step(base64_encode("user"));
    EXPECT_EQ(login.step("*").status, SaslStatus::Cancelled);
    SaslExchange ir(SaslMechanism::Plain);
    EXPECT_EQ(ir.start(std::string("*")).status, SaslStatus::Cancelled);
}

TEST(Rfc4954_4, BadBase64IsMalformed) {
    SaslExchange ex(SaslMechanism::Plain);
    ex.start(std::nullopt);
    EXPECT_EQ(ex.step("not base64!").status, SaslStatus::Malformed);
    // The exchange is over: further lines are refused.
    EXPECT_EQ(ex.step(base64_encode(std::string("\0u\0p", 4))).status, SaslStatus::Malformed);
}

TEST(Rfc4954_4, LineTooLong) {
    SaslExchange ex(SaslMechanism::Plain);
    ex.start(std::nullopt);
    auto s = ex.step(std::string(kMaxSaslLine + 4, 'A'));
    EXPECT_EQ(s.status, SaslStatus::TooLong);
    EXPECT_EQ(sasl_reply(s.status, s.challenge).wire().substr(0, 9), "500 5.5.6");
}

TEST(SmtpSaslLogin, PromptsForUserThenPassword) {
    SaslExchange ex(SaslMechanism::Login);
    auto s = ex.start(std::nullopt);
    EXPECT_EQ(s.status, SaslStatus::Challenge);
    EXPECT_EQ(sasl_reply(s.status, s.challenge).wire(), "334 VXNlcm5hbWU6\r\n");  // "Username:"
    EXPECT_EQ(*base64_decode(s.challenge), "Username:");
    s = ex.step(base64_encode("user@example.org"));
    EXPECT_EQ(s.status, SaslStatus::Challenge);
    EXPECT_EQ(sasl_reply(s.status, s.challenge).wire(), "334 UGFzc3dvcmQ6\r\n");  // "Password:"
    s = ex.step(base64_encode("hunter2"));
    EXPECT_EQ(s.status, SaslStatus::Done);
    EXPECT_EQ(ex.credentials().authcid, "user@example.org");
    EXPECT_EQ(ex.credentials().password, "hunter2");
    EXPECT_EQ(ex.credentials().authzid, "");
}

TEST(SmtpSaslLogin, UserNameAsInitialResponse) {
    SaslExchange ex(SaslMechanism::Login);
    auto s = ex.start(base64_encode("user"));
    EXPECT_EQ(s.status, SaslStatus::Challenge);
    EXPECT_EQ(s.challenge, "UGFzc3dvcmQ6");
    EXPECT_EQ(ex.step(base64_encode("pw")).status, SaslStatus::Done);
}

TEST(SmtpSaslLogin, EmptyOrNulFieldsRefused) {
    SaslExchange a(SaslMechanism::Login);
    a.start(std::nullopt);
    EXPECT_EQ(a.step("").status, SaslStatus::Malformed);
    SaslExchange b(SaslMechanism::Login);
    b.start(std::nullopt);
    EXPECT_EQ(b.step(base64_encode(std::string("us\0er", 5))).status, SaslStatus::Malformed);
}

TEST(Rfc4954_4, MechanismNames) {
    EXPECT_EQ(sasl_mechanism("plain"), SaslMechanism::Plain);
    EXPECT_EQ(sasl_mechanism("LOGIN"), SaslMechanism::Login);
    EXPECT_FALSE(sasl_mechanism("CRAM-MD5"));
    EXPECT_FALSE(sasl_mechanism(""));
}
