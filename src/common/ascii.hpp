// ascii.hpp - ASCII case folding for protocol keywords (SMTP verbs, POP3/IMAP commands, SASL
// mechanism and hash scheme names): locale-independent, so a Turkish locale can never make
// "quit" differ from "QUIT", and bytes >= 0x80 are left alone.
#pragma once

#include <string_view>

namespace hermod {

constexpr char ascii_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

constexpr char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Equal ignoring ASCII case.
constexpr bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
    return true;
}

/// `s` starts with `prefix`, ignoring ASCII case.
constexpr bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace hermod
