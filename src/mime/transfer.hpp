// transfer.hpp - Content-Transfer-Encoding decoders (RFC 2045 §6.7, §6.8) for BINARY[] and
// SEARCH body text. Tolerant: characters outside the alphabet are skipped, broken escapes
// are kept literally. Output is never larger than the input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hermod::mime {

enum class Encoding : std::uint8_t { Identity, Base64, QuotedPrintable, Unknown };

/// Classifies a Content-Transfer-Encoding value: 7bit/8bit/binary (and empty) are Identity.
Encoding encoding_kind(std::string_view cte);

/// RFC 2045 §6.8: skips characters outside the alphabet; stops at the first '=' pad group;
/// drops a trailing incomplete quantum's partial byte.
std::string decode_base64(std::string_view text);

/// RFC 2045 §6.7: "=XX" (either case), soft line breaks "=\r\n" / "=\n" (also with trailing
/// white space before the break), trailing white space on lines removed.
std::string decode_quoted_printable(std::string_view text);

/// Decodes `body` for the given encoding; Identity and Unknown return it unchanged.
std::string decode_transfer(std::string_view body, Encoding encoding);

/// Incremental base64 decoder for large bodies.
class Base64Decoder {
  public:
    void feed(std::string_view text, std::string& out);
    bool finished() const { return done_; }

  private:
    std::uint32_t acc_ = 0;
    int bits_ = 0;
    bool done_ = false;
};

}  // namespace hermod::mime
