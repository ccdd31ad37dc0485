// password.cpp - Argon2id hashing (libsodium) and verification of imported crypt(3) hashes
// (libxcrypt). See password.hpp for the stored format and the security notes.
#include "auth/password.hpp"

#include <crypt.h>
#include <sodium.h>

#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

namespace hermod::auth {

namespace {

constexpr std::string_view kArgon2idScheme = "{ARGON2ID}";

// The supported schemes. Crypt-based ones carry the crypt(3) prefixes their payload must
// start with, so a "{SHA512-CRYPT}" label can't smuggle in a weaker algorithm (e.g. DES).
enum class Scheme { Argon2id, Argon2i, Sha512Crypt, Sha256Crypt, BlfCrypt, YesCrypt, AnyCrypt };

void ensure_sodium() {
    // A function-local static is initialised exactly once even with concurrent callers.
    static const int rc = sodium_init();
    if (rc < 0) throw std::runtime_error("libsodium initialisation failed");
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> prefixes) {
    for (auto p : prefixes)
        if (s.starts_with(p)) return true;
    return false;
}

// Splits "{SCHEME}payload" (or a bare crypt string) into the scheme and the payload; nullopt
// for anything we don't accept. Scheme names are case-insensitive, as in Dovecot.
std::optional<std::pair<Scheme, std::string_view>> split(std::string_view stored) {
    Scheme scheme;
    std::string_view payload = stored;
    if (stored.starts_with('{')) {
        auto close = stored.find('}');
        if (close == std::string_view::npos) return std::nullopt;
        std::string_view name = stored.substr(1, close - 1);
        payload = stored.substr(close + 1);
        if (iequals(name, "ARGON2ID"))
            scheme = Scheme::Argon2id;
        else if (iequals(name, "ARGON2I"))
            scheme = Scheme::Argon2i;
        else if (iequals(name, "SHA512-CRYPT"))
            scheme = Scheme::Sha512Crypt;
        else if (iequals(name, "SHA256-CRYPT"))
            scheme = Scheme::Sha256Crypt;
        else if (iequals(name, "BLF-CRYPT"))
            scheme = Scheme::BlfCrypt;
        else if (iequals(name, "CRYPT"))
            scheme = Scheme::AnyCrypt;
        else
            return std::nullopt;
    } else if (stored.starts_with("$argon2id$")) {
        scheme = Scheme::Argon2id;
    } else if (stored.starts_with("$argon2i$")) {
        scheme = Scheme::Argon2i;
    } else if (stored.starts_with("$6$")) {
        scheme = Scheme::Sha512Crypt;
    } else if (stored.starts_with("$5$")) {
        scheme = Scheme::Sha256Crypt;
    } else if (starts_with_any(stored, {"$2y$", "$2b$", "$2a$"})) {
        scheme = Scheme::BlfCrypt;
    } else if (stored.starts_with("$y$")) {
        scheme = Scheme::YesCrypt;
    } else {
        // A bare string without a recognised prefix could be anything (even plain text).
        return std::nullopt;
    }

    bool prefix_ok = true;
    switch (scheme) {
        case Scheme::Argon2id:
            prefix_ok = payload.starts_with("$argon2id$");
            break;
        case Scheme::Argon2i:
            prefix_ok = payload.starts_with("$argon2i$");
            break;
        case Scheme::Sha512Crypt:
            prefix_ok = payload.starts_with("$6$");
            break;
        case Scheme::Sha256Crypt:
            prefix_ok = payload.starts_with("$5$");
            break;
        case Scheme::BlfCrypt:
            prefix_ok = starts_with_any(payload, {"$2y$", "$2b$", "$2a$"});
            break;
        case Scheme::YesCrypt:
            prefix_ok = payload.starts_with("$y$");
            break;
        case Scheme::AnyCrypt:
            prefix_ok = !payload.empty();
            break;
    }
    if (!prefix_ok) return std::nullopt;
    return std::pair{scheme, payload};
}

bool verify_sodium(std::string_view payload, std::string_view password) {
    // libsodium parses a NUL-terminated string of at most crypto_pwhash_STRBYTES.
    if (payload.size() >= crypto_pwhash_STRBYTES) return false;
    std::string str(payload);
    if (str.find('\0') != std::string::npos) return false;
    return crypto_pwhash_str_verify(str.c_str(), password.data(), password.size()) == 0;
}

bool verify_crypt(std::string_view payload, std::string_view password) {
    // crypt(3) takes C strings: a NUL would silently truncate the password or the setting.
    if (payload.find('\0') != std::string_view::npos) return false;
    if (password.find('\0') != std::string_view::npos) return false;
    std::string setting(payload);
    std::string phrase(password);
    // crypt_rn with our own crypt_data is re-entrant (crypt() uses a static buffer). The struct
    // is ~32 KiB, so keep it off the coroutine/thread stack; make_unique zero-fills it, which
    // crypt_rn requires of `initialized`.
    auto data = std::make_unique<crypt_data>();
    const char* out = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
    bool ok = false;
    // On failure libxcrypt returns NULL or a "*0"/"*1" token, which can never equal a real hash.
    if (out != nullptr && out[0] != '*') {
        std::size_t len = std::strlen(out);
        ok = len == setting.size() && sodium_memcmp(out, setting.data(), len) == 0;
    }
    sodium_memzero(data.get(), sizeof(crypt_data));  // it holds key material of the password
    sodium_memzero(phrase.data(), phrase.size());
    return ok;
}

}  // namespace

std::string hash_password(std::string_view password) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(
            out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("password hashing failed (out of memory)");
    return std::string(kArgon2idScheme) + out;
}

bool verify_password(std::string_view stored, std::string_view password) noexcept {
    try {
        ensure_sodium();
        auto parts = split(stored);
        if (!parts) return false;
        auto [scheme, payload] = *parts;
        switch (scheme) {
            case Scheme::Argon2id:
            case Scheme::Argon2i:
                return verify_sodium(payload, password);
            default:
                return verify_crypt(payload, password);
        }
    } catch (...) {
        // Allocation failure or sodium_init failure: refuse rather than crash the session.
        return false;
    }
}

bool needs_rehash(std::string_view stored) noexcept {
    try {
        ensure_sodium();
        auto parts = split(stored);
        if (!parts || parts->first != Scheme::Argon2id) return true;
        if (!stored.starts_with(kArgon2idScheme)) return true;  // bare: store it with a scheme
        std::string str(parts->second);
        if (str.size() >= crypto_pwhash_STRBYTES) return true;
        // 1 = other parameters, -1 = unparsable: both mean "hash it again".
        return crypto_pwhash_str_needs_rehash(str.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
    } catch (...) {
        return true;
    }
}

}  // namespace hermod::auth
