// reply.hpp - typed SMTP/LMTP replies: code, enhanced status code, text lines -> wire text.
// RFC 5321 §4.2 (reply syntax, multi-line form), RFC 2034 + RFC 3463 (enhanced status codes),
// RFC 5321 §4.5.3.1.5 (512-octet reply lines). Every reply the SMTP server sends is built here;
// no other code pastes reply strings.
// Security: reply text may echo peer data (addresses, HELO names). wire() strips CR, LF and
// other control octets and truncates long lines so a peer can never inject extra reply lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sasl.hpp"

namespace hermod::smtp::proto {

/// One SMTP reply. `enhanced` is "class.subject.detail" (RFC 3463) or empty for the replies that
/// carry none (the greeting, EHLO/HELO answers, 334 and 354, RFC 2034 §3).
struct Reply {
    int code = 250;
    std::string enhanced;
    std::vector<std::string> lines;  ///< at least one; an empty list is sent as one empty line

    /// Wire form: "250-2.0.0 a\r\n250 2.0.0 b\r\n". The enhanced code repeats on every line
    /// (RFC 2034 §3). Each line is capped at 512 octets including CRLF (RFC 5321 §4.5.3.1.5).
    std::string wire() const;

    bool positive() const { return code >= 200 && code < 400; }
    bool transient() const { return code >= 400 && code < 500; }
    bool permanent() const { return code >= 500; }
};

/// A reply with a single text line.
Reply make_reply(int code, std::string_view enhanced, std::string_view text);

// --- Connection --------------------------------------------------------------------------
Reply greeting(std::string_view hostname, bool lmtp = false);          ///< 220 <host> ESMTP/LMTP
Reply closing_quit(std::string_view hostname);                         ///< 221 2.0.0
Reply closing(std::string_view reason = "Service shutting down");      ///< 421 4.4.2
Reply timeout();                                                       ///< 421 4.4.2 timeout
Reply too_many_errors();                                               ///< 421 4.7.0
Reply helo_ok(std::string_view hostname, std::string_view peer_name);  ///< 250 <host>
// EHLO/LHLO: see ehlo.hpp.

// --- Generic -----------------------------------------------------------------------------
Reply ok(std::string_view text = "Ok");                                      ///< 250 2.0.0
Reply syntax(std::string_view text = "Syntax error, command unrecognized");  ///< 500 5.5.2
Reply line_too_long();  ///< 500 5.5.2 (RFC 5321 §4.5.3.1.4)
Reply param_syntax(std::string_view text = "Syntax error in parameters");          ///< 501 5.5.4
Reply not_implemented(std::string_view text = "Command not implemented");          ///< 502 5.5.1
Reply bad_sequence(std::string_view text = "Bad sequence of commands");            ///< 503 5.5.1
Reply param_not_implemented(std::string_view text = "Parameter not implemented");  ///< 504 5.5.4
Reply param_unknown(std::string_view text = "Unrecognized parameter");             ///< 555 5.5.4
Reply help();                                                                      ///< 214 2.0.0
Reply vrfy_cannot();  ///< 252 2.0.0 (RFC 5321 §3.5.3)
Reply temp_failure(std::string_view text = "Local error in processing");  ///< 451 4.3.0
Reply insufficient_storage();                                             ///< 452 4.3.1

// --- Envelope ----------------------------------------------------------------------------
Reply sender_ok();                                                                   ///< 250 2.1.0
Reply recipient_ok();                                                                ///< 250 2.1.5
Reply bad_sender_syntax(std::string_view text = "Bad sender address syntax");        ///< 501 5.1.7
Reply bad_recipient_syntax(std::string_view text = "Bad recipient address syntax");  ///< 501 5.1.3
Reply path_too_long();                          ///< 501 5.1.3 (RFC 5321 §4.5.3.1.3)
Reply no_such_user();                           ///< 550 5.1.1
Reply relay_denied();                           ///< 554 5.7.1
Reply too_many_recipients();                    ///< 452 4.5.3 (RFC 5321 §4.5.3.1.10)
Reply need_recipients();                        ///< 503 5.5.1 (DATA before RCPT)
Reply utf8_not_permitted();                     ///< 553 5.6.7 (RFC 6531 §3.6.3)
Reply message_size_exceeds(std::uint64_t max);  ///< 552 5.3.4 (RFC 1870 §6.1)

// --- Message data ------------------------------------------------------------------------
Reply start_data();                                 ///< 354 (no enhanced code)
Reply message_accepted(std::string_view queue_id);  ///< 250 2.0.0 Ok: queued as <id>
Reply too_big();                                    ///< 552 5.3.4
Reply bare_newline();                               ///< 550 5.6.0 bare CR/LF (smuggling)
Reply data_line_too_long();                         ///< 550 5.6.0
Reply too_many_hops();                              ///< 554 5.4.6 (RFC 5321 §6.3)
Reply bdat_ok(std::uint64_t octets);                ///< 250 2.0.0 <n> octets received
Reply no_valid_recipients();                        ///< 554 5.5.1

// --- STARTTLS (RFC 3207) and AUTH (RFC 4954) ---------------------------------------------
Reply tls_ready();                              ///< 220 2.0.0
Reply tls_not_available();                      ///< 454 4.7.0
Reply tls_required();                           ///< 530 5.7.0
Reply auth_challenge(std::string_view base64);  ///< 334 <base64> (no enhanced code)
Reply auth_ok();                                ///< 235 2.7.0
Reply auth_failed();                            ///< 535 5.7.8
Reply auth_cancelled();                         ///< 501 5.7.0
Reply auth_malformed();                         ///< 501 5.5.2 cannot decode response
Reply auth_mechanism_unknown();                 ///< 504 5.5.4
Reply auth_required();                          ///< 530 5.7.0
Reply auth_line_too_long();                     ///< 500 5.5.6
/// The reply to a SASL step that is not Done: 334 challenge, or the error above.
Reply sasl_reply(auth::SaslStatus status, std::string_view challenge);
Reply auth_encryption_required();  ///< 538 5.7.11
Reply auth_temp_failure();         ///< 454 4.7.0

// Session policy and LMTP.
Reply shutting_down(std::string_view host);  ///< 421 4.3.2
Reply mailbox_full();                        ///< 452 4.2.2 (RFC 3463 §3.3)
Reply quota_exceeded();                      ///< 552 5.2.2 at end of data
Reply sender_not_owned();                    ///< 553 5.7.1 (RFC 6409 §6.1)
Reply bad_address_form();                    ///< 550 5.1.3 relay tricks
Reply use_lhlo();                            ///< 500 5.5.1 HELO/EHLO on LMTP
Reply bare_lf_command();                     ///< 500 5.5.2 (RFC 5321 §2.3.8)
Reply recipient_delivered();                 ///< 250 2.1.5 LMTP per-recipient (RFC 2033 §4.2)
Reply expn_not_allowed();                    ///< 502 5.5.1
Reply not_a_list();                          ///< 550 5.1.1
Reply list_members(const std::vector<std::string>& members);  ///< 250 2.1.5 EXPN

}  // namespace hermod::smtp::proto
