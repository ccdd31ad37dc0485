// render.hpp - a stored message as IMAP shows it: ENVELOPE, BODY / BODYSTRUCTURE (RFC 9051
// §7.5.2), where the octets of BODY[section] are (RFC 9051 §6.4.5) and BINARY[] content
// (RFC 3516 §4.2). Pure functions over the message bytes and its parsed mime::Structure.
// Reference: Dovecot 2.3.19 output, checked byte for byte over the wire (see render_test.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "imap/proto/encoder.hpp"
#include "imap/proto/fetch.hpp"
#include "mime/structure.hpp"

namespace hermod::imap::message {

/// "(date subject from sender reply-to to cc bcc in-reply-to message-id)". Sender and
/// Reply-To default to From when absent or empty (RFC 3501 §7.4.2). Like Dovecot, subject and
/// display names are written "for humans": white-space runs collapse to one space, leading and
/// trailing space is dropped, and any such change (or a '"', '\' or 8-bit octet) makes the
/// value a literal.
void append_envelope(std::string& out, const mime::Envelope& env, const proto::EncodeOptions& opt);

/// BODY (extended=false) or BODYSTRUCTURE (extended=true) of `part` and its descendants.
/// Dovecot's defaults: ("charset" "us-ascii") appended to text/* parameters without a charset,
/// "7bit" for a missing Content-Transfer-Encoding, a multipart without children written as
/// one empty text/plain part, all four extension fields always present.
void append_body_structure(std::string& out, const mime::Part& part, bool extended,
                           const proto::EncodeOptions& opt);

/// Where the octets of BODY[section] are, before any <partial>.
struct SectionRange {
    std::uint64_t offset = 0, length = 0;
    /// HEADER.FIELDS[.NOT]: the range is the header block; the caller sends
    /// filter_header_fields(block, section.fields, not) instead of the octets themselves.
    bool header_filter = false;
};

/// nullopt when the section does not exist (no such part, HEADER/TEXT of a part that is not
/// message/rfc822, MIME without a part number). RFC 9051 leaves this open; Dovecot answers
/// an empty string (BODY[9] {0}) and the caller should do the same.
std::optional<SectionRange> section_range(const mime::Structure& s, const proto::Section& section,
                                          std::uint64_t message_size);

/// HEADER.FIELDS (exclude=false) / HEADER.FIELDS.NOT (exclude=true): the matching fields
/// (names compared case-insensitively) in their original order, raw and folded as stored,
/// followed by the empty line (RFC 9051 §6.4.5). No match gives just "\r\n", as in Dovecot.
std::string filter_header_fields(std::string_view header_block,
                                 const std::vector<std::string>& fields, bool exclude);

/// BINARY[part] (RFC 3516 §4.2): the part's body with its Content-Transfer-Encoding removed.
/// For a multipart or message/rfc822 part (and for the empty part = whole message, header
/// included) every leaf inside is decoded and each decoded leaf's Content-Transfer-Encoding
/// field is replaced by "Content-Transfer-Encoding: binary" at the end of its header, as
/// Dovecot does. nullopt with unknown_cte=true when a leaf has an unknown encoding (answer
/// NO [UNKNOWN-CTE]); nullopt with unknown_cte=false when the part does not exist (Dovecot
/// answers an empty string). Dovecot sends the result as literal8 (~{n}) exactly when some
/// base64 / quoted-printable leaf was decoded: see binary_was_decoded().
std::optional<std::string> binary_section(std::string_view message, const mime::Structure& s,
                                          std::span<const std::uint32_t> part, bool& unknown_cte);

/// True when BINARY[part] decodes at least one base64 / quoted-printable leaf (Dovecot then
/// answers with a literal8, otherwise with a plain literal).
bool binary_was_decoded(const mime::Structure& s, std::span<const std::uint32_t> part);

}  // namespace hermod::imap::message
