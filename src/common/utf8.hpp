// utf8.hpp - UTF-8 validation shared by every protocol parser (SMTPUTF8 paths, SASL fields,
// IMAP UTF8=ACCEPT, MIME decoding).
#pragma once

#include <string_view>

namespace hermod {

/// True when `text` is well-formed UTF-8 (RFC 3629 §4): no overlong forms, no surrogates,
/// nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

}  // namespace hermod
