// EHLO/LHLO capability list (RFC 5321 §4.1.1.1, RFC 3207, RFC 4954, RFC 1870, RFC 3030).
#include "smtp/proto/ehlo.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace hermod::smtp::proto;

TEST(Rfc5321_4_1_1_1, EhloCapabilities) {
    EhloOptions o;
    o.hostname = "mx.example";
    o.peer_name = "client.example";
    o.max_size = 10485760;
    o.tls_available = true;
    std::string w = ehlo_reply(o).wire();
    EXPECT_EQ(w,
              "250-mx.example Hello client.example\r\n"
              "250-PIPELINING\r\n"
              "250-SIZE 10485760\r\n"
              "250-8BITMIME\r\n"
              "250-SMTPUTF8\r\n"
              "250-ENHANCEDSTATUSCODES\r\n"
              "250-CHUNKING\r\n"
              "250-DSN\r\n"
              "250-STARTTLS\r\n"
              "250 HELP\r\n");
}

TEST(Rfc3207_4, NoStarttlsUnderTlsAndAuthOnlyWhenAllowed) {
    EhloOptions o;
    o.hostname = "mx.example";
    o.tls_available = true;
    o.tls_active = true;
    o.auth_allowed = true;
    std::string w = ehlo_reply(o).wire();
    EXPECT_EQ(w.find("STARTTLS"), std::string::npos);
    EXPECT_NE(w.find("250-AUTH PLAIN LOGIN\r\n"), std::string::npos);
    o.tls_active = false;
    o.auth_allowed = false;
    w = ehlo_reply(o).wire();
    EXPECT_NE(w.find("STARTTLS"), std::string::npos);
    EXPECT_EQ(w.find("AUTH"), std::string::npos);
}

TEST(Rfc1870_4, SizeWithoutLimitAndOptionalExtensions) {
    EhloOptions o;
    o.hostname = "mx.example";
    o.binarymime = true;
    o.dsn = false;
    o.help = false;
    std::string w = ehlo_reply(o).wire();
    EXPECT_NE(w.find("250-SIZE\r\n"), std::string::npos);
    // BINARYMIME follows CHUNKING and, with DSN and HELP off, is the final line.
    EXPECT_NE(w.find("250-CHUNKING\r\n250 BINARYMIME\r\n"), std::string::npos);
    EXPECT_EQ(w.find("DSN"), std::string::npos);
    EXPECT_EQ(w.find("250 "), w.rfind("250 "));  // exactly one final line
}
