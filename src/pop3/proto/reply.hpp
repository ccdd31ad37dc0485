// reply.hpp - POP3 status lines (RFC 1939 §3) with the extended response codes of RFC 2449
// §8 and RFC 3206: "+OK text" / "-ERR [CODE] text", CRLF-terminated. The one catalogue of
// replies the session sends; handlers never paste status strings.
#pragma once

#include <string>
#include <string_view>

namespace hermod::pop3::proto {

/// RFC 2449 §8.1 / RFC 3206 response codes.
enum class Code {
    None,
    InUse,       ///< [IN-USE] maildrop locked by another POP3 session (RFC 2449 §8.1.2)
    LoginDelay,  ///< [LOGIN-DELAY] logged in too recently (RFC 2449 §8.1.1)
    Auth,        ///< [AUTH] credentials wrong or not acceptable (RFC 3206 §4)
    SysTemp,     ///< [SYS/TEMP] temporary server failure (RFC 3206 §3)
    SysPerm,     ///< [SYS/PERM] permanent server failure (RFC 3206 §3)
};

std::string ok(std::string_view text);                           ///< "+OK text\r\n"
std::string err(std::string_view text, Code code = Code::None);  ///< "-ERR [CODE] text\r\n"

// Named replies, so every handler says the same thing for the same situation.
std::string greeting(std::string_view hostname, std::string_view apop_banner);  // "+OK ... ready"
std::string goodbye(std::string_view hostname);  // "+OK <host> signing off"
std::string unknown_command();                   // "-ERR unknown command"
std::string bad_state();                         // wrong state for the command
std::string no_such_message();                   // "-ERR no such message"
std::string message_deleted();                   // "-ERR message already deleted"
std::string line_too_long();                     // "-ERR line too long"
std::string tls_required();  // "-ERR [AUTH] ... use STLS" (plaintext login refused off loopback)
std::string auth_failed();   // "-ERR [AUTH] authentication failed"
std::string locked_out();    // "-ERR [AUTH] ... too many failures, try later"
std::string in_use();        // "-ERR [IN-USE] ... maildrop is in use by another POP3 session"
std::string login_delay(unsigned seconds);  // "-ERR [LOGIN-DELAY] ..."
std::string temporary_failure();            // "-ERR [SYS/TEMP] ..."
std::string shutting_down();                // "-ERR [SYS/TEMP] server shutting down"
std::string too_many_errors();              // "-ERR too many errors, closing"

}  // namespace hermod::pop3::proto
