// mailbox_name.cpp - modified UTF-7 (RFC 3501 §5.1.3, RFC 2152 with ',' for '/') and mailbox
// name checks.
#include "imap/proto/mailbox_name.hpp"

#include <array>
#include <cstdint>
#include <vector>

#include "common/utf8.hpp"

namespace hermod::imap::proto {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == ',') return 63;
    return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Decodes one code point of valid UTF-8 at `i`, advancing it.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
    auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    std::uint32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < len && i + k < s.size(); ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    return cp;
}

bool is_direct(unsigned char c) {
    return c >= 0x20 && c <= 0x7E;
}

// Flushes pending UTF-16 units as one base64 run "&...-".
void flush_run(std::string& out, const std::vector<std::uint16_t>& units) {
    out += '&';
    std::uint32_t bits = 0;
    int nbits = 0;
    for (std::uint16_t u : units) {
        bits = (bits << 16) | u;
        nbits += 16;
        while (nbits >= 6) {
            nbits -= 6;
            out += kAlphabet[(bits >> nbits) & 0x3F];
        }
        bits &= (1u << nbits) - 1;
    }
    if (nbits > 0) out += kAlphabet[(bits << (6 - nbits)) & 0x3F];
    out += '-';
}

}  // namespace

std::optional<std::string> mutf7_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    bool after_run = false;  // the previous element was a base64 run
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c != '&') {
            if (!is_direct(c)) return std::nullopt;
            out += static_cast<char>(c);
            ++i;
            after_run = false;
            continue;
        }
        ++i;
        if (i < text.size() && text[i] == '-') {  // "&-" is '&'
            out += '&';
            ++i;
            after_run = false;
            continue;
        }
        if (after_run) return std::nullopt;  // "&AGE-&AGE-": runs must be merged
        std::uint32_t bits = 0;
        int nbits = 0;
        std::uint32_t high = 0;  // pending high surrogate
        bool any = false;
        while (true) {
            if (i >= text.size()) return std::nullopt;  // unterminated run
            char d = text[i++];
            if (d == '-') break;
            int v = b64_value(d);
            if (v < 0) return std::nullopt;
            bits = (bits << 6) | static_cast<std::uint32_t>(v);
            nbits += 6;
            if (nbits >= 16) {
                nbits -= 16;
                auto unit = static_cast<std::uint16_t>((bits >> nbits) & 0xFFFF);
                bits &= (1u << nbits) - 1;
                any = true;
                if (high) {
                    if (unit < 0xDC00 || unit > 0xDFFF) return std::nullopt;
                    append_utf8(out, 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00));
                    high = 0;
                } else if (unit >= 0xD800 && unit <= 0xDBFF) {
                    high = unit;
                } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
                    return std::nullopt;  // lone low surrogate
                } else {
                    if (unit >= 0x20 && unit <= 0x7E) return std::nullopt;  // must be direct
                    append_utf8(out, unit);
                }
            }
        }
        // Padding: fewer than 6 leftover bits, all zero; a complete run; no open surrogate.
        if (!any || high || nbits >= 6 || bits != 0) return std::nullopt;
        after_run = true;
    }
    return out;
}

std::string mutf7_encode(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    std::vector<std::uint16_t> units;
    std::size_t i = 0;
    while (i < utf8.size()) {
        auto c = static_cast<unsigned char>(utf8[i]);
        if (is_direct(c)) {
            if (!units.empty()) {
                flush_run(out, units);
                units.clear();
            }
            out += static_cast<char>(c);
            if (c == '&') out += '-';
            ++i;
            continue;
        }
        std::uint32_t cp = next_code_point(utf8, i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            units.push_back(static_cast<std::uint16_t>(0xD800 + (cp >> 10)));
            units.push_back(static_cast<std::uint16_t>(0xDC00 + (cp & 0x3FF)));
        } else {
            units.push_back(static_cast<std::uint16_t>(cp));
        }
    }
    if (!units.empty()) flush_run(out, units);
    return out;
}

bool is_inbox(std::string_view name) {
    static constexpr std::string_view kInbox = "INBOX";
    if (name.size() != kInbox.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c != kInbox[i]) return false;
    }
    return true;
}

std::string normalize_inbox(std::string name) {
    std::string_view first = std::string_view(name).substr(0, name.find(kHierarchySeparator));
    if (is_inbox(first)) name.replace(0, first.size(), "INBOX");
    return name;
}

std::optional<std::string_view> mailbox_name_problem(std::string_view utf8) {
    if (utf8.empty()) return "empty mailbox name";
    if (utf8.size() > kMaxMailboxName) return "mailbox name too long";
    if (!is_valid_utf8(utf8)) return "mailbox name is not valid UTF-8";
    std::size_t i = 0;
    while (i < utf8.size()) {
        std::uint32_t cp = next_code_point(utf8, i);
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return "control character in mailbox name";
        if (cp == '%' || cp == '*') return "wildcard in mailbox name";
    }
    if (utf8.front() == kHierarchySeparator || utf8.back() == kHierarchySeparator ||
        utf8.find("//") != std::string_view::npos)
        return "empty hierarchy level in mailbox name";
    return std::nullopt;
}

}  // namespace hermod::imap::proto
