// first_start.hpp - what `hermod serve` does on an empty data folder: a demo domain and account.
#pragma once

#include <optional>
#include <string>

namespace hermod::store {
class Store;
}

namespace hermod::server {

struct DemoLogin {
    std::string address;
    std::string password;
};

inline constexpr const char* kDemoPasswordFile = "demo-password";

/// On a store with no domains at all, creates domain `localhost`, account `demo@localhost`
/// with a random password and the alias postmaster@localhost -> demo@localhost, and writes the
/// password to `<cwd>/demo-password` (mode 0600). Returns the login when it did so; nullopt when
/// the store was not empty.
std::optional<DemoLogin> create_demo_account_if_empty(store::Store& store);

/// A random password of `length` characters from an alphabet without look-alikes (0/O, 1/l).
std::string random_password(std::size_t length = 16);

}  // namespace hermod::server
