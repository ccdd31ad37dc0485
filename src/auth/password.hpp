// password.hpp - password hashing for accounts, and verification of imported Dovecot hashes.
//
// Stored form: "{SCHEME}payload" as in Dovecot's passdb (doc.dovecot.org "Password Schemes").
// New passwords are always "{ARGON2ID}" + a libsodium crypto_pwhash_str string (PHC format,
// salt and cost parameters included). Hashes imported from Dovecot or /etc/shadow
// ({SHA512-CRYPT}, {SHA256-CRYPT}, {BLF-CRYPT}, {CRYPT}, {ARGON2I} or a bare "$6$..." crypt
// string) are verified, and needs_rehash() tells the caller to replace them with Argon2id after
// the next successful login.
//
// Security: verification never throws on malformed stored data (it just fails), compares
// derived hashes in constant time, and never logs or returns the password. Plain-text schemes
// ({PLAIN}, {CLEAR}) are deliberately not accepted.
#pragma once

#include <string>
#include <string_view>

namespace hermod::auth {

/// Hashes `password` with Argon2id (libsodium, interactive limits) and a fresh random salt.
/// Returns "{ARGON2ID}$argon2id$v=19$m=...,t=...,p=1$salt$hash". Two calls with the same
/// password give different strings. Throws std::runtime_error only if libsodium cannot
/// allocate the memory Argon2 needs.
std::string hash_password(std::string_view password);

/// True when `password` matches `stored` (any scheme listed in the file comment). False for a
/// wrong password, an unknown scheme, or a malformed or empty stored string. Never throws.
/// Thread-safe.
bool verify_password(std::string_view stored, std::string_view password) noexcept;

/// True when `stored` is not an Argon2id hash with our current cost parameters, so it should
/// be replaced by hash_password() once the user has logged in successfully.
bool needs_rehash(std::string_view stored) noexcept;

}  // namespace hermod::auth
