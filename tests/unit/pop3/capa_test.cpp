// CAPA response (RFC 2449 §5-6, RFC 2595 §4, RFC 5034 §5, RFC 3206 §6).
#include "pop3/proto/capa.hpp"

#include <gtest/gtest.h>

using namespace hermod::pop3::proto;

TEST(pop3_capa_Rfc2449_5, FullListBeforeLoginInFixedOrder) {
    CapaOptions o;
    o.authorization_state = true;
    o.tls_available = true;
    o.plaintext_allowed = true;
    o.login_delay_seconds = 60;
    EXPECT_EQ(capa_response(o),
              "+OK Capability list follows\r\n"
              "TOP\r\n"
              "UIDL\r\n"
              "USER\r\n"
              "RESP-CODES\r\n"
              "AUTH-RESP-CODE\r\n"
              "PIPELINING\r\n"
              "SASL PLAIN LOGIN\r\n"
              "STLS\r\n"
              "EXPIRE NEVER\r\n"
              "LOGIN-DELAY 60\r\n"
              "IMPLEMENTATION Hermod\r\n"
              ".\r\n");
}

TEST(pop3_capa_Rfc2449_6, PlaintextNotAllowedHidesUserAndSasl) {
    CapaOptions o;
    o.tls_available = true;
    EXPECT_EQ(capa_response(o),
              "+OK Capability list follows\r\n"
              "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
              "STLS\r\nEXPIRE NEVER\r\nIMPLEMENTATION Hermod\r\n.\r\n");
}

TEST(pop3_capa_Rfc2595_4, NoStlsOnceTlsIsActive) {
    CapaOptions o;
    o.tls_available = true;
    o.tls_active = true;
    o.plaintext_allowed = true;
    auto r = capa_response(o);
    EXPECT_EQ(r.find("STLS"), std::string::npos);
    EXPECT_NE(r.find("\r\nUSER\r\n"), std::string::npos);
    EXPECT_NE(r.find("\r\nSASL PLAIN LOGIN\r\n"), std::string::npos);
}

TEST(pop3_capa_Rfc2449_6, TransactionStateOmitsLoginCapabilities) {
    CapaOptions o;
    o.authorization_state = false;
    o.tls_available = true;
    o.plaintext_allowed = true;
    o.expire_retrieved = true;
    EXPECT_EQ(capa_response(o),
              "+OK Capability list follows\r\n"
              "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
              "EXPIRE 0\r\nIMPLEMENTATION Hermod\r\n.\r\n");
}
