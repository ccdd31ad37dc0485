// section.cpp - part addressing and body decoding on top of the stored structure.
#include "mime/section.hpp"

#include "mime/charset.hpp"
#include "mime/parser.hpp"
#include "mime/transfer.hpp"

namespace hermod::mime {

const Part* find_section(const Part& root, std::span<const std::uint32_t> path) {
    const Part* cur = &root;
    bool at_message = true;  // cur is a message whose body is being numbered
    for (std::uint32_t n : path) {
        if (n == 0) return nullptr;
        const Part* container = cur;
        if (!at_message) {
            // In a message/rfc822 part numbering continues inside the embedded message.
            if (const Part* m = embedded(*cur))
                container = m;
            else if (!cur->is_multipart())
                return nullptr;
        }
        if (container->is_multipart()) {
            if (n > container->children.size()) return nullptr;
            cur = &container->children[n - 1];
        } else {
            if (n != 1) return nullptr;  // a non-multipart message has only part 1: itself
            cur = container;
        }
        at_message = false;
    }
    return cur;
}

std::string decoded_body(std::string_view message, const Part& p) {
    if (p.body_offset + p.body_size > message.size()) return {};
    std::string_view body = message.substr(p.body_offset, p.body_size);
    return decode_transfer(body, encoding_kind(p.encoding.value_or("")));
}

std::string body_text_utf8(std::string_view message, const Part& p) {
    if (p.type != "text") return {};
    const Param* cs = find_param(p.params, "charset");
    std::string bytes = decoded_body(message, p);
    return to_utf8(bytes, cs ? std::string_view(cs->decoded) : std::string_view("us-ascii"));
}

}  // namespace hermod::mime
