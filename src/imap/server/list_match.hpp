// list_match.hpp - mailbox hierarchy names for LIST/LSUB, CREATE and RENAME: the LIST pattern
// matcher (RFC 9051 §6.3.9: "*" matches any characters, "%" any but the hierarchy separator),
// with INBOX matched case-insensitively (RFC 9051 §5.1), the superior/inferior relation of
// names under the separator '/', and the LIST/LSUB response builder over a mailbox list
// (RFC 9051 §6.3.9, RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE, RFC 5819 LIST-STATUS,
// RFC 3501 §6.3.9 LSUB).
// Pure functions over UTF-8 names as the store keeps them (INBOX normalised to upper case): no
// I/O (STATUS figures come through a callback), testable without a session.
// Security: patterns come from the peer; matching is a bounded state-set simulation,
// O(pattern x name) whatever the wildcards, never exponential backtracking.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/proto/arguments.hpp"
#include "imap/proto/encoder.hpp"
#include "store/store.hpp"

namespace hermod::imap {

/// True when `name` (a stored mailbox name) matches the LIST `pattern` (reference already
/// prepended). The first hierarchy level of a name that is INBOX matches case-insensitively
/// ("inbox", "Inb%" and "iNbOx/*" all match INBOX names).
bool list_match(std::string_view pattern, std::string_view name);

/// The superior names of `name`, outermost first: "a/b/c" -> {"a", "a/b"}. Views into `name`.
std::vector<std::string_view> superior_names(std::string_view name);

/// True when `name` is an inferior of `superior` ("a/b" and "a/b/c" of "a"; not "ab").
bool is_inferior(std::string_view name, std::string_view superior);

struct ListMode {
    bool lsub = false;  ///< LSUB rather than LIST
    bool rev2 = false;  ///< the session enabled IMAP4rev2
    proto::EncodeOptions encode;
};

/// Appends the STATUS response of a listed mailbox (RETURN (STATUS ...)); may append nothing
/// (the mailbox went away meanwhile).
using ListStatusFn = std::function<void(std::string& out, const store::Mailbox& mailbox)>;

/// Appends the untagged LIST (or LSUB) responses that answer `req` over the account's
/// `mailboxes`, with a STATUS response after each listed mailbox when req.return_status (then
/// `status` must be set). The rules are in cmd_list.cpp's header comment.
void append_list_responses(std::string& out, const std::vector<store::Mailbox>& mailboxes,
                           const proto::ListRequest& req, const ListMode& mode,
                           const ListStatusFn& status);

}  // namespace hermod::imap
