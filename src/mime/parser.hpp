// parser.hpp - builds a Structure from a whole message (RFC 5322, RFC 2045/2046).
// Boundaries follow Dovecot's message-parser: a line "--" + boundary ends a part when the
// boundary is a prefix of the rest of the line (RFC 2046 §5.1.1 allows trailing garbage), the
// longest matching enclosing boundary wins, and a boundary line inside a part's header ends
// that header. CRLF and bare LF are both line ends.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "mime/structure.hpp"

namespace hermod::mime {

struct Limits {
    std::size_t max_depth = 64;     ///< config limits.mime_depth (capped at 1000 internally)
    std::size_t max_parts = 10000;  ///< all parts in the tree, root included
    std::size_t max_header_size = 1 << 20;  ///< per part; beyond it the rest is body
    std::size_t max_header_fields = 10000;  ///< per part; further fields are ignored
    bool message_global_is_message = true;  ///< RFC 6532 §3.5 (Dovecot 2.3: leaf)
};

/// Never fails and never reads outside `message`.
Structure parse(std::string_view message, const Limits& limits = {});

/// Content-Type value parse (RFC 2045 §5.1 with RFC 2231 parameters): type, subtype lower-cased.
/// False when there is not even a type token; like Dovecot, "type" without a valid "/subtype"
/// gives an empty subtype (IMAP: "plain" for text, else "unknown") and no parameters.
bool parse_content_type(std::string_view raw, std::string& type, std::string& subtype,
                        std::vector<Param>& params);
/// Content-Disposition (RFC 2183): the disposition type lower-cased and its parameters.
bool parse_disposition(std::string_view raw, std::string& type, std::vector<Param>& params);
/// The parameter list part ("; a=b; c*0=..."), RFC 2231 §3-4 merged and decoded.
std::vector<Param> parse_params(std::string_view raw);

/// The parameter named `name`, or nullptr.
const Param* find_param(const std::vector<Param>& params, std::string_view name);

}  // namespace hermod::mime
