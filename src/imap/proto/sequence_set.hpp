// sequence_set.hpp - IMAP sequence sets (RFC 9051 §9 sequence-set, seq-range, "*"; RFC 5182
// "$" SEARCHRES) and the compact uid-set formatter used by COPYUID/APPENDUID (RFC 4315 §3) and
// ESEARCH ALL (RFC 4731 §3.1).
// Security: sets come from the peer. A set is kept as sent (bounded by the command size); it is
// never expanded to one entry per number, resolve() merges ranges instead.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hermod::imap::proto {

/// "*": the largest number in use (RFC 9051 §9 seq-number).
inline constexpr std::uint32_t kStar = 0xFFFFFFFFu;

/// One seq-number or seq-range as sent: first may be greater than last ("4:2" == "2:4").
struct SeqRange {
    std::uint32_t first = 0;  ///< nz-number or kStar
    std::uint32_t last = 0;   ///< equal to first for a single number
    bool operator==(const SeqRange&) const = default;
};

struct SequenceSet {
    std::vector<SeqRange> ranges;  ///< empty when saved
    bool saved = false;            ///< "$": the result saved by SEARCH RETURN (SAVE) (RFC 5182)

    /// Normalised ranges (low <= high), "*" replaced by `largest`, sorted and merged; ranges
    /// that become empty ("*" of an empty mailbox) are dropped; empty for a saved set ("$",
    /// which the session resolves). Numbers above `largest` are kept: the caller decides (UID
    /// sets ignore them, RFC 9051 §6.4.9; message sequence numbers past the end are a BAD,
    /// see max_number()).
    std::vector<SeqRange> resolve(std::uint32_t largest) const;
    /// True when `n` is in the set, "*" meaning `largest`.
    bool contains(std::uint32_t n, std::uint32_t largest) const;
    /// Highest number the set names, "*" meaning `largest` (0 for an empty/saved set).
    std::uint32_t max_number(std::uint32_t largest) const;
    /// Wire form as sent ("1:3,5,7:*" or "$").
    std::string to_string() const;
    bool operator==(const SequenceSet&) const = default;
};

/// Compact uid-set of `uids` in the given order: consecutive ascending runs become "a:b"
/// ("1:3,5"). COPYUID needs both sets in corresponding order (RFC 4315 §3), so nothing is sorted.
/// Empty input gives "".
std::string format_uid_set(std::span<const std::uint32_t> uids);

/// Sorts and merges ranges (low <= high) into the compact form ("1:3,5").
std::string format_ranges(std::span<const SeqRange> ranges);

}  // namespace hermod::imap::proto
