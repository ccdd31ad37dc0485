// reply.cpp - SMTP reply builders and the wire encoder (RFC 5321 §4.2, RFC 2034, RFC 3463).
// Security: peer-controlled text is scrubbed of control octets before it reaches the wire.
#include "smtp/proto/reply.hpp"

#include <string>

namespace hermod::smtp::proto {

namespace {

// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including the code and CRLF.
constexpr std::size_t kMaxReplyLine = 512;

// Appends `text` with control octets replaced by '?', so echoed peer data (a HELO name, an
// address) can neither end the line early nor smuggle in a second reply line.
void append_scrubbed(std::string& out, std::string_view text, std::size_t budget) {
    for (char ch : text.substr(0, budget)) {
        auto c = static_cast<unsigned char>(ch);
        out.push_back(c < 0x20 || c == 0x7f ? '?' : ch);
    }
}

std::string code_text(int code) {
    if (code < 200 || code > 599) code = 451;  // a broken invariant must not break the wire
    return std::to_string(code);
}

}  // namespace

std::string Reply::wire() const {
    std::string out;
    const std::string code_str = code_text(code);
    const std::size_t n = lines.empty() ? 1 : lines.size();
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t start = out.size();
        out += code_str;
        out.push_back(i + 1 < n ? '-' : ' ');
        if (!enhanced.empty()) {
            append_scrubbed(out, enhanced, 16);
            out.push_back(' ');
        }
        const std::size_t used = out.size() - start;
        const std::size_t budget = kMaxReplyLine - 2 > used ? kMaxReplyLine - 2 - used : 0;
        if (!lines.empty()) append_scrubbed(out, lines[i], budget);
        out += "\r\n";
    }
    return out;
}

Reply make_reply(int code, std::string_view enhanced, std::string_view text) {
    return Reply{code, std::string(enhanced), {std::string(text)}};
}

Reply greeting(std::string_view hostname, bool lmtp) {
    return make_reply(220, "", std::string(hostname) + (lmtp ? " LMTP" : " ESMTP") + " Hermod");
}
Reply closing_quit(std::string_view hostname) {
    return make_reply(221, "2.0.0", std::string(hostname) + " closing connection");
}
Reply closing(std::string_view reason) {
    return make_reply(421, "4.4.2", reason);
}
Reply timeout() {
    return make_reply(421, "4.4.2", "Timeout exceeded, closing connection");
}
Reply too_many_errors() {
    return make_reply(421, "4.7.0", "Too many errors, closing connection");
}
Reply helo_ok(std::string_view hostname, std::string_view peer_name) {
    std::string text(hostname);
    if (!peer_name.empty()) {
        text += " Hello ";
        text += peer_name;
    }
    return make_reply(250, "", text);
}

Reply ok(std::string_view text) {
    return make_reply(250, "2.0.0", text);
}
Reply syntax(std::string_view text) {
    return make_reply(500, "5.5.2", text);
}
Reply line_too_long() {
    return make_reply(500, "5.5.2", "Line too long");
}
Reply param_syntax(std::string_view text) {
    return make_reply(501, "5.5.4", text);
}
Reply not_implemented(std::string_view text) {
    return make_reply(502, "5.5.1", text);
}
Reply bad_sequence(std::string_view text) {
    return make_reply(503, "5.5.1", text);
}
Reply param_not_implemented(std::string_view text) {
    return make_reply(504, "5.5.4", text);
}
Reply param_unknown(std::string_view text) {
    return make_reply(555, "5.5.4", text);
}
Reply help() {
    return make_reply(214, "2.0.0",
                      "See RFC 5321; commands: HELO EHLO MAIL RCPT DATA BDAT RSET "
                      "NOOP QUIT HELP VRFY STARTTLS AUTH");
}
Reply vrfy_cannot() {
    return make_reply(252, "2.0.0",
                      "Cannot VRFY user, but will accept message and attempt delivery");
}
Reply temp_failure(std::string_view text) {
    return make_reply(451, "4.3.0", text);
}
Reply insufficient_storage() {
    return make_reply(452, "4.3.1", "Insufficient system storage");
}

Reply sender_ok() {
    return make_reply(250, "2.1.0", "Sender ok");
}
Reply recipient_ok() {
    return make_reply(250, "2.1.5", "Recipient ok");
}
Reply bad_sender_syntax(std::string_view text) {
    return make_reply(501, "5.1.7", text);
}
Reply bad_recipient_syntax(std::string_view text) {
    return make_reply(501, "5.1.3", text);
}
Reply path_too_long() {
    return make_reply(501, "5.1.3", "Path too long");
}
Reply no_such_user() {
    return make_reply(550, "5.1.1", "Mailbox unavailable");
}
Reply relay_denied() {
    return make_reply(554, "5.7.1", "Relay access denied");
}
Reply too_many_recipients() {
    return make_reply(452, "4.5.3", "Too many recipients");
}
Reply need_recipients() {
    return make_reply(503, "5.5.1", "Need RCPT command");
}
Reply utf8_not_permitted() {
    return make_reply(553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter");
}
Reply message_size_exceeds(std::uint64_t max) {
    return make_reply(552, "5.3.4",
                      "Message size exceeds fixed maximum of " + std::to_string(max) + " octets");
}

Reply start_data() {
    return make_reply(354, "", "End data with <CR><LF>.<CR><LF>");
}
Reply message_accepted(std::string_view queue_id) {
    return make_reply(250, "2.0.0", "Ok: queued as " + std::string(queue_id));
}
Reply too_big() {
    return make_reply(552, "5.3.4", "Message size exceeds fixed maximum");
}
Reply bare_newline() {
    return make_reply(550, "5.6.0", "Message contains bare CR or LF, see RFC 5321 section 2.3.8");
}
Reply data_line_too_long() {
    return make_reply(550, "5.6.0", "Message contains a line longer than 1000 octets");
}
Reply too_many_hops() {
    return make_reply(554, "5.4.6", "Too many hops (mail loop?)");
}
Reply bdat_ok(std::uint64_t octets) {
    return make_reply(250, "2.0.0", std::to_string(octets) + " octets received");
}
Reply no_valid_recipients() {
    return make_reply(554, "5.5.1", "No valid recipients");
}

Reply tls_ready() {
    return make_reply(220, "2.0.0", "Ready to start TLS");
}
Reply tls_not_available() {
    return make_reply(454, "4.7.0", "TLS not available");
}
Reply tls_required() {
    return make_reply(530, "5.7.0", "Must issue a STARTTLS command first");
}
Reply auth_challenge(std::string_view base64) {
    return make_reply(334, "", base64);
}
Reply auth_ok() {
    return make_reply(235, "2.7.0", "Authentication successful");
}
Reply auth_failed() {
    return make_reply(535, "5.7.8", "Authentication credentials invalid");
}
Reply auth_cancelled() {
    return make_reply(501, "5.7.0", "Authentication cancelled");
}
Reply auth_malformed() {
    return make_reply(501, "5.5.2", "Cannot decode response");
}
Reply auth_mechanism_unknown() {
    return make_reply(504, "5.5.4", "Unrecognized authentication type");
}
Reply auth_required() {
    return make_reply(530, "5.7.0", "Authentication required");
}
Reply auth_line_too_long() {
    return make_reply(500, "5.5.6", "Authentication exchange line too long");
}
Reply sasl_reply(auth::SaslStatus status, std::string_view challenge) {
    switch (status) {
        case auth::SaslStatus::Challenge:
            return auth_challenge(challenge);
        case auth::SaslStatus::Cancelled:
            return auth_cancelled();
        case auth::SaslStatus::TooLong:
            return auth_line_too_long();
        case auth::SaslStatus::Done:
        case auth::SaslStatus::Malformed:
            break;
    }
    return auth_malformed();
}
Reply auth_encryption_required() {
    return make_reply(538, "5.7.11", "Encryption required for requested authentication mechanism");
}
Reply auth_temp_failure() {
    return make_reply(454, "4.7.0", "Temporary authentication failure");
}

// --- session policy and LMTP -----------------------------------------------------------

Reply shutting_down(std::string_view host) {
    return make_reply(421, "4.3.2", std::string(host) + " Service shutting down");
}
Reply mailbox_full() {
    return make_reply(452, "4.2.2", "Mailbox full, try again later");
}
Reply quota_exceeded() {
    return make_reply(552, "5.2.2", "Mailbox full");
}
Reply sender_not_owned() {
    return make_reply(553, "5.7.1", "Sender address not owned by the authenticated user");
}
Reply bad_address_form() {
    return make_reply(550, "5.1.3", "Address form not accepted (relay attempt?)");
}
Reply bare_lf_command() {
    return make_reply(500, "5.5.2", "bare LF in command line; use CRLF");
}
Reply use_lhlo() {
    return make_reply(500, "5.5.1", "LMTP: use LHLO");
}
Reply recipient_delivered() {
    return make_reply(250, "2.1.5", "Delivered");
}
Reply expn_not_allowed() {
    return make_reply(502, "5.5.1", "EXPN not available");
}
Reply not_a_list() {
    return make_reply(550, "5.1.1", "Not a mailing list");
}
Reply list_members(const std::vector<std::string>& members) {
    Reply r{250, "2.1.5", {}};
    for (const auto& m : members)
        r.lines.push_back("<" + m + ">");
    if (r.lines.empty()) r.lines.push_back("List is empty");
    return r;
}

}  // namespace hermod::smtp::proto
