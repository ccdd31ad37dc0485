// Reply wire format (RFC 5321 §4.2, RFC 2034 §3, RFC 3463).
#include "smtp/proto/reply.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace hermod::smtp::proto;

TEST(Rfc5321_4_2, SingleLine) {
    EXPECT_EQ(ok().wire(), "250 2.0.0 Ok\r\n");
    EXPECT_EQ(make_reply(354, "", "Go ahead").wire(), "354 Go ahead\r\n");
}

TEST(Rfc2034_3, MultiLineRepeatsEnhancedCode) {
    Reply r{550, "5.7.1", {"first", "second", "third"}};
    EXPECT_EQ(r.wire(), "550-5.7.1 first\r\n550-5.7.1 second\r\n550 5.7.1 third\r\n");
    Reply empty{250, "", {}};
    EXPECT_EQ(empty.wire(), "250 \r\n");
}

TEST(SmtpSecurity, ReplyTextCannotInjectLines) {
    auto r = bad_recipient_syntax("evil\r\n250 2.0.0 fake");
    EXPECT_EQ(r.wire(), "501 5.1.3 evil??250 2.0.0 fake\r\n");
    EXPECT_EQ(helo_ok("mx.example", "a\nb").wire(), "250 mx.example Hello a?b\r\n");
}

TEST(Rfc5321_4_5_3_1_5, ReplyLinesCappedAt512) {
    Reply r{250, "2.0.0", {std::string(2000, 'x'), "short"}};
    std::string w = r.wire();
    auto first = w.substr(0, w.find("\r\n") + 2);
    EXPECT_EQ(first.size(), 512u);
    EXPECT_EQ(w.substr(first.size()), "250 2.0.0 short\r\n");
}

TEST(Rfc3463, NamedRepliesCarryTheirCodes) {
    struct Case {
        Reply reply;
        const char* prefix;
    };
    const Case cases[] = {
        {bad_sequence(), "503 5.5.1 "},
        {syntax(), "500 5.5.2 "},
        {param_syntax(), "501 5.5.4 "},
        {param_unknown(), "555 5.5.4 "},
        {too_big(), "552 5.3.4 "},
        {too_many_recipients(), "452 4.5.3 "},
        {closing(), "421 4.4.2 "},
        {timeout(), "421 4.4.2 "},
        {sender_ok(), "250 2.1.0 "},
        {recipient_ok(), "250 2.1.5 "},
        {bad_sender_syntax(), "501 5.1.7 "},
        {bad_recipient_syntax(), "501 5.1.3 "},
        {path_too_long(), "501 5.1.3 "},
        {utf8_not_permitted(), "553 5.6.7 "},
        {bare_newline(), "550 5.6.0 "},
        {too_many_hops(), "554 5.4.6 "},
        {tls_ready(), "220 2.0.0 "},
        {tls_required(), "530 5.7.0 "},
        {auth_ok(), "235 2.7.0 "},
        {auth_failed(), "535 5.7.8 "},
        {auth_cancelled(), "501 5.7.0 "},
        {auth_malformed(), "501 5.5.2 "},
        {auth_mechanism_unknown(), "504 5.5.4 "},
        {auth_line_too_long(), "500 5.5.6 "},
        {auth_encryption_required(), "538 5.7.11 "},
        {relay_denied(), "554 5.7.1 "},
        {no_such_user(), "550 5.1.1 "},
        {not_implemented(), "502 5.5.1 "},
        {vrfy_cannot(), "252 2.0.0 "},
        {help(), "214 2.0.0 "},
        {closing_quit("mx"), "221 2.0.0 "},
        {line_too_long(), "500 5.5.2 "},
        {message_size_exceeds(1000), "552 5.3.4 "},
        {start_data(), "354 End"},
        {greeting("mx.example"), "220 mx.example ESMTP"},
        {greeting("mx.example", true), "220 mx.example LMTP"},
        {auth_challenge("VXNlcm5hbWU6"), "334 VXNlcm5hbWU6\r\n"},
        {message_accepted("Q1"), "250 2.0.0 Ok: queued as Q1\r\n"},
        {bdat_ok(42), "250 2.0.0 42 octets received\r\n"},
    };
    for (const auto& c : cases) {
        std::string w = c.reply.wire();
        EXPECT_EQ(w.substr(0, std::string(c.prefix).size()), c.prefix) << w;
        EXPECT_EQ(w.substr(w.size() - 2), "\r\n");
    }
    EXPECT_TRUE(ok().positive());
    EXPECT_TRUE(too_many_recipients().transient());
    EXPECT_TRUE(too_big().permanent());
}
