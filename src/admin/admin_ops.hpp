// admin_ops.hpp - the logic behind `hermod domain|user|alias ...`, free of CLI parsing so it can
// be tested against any Store.
//
// Every function validates its input (src/common/address.hpp), checks the store first so the
// user gets one precise message ("no such domain: example.org"), and throws AdminError with
// that message (without the "hermod: " prefix, which main() adds). Nothing is cached: the
// running server reads the store on every lookup, so changes apply at once.
//
// Security: passwords are taken as arguments only to be hashed (Argon2id) and are never printed
// or stored in clear; callers should wipe their copy afterwards (see password_input.hpp).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace hermod::admin {

/// A refused admin request; what() is the one line to show the user.
class AdminError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// --- domains ---------------------------------------------------------------------------

/// Adds a local domain. `name` is lower-cased and a trailing dot dropped.
/// Throws AdminError for an invalid name or one that already exists.
store::Domain add_domain(store::Store& store, std::string_view name);
/// Local domain names, sorted.
std::vector<std::string> list_domains(store::Store& store);
/// Removes a domain and returns its normalised name. Refused while it still has accounts or aliases
/// (deleting mail by accident is worse than one more command).
std::string delete_domain(store::Store& store, std::string_view name);

// --- users -----------------------------------------------------------------------------

/// Checks that `address` is valid, its domain local and the address not yet taken; returns it
/// normalised. Lets `user add` refuse before prompting for a password.
std::string check_new_user(store::Store& store, std::string_view address);
/// The account of `address`; throws AdminError when malformed or unknown.
store::Account require_user(store::Store& store, std::string_view address);

/// Creates an account (with its default mailboxes) whose password hashes `password`.
/// The domain must be local; the address must be new; the password must not be empty.
store::Account add_user(store::Store& store, std::string_view address, std::string_view password,
                        std::int64_t quota_bytes = 0);
/// Replaces the password of an existing account. Mutators return the normalised address.
std::string set_password(store::Store& store, std::string_view address, std::string_view password);
/// Sets the quota (0 = unlimited) of an existing account.
std::string set_quota(store::Store& store, std::string_view address, std::int64_t quota_bytes);
/// Account addresses, sorted; only those of `domain` when given (which must then be local).
std::vector<std::string> list_users(store::Store& store, std::string_view domain = {});
/// Removes an account with its mailboxes and messages.
std::string delete_user(store::Store& store, std::string_view address);

struct UserInfo {
    store::Account account;
    std::vector<store::Mailbox> mailboxes;
};
/// The account and its mailboxes (with message counts and sizes).
UserInfo show_user(store::Store& store, std::string_view address);
/// Human-readable lines for `hermod user show` (no trailing newline on the last).
std::string format_user_info(const UserInfo& info);

// --- aliases ---------------------------------------------------------------------------

/// Normalises an alias source: "local@domain" or "@domain" (catch-all), lower case. Throws
/// AdminError when malformed. Does not check that the domain is local.
std::string normalize_alias_source(std::string_view source);

/// Adds `source` -> `target`. The source's domain must be local; the target may be any valid
/// address. Returns the normalised pair. Refuses duplicates and an alias to itself.
store::Alias add_alias(store::Store& store, std::string_view source, std::string_view target);
/// Aliases sorted by source then target; only those of `source` when given.
std::vector<store::Alias> list_aliases(store::Store& store, std::string_view source = {});
/// Removes one target of `source`, or all of them when `target` is empty. Returns how many
/// rows were removed (at least 1; none is an AdminError).
std::size_t delete_alias(store::Store& store, std::string_view source,
                         std::string_view target = {});

// --- helpers ---------------------------------------------------------------------------

/// Parses a quota: a byte count with an optional K, M, G or T suffix (powers of 1024, an
/// optional trailing "B" or "iB"); "0" or "unlimited" = 0. Throws AdminError otherwise.
std::int64_t parse_quota(std::string_view text);

}  // namespace hermod::admin
