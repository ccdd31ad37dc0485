// fetch.hpp - FETCH arguments (RFC 9051 §6.4.5, §9 fetch-att; RFC 3516 BINARY; RFC 7162
// CHANGEDSINCE/MODSEQ): the macros ALL/FAST/FULL, every fetch-att, body sections with part
// numbers, HEADER.FIELDS[.NOT] lists and partials.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imap/proto/parser.hpp"
#include "imap/proto/sequence_set.hpp"

namespace hermod::imap::proto {

enum class FetchItem : std::uint8_t {
    Envelope,
    Flags,
    InternalDate,
    Rfc822Size,
    Rfc822,        ///< = BODY[] (rev1)
    Rfc822Header,  ///< = BODY.PEEK[HEADER] (rev1)
    Rfc822Text,    ///< = BODY[TEXT] (rev1)
    Body,          ///< BODYSTRUCTURE without extension data
    BodyStructure,
    Uid,
    BodySection,    ///< BODY[section]<partial> / BODY.PEEK[...]
    BinarySection,  ///< BINARY[part]<partial> / BINARY.PEEK[...] (RFC 3516 §4.2)
    BinarySize,     ///< BINARY.SIZE[part]
    ModSeq,         ///< MODSEQ (RFC 7162 §3.1.4.1)
};

enum class SectionText : std::uint8_t {
    None,             ///< the whole part (BODY[] or BODY[1.2])
    Header,           ///< HEADER
    HeaderFields,     ///< HEADER.FIELDS (list)
    HeaderFieldsNot,  ///< HEADER.FIELDS.NOT (list)
    Text,             ///< TEXT
    Mime,             ///< MIME (only after a part number)
};

struct Section {
    std::vector<std::uint32_t> part;  ///< "1.2.3" -> {1,2,3}; empty for the message
    SectionText text = SectionText::None;
    std::vector<std::string> fields;  ///< header field names as sent, for HEADER.FIELDS*
    bool operator==(const Section&) const = default;
};

struct Partial {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;  ///< non-zero
    bool operator==(const Partial&) const = default;
};

struct FetchAttribute {
    FetchItem item = FetchItem::Flags;
    bool peek = false;  ///< BODY.PEEK / BINARY.PEEK: do not set \Seen
    Section section;    ///< BodySection, BinarySection (part only), BinarySize (part only)
    std::optional<Partial> partial;
    bool operator==(const FetchAttribute&) const = default;
};

struct FetchRequest {
    SequenceSet set;
    std::vector<FetchAttribute> attributes;      ///< macros expanded, in the order given
    std::optional<std::uint64_t> changed_since;  ///< (CHANGEDSINCE n) (RFC 7162 §3.1.4.1)
    bool vanished = false;                       ///< (VANISHED) (RFC 7162 §3.2.6)
    /// True when any attribute may set \Seen (BODY[...] without PEEK, BINARY[...], RFC822,
    /// RFC822.TEXT).
    bool sets_seen() const;
};

/// Upper-limit on attributes in one FETCH.
inline constexpr std::size_t kMaxFetchAttributes = 64;
/// Upper-limit on header field names in one HEADER.FIELDS list, and parts in a section.
inline constexpr std::size_t kMaxHeaderFields = 256;
inline constexpr std::size_t kMaxSectionParts = 32;

/// Parses "sequence-set SP (macro / fetch-att / "(" fetch-att *(SP fetch-att) ")")
/// [SP fetch-modifiers]" up to the end of the command. The parser stands after the command
/// name (at the SP). nullopt with parser.error() on failure.
std::optional<FetchRequest> parse_fetch(Parser& parser);

/// Parses one fetch-att (exposed for tests and the fuzzer).
std::optional<FetchAttribute> parse_fetch_attribute(Parser& parser);

/// The wire name for the response item: "BODY[1.2.HEADER.FIELDS (FROM TO)]<0>" (RFC 9051 §7.5.2:
/// the origin octet only, field names as requested, PEEK never echoed).
std::string fetch_response_name(const FetchAttribute& attribute);

}  // namespace hermod::imap::proto
