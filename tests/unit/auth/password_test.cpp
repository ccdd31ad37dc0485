// password_test.cpp - hash_password / verify_password / needs_rehash, with fixed vectors made
// outside Hermod (openssl passwd, Python's crypt module over libxcrypt, libsodium via ctypes)
// so they check interoperability, not just our own round trip.
#include "auth/password.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace hermod::auth {
namespace {

// `openssl passwd -6 -salt abcdefgh secret`
constexpr const char* kSha512Secret =
    "$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/"
    "1GM/O6IND4WQhG.";
// python3 crypt.crypt('hunter2', crypt.mksalt(crypt.METHOD_SHA512))
constexpr const char* kSha512Hunter2 =
    "$6$plucWtNAYGt04vC6$tUwuzfZHvLw25ZU5CGvnQugkeaqPOzP0w8SinAUnX8DeQmCMMPrPZ6P2Cu0ALVfzrBzUb8"
    "amO6kqVwW8SNXh2.";
// `openssl passwd -5 -salt saltsalt 'p@ss wörd'` (UTF-8 password)
constexpr const char* kSha256Utf8 = "$5$saltsalt$r9UqAdmng8m1HYhHhcrllKcKfe1GfAfkWztzPO0JS/8";
// python3 crypt.crypt('secret', '$2y$05$abcdefghijklmnopqrstuu') (and $2b$)
constexpr const char* kBcrypt2ySecret =
    "$2y$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a";
constexpr const char* kBcrypt2bSecret =
    "$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a";
// libxcrypt crypt_gensalt("$y$") + crypt("secret")
constexpr const char* kYescryptSecret =
    "$y$j9T$k2XAnEHBqQ1Ct2aMXFKNa/$wlUhTDUqAryQnsZkFoU5UZ6UStBlZ4Z8j4gtdFPQVn4";
// python3 crypt.crypt('secret', 'ab') - traditional DES, Dovecot {CRYPT}
constexpr const char* kDesSecret = "abNANd1rDfiNc";
// libsodium crypto_pwhash_str_alg("secret", ops=4, mem=32 KiB, ARGON2I13 / ops=2 ARGON2ID13)
constexpr const char* kArgon2iSecret =
    "$argon2i$v=19$m=32,t=4,p=1$HBHXe1FETlTzJgCoIH3V4w$cdfrD4qPEAyP2eNmxZYhbEY7/FT3DHfNJ2O2N//AoZQ";
constexpr const char* kArgon2idSecret =
    "$argon2id$v=19$m=32,t=2,p=1$nrsQ8HrvS+o4nNyyD3sL+A$wfBkiF27TEZOe1L8e+GaG9tBB/"
    "qbrPNofA4gcRhBQso";

std::string with(const char* scheme, const char* hash) {
    return std::string(scheme) + hash;
}

TEST(PasswordTest, RoundTrip) {
    std::string h = hash_password("correct horse battery staple");
    EXPECT_TRUE(h.starts_with("{ARGON2ID}$argon2id$v=19$")) << h;
    EXPECT_TRUE(verify_password(h, "correct horse battery staple"));
    EXPECT_FALSE(needs_rehash(h));
}

TEST(PasswordTest, WrongPassword) {
    std::string h = hash_password("secret");
    EXPECT_FALSE(verify_password(h, "Secret"));
    EXPECT_FALSE(verify_password(h, "secret "));
    EXPECT_FALSE(verify_password(h, ""));
}

TEST(PasswordTest, SaltMakesHashesDiffer) {
    std::string a = hash_password("same");
    std::string b = hash_password("same");
    EXPECT_NE(a, b);
    EXPECT_TRUE(verify_password(a, "same"));
    EXPECT_TRUE(verify_password(b, "same"));
}

TEST(PasswordTest, EmptyAndBinaryPasswords) {
    std::string h = hash_password("");
    EXPECT_TRUE(verify_password(h, ""));
    EXPECT_FALSE(verify_password(h, "x"));
    std::string nul("a\0b", 3);
    std::string hn = hash_password(nul);
    EXPECT_TRUE(verify_password(hn, nul));
    EXPECT_FALSE(verify_password(hn, "a"));
}

TEST(PasswordTest, Sha512Crypt) {
    EXPECT_TRUE(verify_password(with("{SHA512-CRYPT}", kSha512Secret), "secret"));
    EXPECT_FALSE(verify_password(with("{SHA512-CRYPT}", kSha512Secret), "secreT"));
    EXPECT_TRUE(verify_password(with("{SHA512-CRYPT}", kSha512Hunter2), "hunter2"));
    EXPECT_FALSE(verify_password(with("{SHA512-CRYPT}", kSha512Hunter2), "hunter3"));
    EXPECT_TRUE(verify_password(kSha512Secret, "secret"));  // bare, as in /etc/shadow
    EXPECT_TRUE(verify_password(with("{sha512-crypt}", kSha512Secret), "secret"));
    EXPECT_TRUE(verify_password(with("{CRYPT}", kSha512Secret), "secret"));
}

TEST(PasswordTest, Sha256Crypt) {
    EXPECT_TRUE(verify_password(with("{SHA256-CRYPT}", kSha256Utf8), "p@ss w\xc3\xb6rd"));
    EXPECT_FALSE(verify_password(with("{SHA256-CRYPT}", kSha256Utf8), "p@ss word"));
    EXPECT_TRUE(verify_password(kSha256Utf8, "p@ss w\xc3\xb6rd"));
}

TEST(PasswordTest, BlfCrypt) {
    EXPECT_TRUE(verify_password(with("{BLF-CRYPT}", kBcrypt2ySecret), "secret"));
    EXPECT_TRUE(verify_password(with("{BLF-CRYPT}", kBcrypt2bSecret), "secret"));
    EXPECT_FALSE(verify_password(with("{BLF-CRYPT}", kBcrypt2ySecret), "secrets"));
    EXPECT_TRUE(verify_password(kBcrypt2ySecret, "secret"));
    EXPECT_TRUE(verify_password(kBcrypt2bSecret, "secret"));
}

TEST(PasswordTest, YescryptAndDes) {
    EXPECT_TRUE(verify_password(kYescryptSecret, "secret"));
    EXPECT_TRUE(verify_password(with("{CRYPT}", kYescryptSecret), "secret"));
    EXPECT_FALSE(verify_password(kYescryptSecret, "Secret"));
    EXPECT_TRUE(verify_password(with("{CRYPT}", kDesSecret), "secret"));
    EXPECT_FALSE(verify_password(with("{CRYPT}", kDesSecret), "secreT"));
    // A bare DES string has no recognisable prefix: refused rather than guessed.
    EXPECT_FALSE(verify_password(kDesSecret, "secret"));
}

TEST(PasswordTest, ImportedArgon2) {
    EXPECT_TRUE(verify_password(with("{ARGON2I}", kArgon2iSecret), "secret"));
    EXPECT_FALSE(verify_password(with("{ARGON2I}", kArgon2iSecret), "secret!"));
    EXPECT_TRUE(verify_password(with("{ARGON2ID}", kArgon2idSecret), "secret"));
    EXPECT_TRUE(verify_password(kArgon2idSecret, "secret"));
    EXPECT_FALSE(verify_password(with("{ARGON2ID}", kArgon2idSecret), "SECRET"));
}

TEST(PasswordTest, SchemeMustMatchPayload) {
    // A label must not let a different (weaker) algorithm through.
    EXPECT_FALSE(verify_password(with("{SHA512-CRYPT}", kDesSecret), "secret"));
    EXPECT_FALSE(verify_password(with("{SHA512-CRYPT}", kSha256Utf8), "p@ss w\xc3\xb6rd"));
    EXPECT_FALSE(verify_password(with("{BLF-CRYPT}", kSha512Secret), "secret"));
    EXPECT_FALSE(verify_password(with("{ARGON2ID}", kArgon2iSecret), "secret"));
    EXPECT_FALSE(verify_password(with("{ARGON2I}", kArgon2idSecret), "secret"));
}

TEST(PasswordTest, NeedsRehash) {
    EXPECT_TRUE(needs_rehash(with("{SHA512-CRYPT}", kSha512Secret)));
    EXPECT_TRUE(needs_rehash(with("{BLF-CRYPT}", kBcrypt2ySecret)));
    EXPECT_TRUE(needs_rehash(with("{ARGON2I}", kArgon2iSecret)));
    EXPECT_TRUE(needs_rehash(kArgon2idSecret));                      // bare: no scheme stored
    EXPECT_TRUE(needs_rehash(with("{ARGON2ID}", kArgon2idSecret)));  // weaker parameters
    EXPECT_TRUE(needs_rehash("garbage"));
    EXPECT_FALSE(needs_rehash(hash_password("x")));
}

TEST(PasswordTest, MalformedStoredStrings) {
    const std::string cases[] = {
        "",
        "{",
        "{}",
        "{}secret",
        "{PLAIN}secret",
        "{CLEAR}secret",
        "{UNKNOWN}$6$abc$def",
        "secret",
        "{ARGON2ID}",
        "{ARGON2ID}$argon2id$",
        "{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$",
        "{ARGON2ID}" + std::string(500, 'A'),
        "$argon2id$" + std::string(500, '$'),
        "{SHA512-CRYPT}",
        "{SHA512-CRYPT}$6$",
        "{SHA512-CRYPT}$6$abcdefgh$",
        "{SHA512-CRYPT}$6$abcdefgh$short",
        "{BLF-CRYPT}$2y$99$abcdefghijklmnopqrstuu",
        "{BLF-CRYPT}$2y$05$",
        "{CRYPT}",
        "{CRYPT}*",
        "{CRYPT}!",
        "{CRYPT}*0",
        "$y$",
        std::string("{SHA512-CRYPT}$6$abcdefgh$\0x", 27),
        std::string(kSha512Secret).substr(0, 40),
        std::string(kSha512Secret) + "x",
    };
    for (const auto& stored : cases) {
        EXPECT_FALSE(verify_password(stored, "secret")) << stored;
        EXPECT_FALSE(verify_password(stored, "")) << stored;
        EXPECT_FALSE(verify_password(stored, "*0")) << stored;
        EXPECT_TRUE(needs_rehash(stored)) << stored;
    }
}

TEST(PasswordTest, CostLimits) {
    // `openssl passwd -6 -salt 'rounds=10000$saltsalt' secret`: explicit rounds, within limits.
    EXPECT_TRUE(
        verify_password("{SHA512-CRYPT}$6$rounds=10000$saltsalt$WowrPBpEDVlCoruBosYlrZycTCx3//"
                        "TyDHYqEhX9DUHHt0XTztUqzQDDUuvUGRA8aUe9p55hcAxeGcu58sm3u.",
                        "secret"));
    // python3 crypt.crypt('secret', '$6$rounds=1000001$saltsalt'): a real hash of the right
    // password, refused only because its cost is above the ceiling.
    EXPECT_FALSE(verify_password(
        "{SHA512-CRYPT}$6$rounds=1000001$saltsalt$E4ZWl4Og.COmtRYGOfjB79vIV7qYCN0abQdsjjJA./"
        "ZoyJow6ZU5R1fUGJMeya5pvhD72HKHWsdhldu/ux/EY/",
        "secret"));
    // These would take hours or gigabytes if attempted; they must fail at once.
    EXPECT_FALSE(
        verify_password("{BLF-CRYPT}$2y$31$abcdefghijklmnopqrstuuOQiyCxlgf/"
                        "oeuTqixKmWdcYUh4Hjl0a",
                        "secret"));
    EXPECT_FALSE(
        verify_password("{CRYPT}$2b$20$abcdefghijklmnopqrstuuOQiyCxlgf/"
                        "oeuTqixKmWdcYUh4Hjl0a",
                        "secret"));
    EXPECT_FALSE(
        verify_password("{ARGON2ID}$argon2id$v=19$m=4194304,t=2,p=1$nrsQ8HrvS+o4nNyyD3sL+A$"
                        "wfBkiF27TEZOe1L8e+GaG9tBB/qbrPNofA4gcRhBQso",
                        "secret"));
    EXPECT_FALSE(verify_password(
        "{ARGON2ID}$argon2id$v=19$m=32,t=99999999999999999999,p=1$nrsQ8HrvS+o4nNyyD3sL+A$"
        "wfBkiF27TEZOe1L8e+GaG9tBB/qbrPNofA4gcRhBQso",
        "secret"));
}

TEST(PasswordTest, ConcurrentVerification) {
    // crypt_rn and libsodium must be usable from many sessions at once.
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&failures] {
            for (int i = 0; i < 20; ++i) {
                if (!verify_password(kSha512Secret, "secret")) ++failures;
                if (verify_password(kSha512Secret, "wrong")) ++failures;
                if (!verify_password(kBcrypt2ySecret, "secret")) ++failures;
                if (!verify_password(with("{ARGON2ID}", kArgon2idSecret), "secret")) ++failures;
            }
        });
    }
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(failures.load(), 0);
}

TEST(PasswordTest, NulInPasswordNeverMatchesCrypt) {
    // crypt(3) would stop at the NUL and accept "secret\0anything".
    EXPECT_FALSE(verify_password(kSha512Secret, std::string("secret\0junk", 11)));
}

}  // namespace
}  // namespace hermod::auth
