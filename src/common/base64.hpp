// base64.hpp - RFC 4648 §4 base64 (SASL exchanges in SMTP, IMAP and POP3; MIME bodies).
// Security: decodes pre-authentication peer input; strict (no white space, no missing or
// misplaced padding, no non-zero pad bits) so one credential has exactly one encoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hermod {

std::string base64_encode(std::string_view bytes);

/// Strict decode: length a multiple of 4, alphabet A-Z a-z 0-9 + /, '=' only as final padding,
/// unused bits zero. The empty string decodes to the empty string. nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace hermod
