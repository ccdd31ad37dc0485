// encoded_word.hpp - RFC 2047 encoded words to UTF-8, for SEARCH and display.
#pragma once

#include <string>
#include <string_view>

namespace hermod::mime {

/// Decodes every "=?charset[*lang]?B|Q?text?=" in `text` (unfolding it first) and converts the
/// result to UTF-8; other bytes go through append_utf8_lossy(). White space between two
/// adjacent encoded words is dropped (RFC 2047 §6.2). Like Dovecot, words need not be
/// separated from surrounding text, and malformed words are kept literally.
std::string decode_encoded_words(std::string_view text);

}  // namespace hermod::mime
