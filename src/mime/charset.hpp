// charset.hpp - conversion of any MIME charset to UTF-8 (RFC 2047 words, RFC 2231 parameters,
// body text for SEARCH). Uses glibc iconv.
#pragma once

#include <string>
#include <string_view>

namespace hermod::mime {

/// Appends `bytes` in `charset` to `out` as UTF-8. Never fails: invalid sequences become U+FFFD;
/// an unknown charset keeps the bytes when they are valid UTF-8, else repairs them like
/// append_utf8_lossy().
void append_as_utf8(std::string& out, std::string_view bytes, std::string_view charset);

inline std::string to_utf8(std::string_view bytes, std::string_view charset) {
    std::string out;
    append_as_utf8(out, bytes, charset);
    return out;
}

/// Appends `bytes`, replacing every ill-formed UTF-8 sequence with U+FFFD.
void append_utf8_lossy(std::string& out, std::string_view bytes);

/// True for charsets whose bytes are UTF-8 already (us-ascii, utf-8 and their aliases).
bool is_utf8_compatible(std::string_view charset);

}  // namespace hermod::mime
