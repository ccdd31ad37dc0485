// header.hpp - RFC 5322 §2.2 header fields: iteration over a header block, unfolding
// (§2.2.3) and case-insensitive lookup.
// Tolerant like Dovecot: bare LF ends lines, a line without ':' is a field with an empty value,
// white space before ':' is ignored, a leading continuation line is dropped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.hpp"

namespace hermod::mime {

struct HeaderField {
    std::string_view name;   ///< as written, without trailing white space
    std::string_view value;  ///< raw, still folded: after ':' up to (excluding) the last line end
    std::size_t offset = 0;  ///< of the field's first byte within the parsed block
    std::size_t size = 0;    ///< field bytes including its final line end
};

/// Offset just past the header section starting at `text[0]`: after the empty line, or
/// text.size() when there is none. At most `max_size` bytes are examined; when no empty line
/// is found within them the section ends at the last line end before the limit.
std::size_t header_end(std::string_view text, std::size_t max_size = std::string_view::npos);

/// Fields of a header block (the empty line, if included, ends it). At most `max_fields`.
std::vector<HeaderField> parse_header(std::string_view block,
                                      std::size_t max_fields = std::string_view::npos);

/// RFC 5322 §2.2.3 unfolding: CR and LF removed, leading white space dropped. This is the form
/// IMAP ENVELOPE sends.
std::string unfold(std::string_view value);

using hermod::iequals;  // ASCII case-insensitive, common/ascii.hpp

/// First field named `name` (case-insensitive), or nullptr.
const HeaderField* find_field(const std::vector<HeaderField>& fields, std::string_view name);

/// RFC 5322 §3.2.2: `s[pos]` is "(" of a comment; returns the position just after its closing
/// ")" (nested comments and quoted-pairs included), or s.size() when it never closes.
std::size_t skip_comment(std::string_view s, std::size_t pos);

}  // namespace hermod::mime
