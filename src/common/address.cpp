#include "common/address.hpp"

#include <cstring>

namespace hermod {

namespace {

// RFC 5322 §3.2.3 atext, plus any UTF-8 octet (RFC 6531 §3.3 atext = atext / UTF8-non-ascii).
bool is_atext(unsigned char c) {
    if (c >= 0x80) return true;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c != 0 && std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

bool is_dot_atom(std::string_view s) {
    if (s.empty() || s.size() > 64 || s.front() == '.' || s.back() == '.') return false;
    char prev = 0;
    for (char ch : s) {
        if (ch == '.') {
            if (prev == '.') return false;
        } else if (!is_atext(static_cast<unsigned char>(ch))) {
            return false;
        }
        prev = ch;
    }
    return true;
}

}  // namespace

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool is_valid_domain(std::string_view d) {
    if (!d.empty() && d.back() == '.') d.remove_suffix(1);
    if (d.empty() || d.size() > 253) return false;
    std::size_t start = 0;
    while (start <= d.size()) {
        std::size_t end = d.find('.', start);
        if (end == std::string_view::npos) end = d.size();
        std::string_view label = d.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (char ch : label) {
            auto c = static_cast<unsigned char>(ch);
            bool ok = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '-';
            if (!ok) return false;
        }
        start = end + 1;
    }
    return true;
}

std::optional<Address> parse_address(std::string_view text) {
    auto at = text.rfind('@');
    if (at == std::string_view::npos || at == 0) return std::nullopt;
    std::string_view local = text.substr(0, at);
    std::string_view domain = text.substr(at + 1);
    if (!is_dot_atom(local) || !is_valid_domain(domain)) return std::nullopt;
    if (domain.back() == '.') domain.remove_suffix(1);
    return Address{ascii_lower(local), ascii_lower(domain)};
}

}  // namespace hermod
