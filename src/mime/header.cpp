// header.cpp - header block scanning with memchr over lines.
#include "mime/header.hpp"

#include <cstring>

namespace hermod::mime {
namespace {

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

// End of the line starting at `pos` (just past its LF), or text.size().
std::size_t line_end(std::string_view text, std::size_t pos) {
    const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
    return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) + 1
              : text.size();
}

bool is_empty_line(std::string_view text, std::size_t pos) {
    return pos < text.size() && (text[pos] == '\n' || (text[pos] == '\r' && pos + 1 < text.size() &&
                                                       text[pos + 1] == '\n'));
}

std::size_t strip_eol(std::string_view text, std::size_t begin, std::size_t end) {
    if (end > begin && text[end - 1] == '\n') --end;
    if (end > begin && text[end - 1] == '\r') --end;
    return end;
}

}  // namespace

std::size_t header_end(std::string_view text, std::size_t max_size) {
    std::size_t limit = max_size < text.size() ? max_size : text.size();
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (is_empty_line(text, pos)) return line_end(text, pos);
        std::size_t next = line_end(text, pos);
        if (next > limit) return pos == 0 ? limit : pos;  // RFC-less cap: the rest is body
        pos = next;
    }
    return text.size();
}

std::vector<HeaderField> parse_header(std::string_view block, std::size_t max_fields) {
    std::vector<HeaderField> fields;
    std::size_t pos = 0;
    while (pos < block.size() && !is_empty_line(block, pos)) {
        std::size_t start = pos;
        std::size_t end = line_end(block, pos);
        // RFC 5322 §2.2.3: continuation lines begin with white space.
        while (end < block.size() && is_wsp(block[end]))
            end = line_end(block, end);
        pos = end;
        if (is_wsp(block[start])) continue;  // continuation without a field: dropped
        if (fields.size() >= max_fields) continue;
        std::size_t content_end = strip_eol(block, start, end);
        std::string_view field = block.substr(start, content_end - start);
        std::size_t colon = field.find(':');
        HeaderField f;
        f.offset = start;
        f.size = end - start;
        if (colon == std::string_view::npos) {
            f.name = field;  // Dovecot: a broken line is a field without value
        } else {
            f.name = field.substr(0, colon);
            f.value = field.substr(colon + 1);
        }
        while (!f.name.empty() && is_wsp(f.name.back()))
            f.name.remove_suffix(1);
        fields.push_back(f);
    }
    return fields;
}

std::string unfold(std::string_view value) {
    std::size_t i = 0;
    while (i < value.size() && (is_wsp(value[i]) || value[i] == '\r' || value[i] == '\n'))
        ++i;
    std::string out;
    out.reserve(value.size() - i);
    while (i < value.size()) {
        std::size_t j = value.find_first_of("\r\n", i);
        if (j == std::string_view::npos) j = value.size();
        out.append(value.substr(i, j - i));
        i = j;
        while (i < value.size() && (value[i] == '\r' || value[i] == '\n'))
            ++i;
    }
    return out;
}

const HeaderField* find_field(const std::vector<HeaderField>& fields, std::string_view name) {
    for (const auto& f : fields)
        if (iequals(f.name, name)) return &f;
    return nullptr;
}

std::size_t skip_comment(std::string_view s, std::size_t pos) {
    int depth = 0;
    while (pos < s.size()) {
        char d = s[pos++];
        if (d == '\\') {
            if (pos < s.size()) ++pos;  // never step past the end
        } else if (d == '(') {
            ++depth;
        } else if (d == ')' && --depth == 0) {
            break;
        }
    }
    return pos;
}

}  // namespace hermod::mime
