// sasl.hpp - server side of the SASL exchanges for PLAIN (RFC 4616) and LOGIN
// (draft-murchison-sasl-login), for SMTP AUTH (RFC 4954 §4), POP3 AUTH (RFC 5034 §4) and IMAP
// AUTHENTICATE (RFC 9051 §6.2.2): base64 lines, "*" cancels, "=" is an empty initial response.
// Each protocol frames challenges and maps the status to its own reply; verifying the
// credentials is the Authenticator's job.
// Security: handles passwords before authentication. Strict base64 and grammar, bounded lines,
// no NUL inside names, and credential buffers are wiped on destruction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hermod::auth {

/// RFC 4954 §4: a client response line may be up to 12288 octets (used by POP3 and IMAP too).
inline constexpr std::size_t kMaxSaslLine = 12288;

enum class SaslMechanism : std::uint8_t { Plain, Login };

/// "PLAIN" / "LOGIN" (case-insensitive); nullopt for anything else (504 5.5.4).
std::optional<SaslMechanism> sasl_mechanism(std::string_view name);

struct SaslCredentials {
    std::string authzid;  ///< empty when not given (PLAIN only)
    std::string authcid;  ///< the user name
    std::string password;

    SaslCredentials() = default;
    SaslCredentials(const SaslCredentials&) = default;
    SaslCredentials& operator=(const SaslCredentials&) = default;
    SaslCredentials(SaslCredentials&&) = default;
    SaslCredentials& operator=(SaslCredentials&&) = default;
    ~SaslCredentials();  ///< overwrites the password before freeing it
};

/// Parses a decoded PLAIN message (RFC 4616 §2):
///   message = [authzid] UTF8NUL authcid UTF8NUL passwd
/// authcid and passwd non-empty, all three well-formed UTF-8 without NUL, each <= 1024 octets.
std::optional<SaslCredentials> parse_plain_message(std::string_view message);

enum class SaslStatus : std::uint8_t {
    Challenge,  ///< send the challenge (SMTP "334 x", POP3/IMAP "+ x"), feed the next line to
                ///< step()
    Done,       ///< credentials() are ready for verification
    Cancelled,  ///< client sent "*" (SMTP 501 5.7.0)
    Malformed,  ///< bad base64 or grammar (SMTP 501 5.5.2)
    TooLong,    ///< over kMaxSaslLine (SMTP 500 5.5.6)
};

struct SaslStep {
    SaslStatus status = SaslStatus::Malformed;
    std::string challenge;  ///< base64 text of the challenge (Challenge only)
};

/// One AUTH exchange. Usage: start() with the AUTH command's initial response, then step() with
/// each client line while the status is Challenge.
class SaslExchange {
  public:
    explicit SaslExchange(SaslMechanism mechanism) : mechanism_(mechanism) {}

    SaslStep start(const std::optional<std::string>& initial_response);
    SaslStep step(std::string_view line);

    /// Valid after a Done step.
    const SaslCredentials& credentials() const { return credentials_; }

  private:
    enum class Stage : std::uint8_t { Initial, PlainResponse, LoginUser, LoginPassword, Finished };

    SaslStep response(std::string_view line);

    SaslMechanism mechanism_;
    Stage stage_ = Stage::Initial;
    SaslCredentials credentials_;
};

}  // namespace hermod::auth
