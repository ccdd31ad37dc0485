// arguments.hpp - typed arguments of the remaining structured commands: STORE (RFC 9051
// §6.4.6, RFC 7162 UNCHANGEDSINCE), LIST/LSUB (RFC 9051 §6.3.9, RFC 5258 LIST-EXTENDED,
// RFC 5819 LIST-STATUS, RFC 6154 SPECIAL-USE), STATUS (§6.3.11), APPEND (§6.3.12, RFC 3502
// MULTIAPPEND, RFC 3516 literal8, RFC 6855 §4 UTF8), ENABLE (RFC 5161), ID (RFC 2971), and the
// simple ones (LOGIN, SELECT/EXAMINE, COPY/MOVE, RENAME).
// Every parse_* function starts with the parser after the command name (at the SP) and
// requires the end of the command; nullopt leaves the reason in parser.error().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imap/proto/command_buffer.hpp"
#include "imap/proto/parser.hpp"
#include "imap/proto/sequence_set.hpp"

namespace hermod::imap::proto {

// --- STORE ---
struct StoreRequest {
    enum class Op : std::uint8_t { Replace, Add, Remove };  ///< FLAGS / +FLAGS / -FLAGS
    SequenceSet set;
    Op op = Op::Replace;
    bool silent = false;                           ///< .SILENT: no untagged FETCH
    std::vector<std::string> flags;                ///< system flags in canonical case
    std::optional<std::uint64_t> unchanged_since;  ///< (UNCHANGEDSINCE n) (RFC 7162 §3.1.3)
};
std::optional<StoreRequest> parse_store(Parser& parser);

// --- STATUS items (also LIST RETURN (STATUS (...))) ---
enum StatusItem : std::uint16_t {
    kStatusMessages = 1u << 0,
    kStatusUidNext = 1u << 1,
    kStatusUidValidity = 1u << 2,
    kStatusUnseen = 1u << 3,
    kStatusDeleted = 1u << 4,        ///< RFC 9051
    kStatusSize = 1u << 5,           ///< RFC 9051
    kStatusRecent = 1u << 6,         ///< IMAP4rev1 only
    kStatusHighestModSeq = 1u << 7,  ///< RFC 7162
};
/// Wire names of the items in `items`, in the order above ("MESSAGES", ...).
std::vector<std::string_view> status_item_names(std::uint16_t items);

struct StatusRequest {
    std::string mailbox;
    std::uint16_t items = 0;  ///< StatusItem bits
};
std::optional<StatusRequest> parse_status(Parser& parser);

// --- LIST / LSUB ---
struct ListRequest {
    bool extended = false;  ///< selection options, RETURN or a pattern list was given
    // selection options (RFC 5258 §3.1, RFC 6154 §3)
    bool select_subscribed = false;
    bool select_remote = false;
    bool select_recursive_match = false;
    bool select_special_use = false;
    std::string reference;              ///< decoded mailbox (may be "")
    std::vector<std::string> patterns;  ///< decoded list-mailbox patterns (at least one)
    // return options (RFC 5258 §3.2, RFC 6154 §3, RFC 5819)
    bool return_subscribed = false;
    bool return_children = false;
    bool return_special_use = false;
    std::optional<std::uint16_t> return_status;  ///< StatusItem bits
};
/// LIST (lsub = false) or LSUB (lsub = true: "reference SP pattern" only).
std::optional<ListRequest> parse_list(Parser& parser, bool lsub = false);

// --- APPEND ---
struct AppendMessage {
    std::vector<std::string> flags;
    std::optional<DateTime> internal_date;
    LiteralRef literal;  ///< streamed (octets already with the session) or buffered
    bool utf8 = false;   ///< "UTF8 (~{n})" (RFC 6855 §4)
};
struct AppendRequest {
    std::string mailbox;
    std::vector<AppendMessage> messages;  ///< more than one with MULTIAPPEND (RFC 3502)
};
std::optional<AppendRequest> parse_append(Parser& parser);

/// True when literal `index` of the partially assembled `command` is an APPEND message (so the
/// assembler streams it rather than buffering it). Used by CommandAssembler.
bool append_literal_is_message(const CommandBuffer& command, std::size_t index,
                               ParserOptions options);

// --- ENABLE, ID ---
/// capability names, upper-cased (RFC 5161 §3.1 / RFC 9051 §6.3.1).
std::optional<std::vector<std::string>> parse_enable(Parser& parser);

/// RFC 2971 §3.3 bounds.
inline constexpr std::size_t kMaxIdPairs = 30;
inline constexpr std::size_t kMaxIdField = 30;
inline constexpr std::size_t kMaxIdValue = 1024;
using IdParams = std::vector<std::pair<std::string, std::optional<std::string>>>;
/// "NIL" gives an empty list.
std::optional<IdParams> parse_id(Parser& parser);

// --- simple commands ---
struct LoginRequest {
    std::string user;
    std::string password;
};
std::optional<LoginRequest> parse_login(Parser& parser);

struct SelectRequest {
    std::string mailbox;
    bool condstore = false;  ///< (CONDSTORE) (RFC 7162 §3.1.8)
};
std::optional<SelectRequest> parse_select(Parser& parser);

/// COPY / MOVE: sequence-set SP mailbox.
struct CopyRequest {
    SequenceSet set;
    std::string mailbox;
};
std::optional<CopyRequest> parse_copy(Parser& parser);

/// One mailbox argument (CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE): SP mailbox, end.
std::optional<std::string> parse_mailbox_argument(Parser& parser);

/// RENAME: SP mailbox SP mailbox.
std::optional<std::pair<std::string, std::string>> parse_rename(Parser& parser);

}  // namespace hermod::imap::proto
