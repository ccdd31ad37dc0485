// sasl.cpp - PLAIN (RFC 4616) and LOGIN exchanges (RFC 4954 §4 framing).
// Security: pre-authentication input carrying passwords; strict decoding, wiped buffers.
#include "auth/sasl.hpp"

#include "common/base64.hpp"
#include "common/utf8.hpp"

namespace hermod::auth {

namespace {

constexpr std::size_t kMaxSaslField = 1024;
constexpr std::string_view kUsernamePrompt = "VXNlcm5hbWU6";  // "Username:"
constexpr std::string_view kPasswordPrompt = "UGFzc3dvcmQ6";  // "Password:"

void wipe(std::string& s) {
    volatile char* p = s.data();
    for (std::size_t i = 0; i < s.size(); ++i)
        p[i] = 0;
    s.clear();
}

bool valid_field(std::string_view s) {
    return s.size() <= kMaxSaslField && s.find('\0') == std::string_view::npos && is_valid_utf8(s);
}

SaslStep status(SaslStatus s) {
    return SaslStep{s, {}};
}
SaslStep challenge(std::string_view b64) {
    return SaslStep{SaslStatus::Challenge, std::string(b64)};
}

}  // namespace

SaslCredentials::~SaslCredentials() {
    wipe(password);
}

std::optional<SaslMechanism> sasl_mechanism(std::string_view name) {
    auto eq = [](std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            char c = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 'a' + 'A') : a[i];
            if (c != b[i]) return false;
        }
        return true;
    };
    if (eq(name, "PLAIN")) return SaslMechanism::Plain;
    if (eq(name, "LOGIN")) return SaslMechanism::Login;
    return std::nullopt;
}

std::optional<SaslCredentials> parse_plain_message(std::string_view m) {
    auto nul1 = m.find('\0');
    if (nul1 == std::string_view::npos) return std::nullopt;
    auto nul2 = m.find('\0', nul1 + 1);
    if (nul2 == std::string_view::npos) return std::nullopt;
    std::string_view authzid = m.substr(0, nul1);
    std::string_view authcid = m.substr(nul1 + 1, nul2 - nul1 - 1);
    std::string_view passwd = m.substr(nul2 + 1);  // a third NUL fails valid_field()
    if (authcid.empty() || passwd.empty()) return std::nullopt;
    if (!valid_field(authzid) || !valid_field(authcid) || !valid_field(passwd)) return std::nullopt;
    SaslCredentials c;
    c.authzid.assign(authzid);
    c.authcid.assign(authcid);
    c.password.assign(passwd);
    return c;
}

SaslStep SaslExchange::start(const std::optional<std::string>& initial_response) {
    if (stage_ != Stage::Initial) return status(SaslStatus::Malformed);
    if (mechanism_ == SaslMechanism::Plain) {
        stage_ = Stage::PlainResponse;
        // RFC 4954 §4: without an initial response the server sends an empty challenge.
        if (!initial_response) return challenge("");
    } else {
        stage_ = Stage::LoginUser;
        // LOGIN has no initial response in its original form; many clients send the user name
        // as one anyway, which Postfix/Cyrus accept.
        if (!initial_response) return challenge(kUsernamePrompt);
    }
    // "=" is the empty initial response (RFC 4954 §4).
    return response(*initial_response == "=" ? std::string_view() : *initial_response);
}

SaslStep SaslExchange::step(std::string_view line) {
    if (line.size() > kMaxSaslLine) {
        stage_ = Stage::Finished;
        return status(SaslStatus::TooLong);
    }
    return response(line);
}

SaslStep SaslExchange::response(std::string_view line) {
    if (line == "*") {  // RFC 4954 §4: the client cancels
        stage_ = Stage::Finished;
        return status(SaslStatus::Cancelled);
    }
    auto decoded = base64_decode(line);
    if (!decoded) {
        stage_ = Stage::Finished;
        return status(SaslStatus::Malformed);
    }
    SaslStep result = status(SaslStatus::Malformed);
    switch (stage_) {
        case Stage::PlainResponse:
            if (auto c = parse_plain_message(*decoded)) {
                credentials_ = std::move(*c);
                result = status(SaslStatus::Done);
            }
            break;
        case Stage::LoginUser:
            if (!decoded->empty() && valid_field(*decoded)) {
                credentials_.authcid = *decoded;
                stage_ = Stage::LoginPassword;
                wipe(*decoded);
                return challenge(kPasswordPrompt);
            }
            break;
        case Stage::LoginPassword:
            if (!decoded->empty() && valid_field(*decoded)) {
                credentials_.password = *decoded;
                result = status(SaslStatus::Done);
            }
            break;
        case Stage::Initial:
        case Stage::Finished:
            break;
    }
    wipe(*decoded);
    stage_ = Stage::Finished;
    return result;
}

}  // namespace hermod::auth
