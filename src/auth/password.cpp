// password.cpp - Argon2id hashing (libsodium) and verification of imported crypt(3) hashes
// (libxcrypt). See password.hpp for the stored format and the security notes.
#include "auth/password.hpp"

#include <crypt.h>
#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

#include "common/ascii.hpp"

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

// Cost ceilings for stored hashes. A hash is only as trusted as the passdb it was imported
// from; without these a single login against "$2y$31$..." or "m=4194304" would tie up a worker
// for hours or allocate gigabytes. Generous compared with real-world settings (Dovecot's
// defaults: rounds=5000, bcrypt cost 5-12, Argon2 m=65536,t=3).
constexpr std::uint64_t kMaxArgon2MemoryKiB = 1 << 20;  // 1 GiB
constexpr std::uint64_t kMaxArgon2Passes = 32;
constexpr std::uint64_t kMaxArgon2Lanes = 16;
constexpr std::uint64_t kMaxShaCryptRounds = 1'000'000;
constexpr int kMaxBcryptCost = 16;

// The number after `key` (e.g. "m=") in `s`, or nullopt. Digits only, capped to avoid overflow.
std::optional<std::uint64_t> number_after(std::string_view s, std::string_view key) {
    auto pos = s.find(key);
    if (pos == std::string_view::npos) return std::nullopt;
    std::uint64_t value = 0;
    std::size_t i = pos + key.size(), digits = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
        if (value > (std::uint64_t{1} << 40)) return std::uint64_t{1} << 41;  // "huge"
        value = value * 10 + static_cast<std::uint64_t>(s[i] - '0');
    }
    if (digits == 0) return std::nullopt;
    return value;
}

bool within_cost_limits(Scheme scheme, std::string_view payload) {
    switch (scheme) {
        case Scheme::Argon2id:
        case Scheme::Argon2i: {
            // $argon2id$v=19$m=65536,t=2,p=1$salt$hash
            auto m = number_after(payload, "$m="), t = number_after(payload, ",t="),
                 p = number_after(payload, ",p=");
            return m && t && p && *m <= kMaxArgon2MemoryKiB && *t <= kMaxArgon2Passes &&
                   *p <= kMaxArgon2Lanes;
        }
        case Scheme::Sha512Crypt:
        case Scheme::Sha256Crypt: {
            // $6$[rounds=N$]salt$hash
            if (!payload.substr(3).starts_with("rounds=")) return true;
            auto rounds = number_after(payload.substr(3), "rounds=");
            return rounds && *rounds <= kMaxShaCryptRounds;
        }
        case Scheme::BlfCrypt: {
            // $2y$NN$salt+hash
            if (payload.size() < 7 || payload[6] != '$') return false;
            char a = payload[4], b = payload[5];
            if (a < '0' || a > '9' || b < '0' || b > '9') return false;
            return (a - '0') * 10 + (b - '0') <= kMaxBcryptCost;
        }
        case Scheme::AnyCrypt: {
            // {CRYPT} may wrap any crypt(3) string: apply the limits of the one it holds.
            if (payload.starts_with("$6$")) return within_cost_limits(Scheme::Sha512Crypt, payload);
            if (payload.starts_with("$5$")) return within_cost_limits(Scheme::Sha256Crypt, payload);
            if (payload.starts_with("$2")) return within_cost_limits(Scheme::BlfCrypt, payload);
            return true;
        }
        case Scheme::YesCrypt:
            // XXX: yescrypt's cost is packed in its own base-64 parameter field; libxcrypt's
            // defaults are cheap and these hashes only come from /etc/shadow-style imports.
            return true;
    }
    return false;
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
        if (!within_cost_limits(scheme, payload)) return false;
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
