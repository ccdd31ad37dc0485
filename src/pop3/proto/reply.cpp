// reply.cpp - the POP3 reply catalogue (RFC 1939 §3, RFC 2449 §8, RFC 3206).
#include "pop3/proto/reply.hpp"

#include <fmt/format.h>

namespace hermod::pop3::proto {

namespace {

std::string_view code_text(Code code) {
    switch (code) {
        case Code::InUse:
            return "IN-USE";
        case Code::LoginDelay:
            return "LOGIN-DELAY";
        case Code::Auth:
            return "AUTH";
        case Code::SysTemp:
            return "SYS/TEMP";
        case Code::SysPerm:
            return "SYS/PERM";
        case Code::None:
            break;
    }
    return {};
}

}  // namespace

std::string ok(std::string_view text) {
    return fmt::format("+OK {}\r\n", text);
}

std::string err(std::string_view text, Code code) {
    if (code == Code::None) return fmt::format("-ERR {}\r\n", text);
    return fmt::format("-ERR [{}] {}\r\n", code_text(code), text);
}

std::string greeting(std::string_view hostname, std::string_view apop_banner) {
    // RFC 1939 §7: the APOP timestamp ends the greeting when APOP is offered.
    if (apop_banner.empty()) return ok(fmt::format("{} Hermod POP3 server ready", hostname));
    return ok(fmt::format("{} Hermod POP3 server ready {}", hostname, apop_banner));
}

std::string goodbye(std::string_view hostname) {
    return ok(fmt::format("{} signing off", hostname));
}

std::string unknown_command() {
    return err("unknown command");
}

std::string bad_state() {
    return err("command not valid in this state");
}

std::string no_such_message() {
    return err("no such message");
}

std::string message_deleted() {
    return err("message already deleted");
}

std::string line_too_long() {
    return err("line too long");
}

std::string tls_required() {
    return err("plaintext login not allowed without TLS; use STLS first", Code::Auth);
}

std::string auth_failed() {
    return err("authentication failed", Code::Auth);
}

std::string locked_out() {
    return err("too many failed logins, try again later", Code::Auth);
}

std::string in_use() {
    return err("maildrop is in use by another POP3 session", Code::InUse);
}

std::string login_delay(unsigned seconds) {
    return err(fmt::format("logins are allowed every {} seconds", seconds), Code::LoginDelay);
}

std::string temporary_failure() {
    return err("temporary server failure, try again later", Code::SysTemp);
}

std::string shutting_down() {
    return err("server shutting down", Code::SysTemp);
}

std::string too_many_errors() {
    return err("too many errors, closing");
}

}  // namespace hermod::pop3::proto
