// search.hpp - evaluating a parsed SEARCH key (proto::SearchKey, RFC 9051 §6.4.4) on one
// message. Metadata keys (flags, dates, sizes, sets) never touch the message; string and SENT*
// keys load the octets and the parsed structure through the callbacks, once per matches() call.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/proto/search.hpp"
#include "mime/structure.hpp"

namespace hermod::imap::message {

// store::Flag bits, copied so this library does not link the store.
inline constexpr std::uint32_t kFlagSeen = 1u << 0;
inline constexpr std::uint32_t kFlagAnswered = 1u << 1;
inline constexpr std::uint32_t kFlagFlagged = 1u << 2;
inline constexpr std::uint32_t kFlagDeleted = 1u << 3;
inline constexpr std::uint32_t kFlagDraft = 1u << 4;

/// What a key may look at. Metadata is always there; the message octets and the parsed
/// structure are loaded only when a key needs them (flag-only searches never touch bodies).
struct SearchMessage {
    std::uint32_t seq = 0, uid = 0;
    std::uint32_t flags = 0;                             ///< kFlag* bits
    const std::vector<std::string>* keywords = nullptr;  ///< nullptr = none
    bool recent = false;
    std::int64_t internal_date = 0;  ///< unix seconds
    std::uint64_t size = 0, modseq = 0;
    /// Lazily loaded, cached by the caller. Unset = an empty message.
    std::function<const mime::Structure&()> structure;
    /// The whole message octets, lazily. Unset = an empty message.
    std::function<std::string_view()> text;
};

struct SearchContext {
    std::int64_t now = 0;  ///< unix seconds, for OLDER / YOUNGER
    int zone_minutes = 0;  ///< server zone east of UTC, for BEFORE / ON / SINCE
    std::uint32_t largest_seq = 0, largest_uid = 0;  ///< what "*" means
    /// "$" of RFC 5182 as UIDs, sorted ascending (nullptr = nothing saved: "$" matches none).
    const std::vector<std::uint32_t>* saved_uids = nullptr;
};

/// True when `m` matches `key`.
bool matches(const proto::SearchKey& key, SearchMessage& m, const SearchContext& ctx);

/// True when evaluating `key` needs the structure or the text (so the caller can batch loads).
bool needs_content(const proto::SearchKey& key);

/// The case-folded form string keys are compared in: ASCII plus the common cased scripts
/// (Latin-1, Latin Extended-A/B and Additional, Greek, Cyrillic, Armenian, fullwidth Latin)
/// mapped one code point to one (Unicode simple case folding, a subset). Bytes that are not
/// valid UTF-8 are kept as they are.
std::string fold_case(std::string_view utf8);

}  // namespace hermod::imap::message
