// resolver.hpp - recipient resolution: which mailboxes and remote addresses a recipient means.
//
// RFC 5321 §3.9: aliases and mailing lists are expanded by the receiving server, and the
// envelope (not the headers) is rewritten; §2.3.11: the domain part is case-insensitive and
// we treat local parts as case-insensitive too (accounts are stored lower case). RFC 5233-style
// subaddressing ("user+tag"). Rules, in order, for an address in a local domain:
//   1. an account with exactly that address;
//   2. alias rows with that source (each target resolved again: local or remote, recursive);
//   3. a mailing list with that address (each member resolved again);
//   4. "user+tag@domain" with no exact match: rules 1-3 for "user@domain";
//   5. the catch-all alias "@domain";
//   6. otherwise no such user - except "postmaster@domain" (RFC 5321 §4.5.1: it MUST be
//      accepted), which then goes to the domain's first account (the oldest), as rules 1-5.
// An address in any other domain is remote: queued. For the envelope recipient itself that is
// relaying and needs permission (authenticated or trusted client); targets reached through
// aliases or lists need none (the local owner configured them).
//
// Loops: an address met again while it is being expanded, or nesting deeper than max_depth,
// makes the whole recipient TempFail (451 4.3.0, RFC 3463 X.4.6 "routing loop") rather than
// NoSuchUser: it is a configuration error the admin can fix, and a temporary reply keeps the
// sender's mail in its queue meanwhile instead of bouncing it. Delivering the part outside the
// loop is not attempted, because the retry would duplicate it.
//
// Dedupe: each account and each remote address appears once in a Resolution however many
// paths reach it. Dangling local targets of an alias or list (an address that resolves to
// nothing) are skipped; only when nothing at all remains is the recipient NoSuchUser.
//
// Security: expansion is bounded (depth and total targets), so a hostile or mistaken list
// configuration cannot make one RCPT do unbounded work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/delivery.hpp"
#include "store/store.hpp"

namespace hermod::delivery {

/// An account a recipient delivers into.
struct MailboxTarget {
    store::Id account_id = 0;
    std::string account;           // its address
    std::int64_t quota_bytes = 0;  // 0 = unlimited
    std::int64_t used_bytes = 0;
};

struct Resolution {
    /// Local (at least one account), Remote (only remote targets), NoSuchUser, RelayDenied,
    /// OverQuota (every account target is full and there is no remote one), TempFail (loop,
    /// too large an expansion) or BadAddress (no domain part).
    RcptStatus status = RcptStatus::NoSuchUser;
    std::string detail;
    std::vector<MailboxTarget> local;  // deduplicated, in the order first reached
    std::vector<std::string> remote;   // deduplicated remote addresses, lower-case domain
};

struct ResolveLimits {
    int max_depth = 10;               // nested aliases/lists below the envelope recipient
    std::size_t max_targets = 10000;  // addresses looked at for one recipient
};

/// The oldest account of a local `domain` (where its postmaster's mail goes when nothing else
/// is configured for it), or nullopt.
std::optional<store::Account> first_account(store::Store& store, std::string_view domain);

/// Resolves `address` against the store. `may_relay`: whether a recipient in a non-local
/// domain is acceptable (client authenticated or trusted). Reads the store only; throws
/// StoreError when it cannot be read.
Resolution resolve(store::Store& store, std::string_view address, bool may_relay,
                   const ResolveLimits& limits = {});

}  // namespace hermod::delivery
