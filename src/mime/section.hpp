// section.hpp - IMAP part numbers (RFC 9051 §6.4.5 BODY[<section>]) over a parsed Structure,
// and decoded part content for SEARCH BODY/TEXT and BINARY[].
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mime/structure.hpp"

namespace hermod::mime {

/// The part addressed by `path` ("1.2.3" = {1, 2, 3}); an empty path is `root`. Rules of
/// RFC 9051 §6.4.5: numbers index a multipart's children; a non-multipart message has exactly
/// part 1 (itself); in a message/rfc822 part numbering continues inside the embedded message,
/// so "2.1" is that message's first part (or the message itself when it is not multipart).
/// nullptr when no such part exists.
/// For "N.HEADER" / "N.TEXT" use embedded(*find_section(...)); for "N.MIME" the part's own
/// header_offset/header_size.
const Part* find_section(const Part& root, std::span<const std::uint32_t> path);

/// The embedded message of a message/rfc822 part, or nullptr.
inline const Part* embedded(const Part& p) {
    return p.is_message() ? &p.children[0] : nullptr;
}

/// The part's body with its Content-Transfer-Encoding removed (BINARY[], RFC 3516).
std::string decoded_body(std::string_view message, const Part& p);

/// For text/* parts: the decoded body converted from its charset to UTF-8 (SEARCH BODY/TEXT).
/// Empty for other types.
std::string body_text_utf8(std::string_view message, const Part& p);

}  // namespace hermod::mime
