// transfer.cpp - tolerant base64 / quoted-printable decoders.
#include "mime/transfer.hpp"

#include <array>

#include "mime/header.hpp"

namespace hermod::mime {
namespace {

constexpr std::array<std::int8_t, 256> make_table() {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t)
        v = -1;
    for (int i = 0; i < 26; ++i) {
        t['A' + i] = static_cast<std::int8_t>(i);
        t['a' + i] = static_cast<std::int8_t>(26 + i);
    }
    for (int i = 0; i < 10; ++i)
        t['0' + i] = static_cast<std::int8_t>(52 + i);
    t['+'] = 62;
    t['/'] = 63;
    return t;
}
constexpr auto kB64 = make_table();

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

Encoding encoding_kind(std::string_view cte) {
    while (!cte.empty() && (cte.front() == ' ' || cte.front() == '\t'))
        cte.remove_prefix(1);
    while (!cte.empty() && (cte.back() == ' ' || cte.back() == '\t'))
        cte.remove_suffix(1);
    if (cte.empty() || iequals(cte, "7bit") || iequals(cte, "8bit") || iequals(cte, "binary"))
        return Encoding::Identity;
    if (iequals(cte, "base64")) return Encoding::Base64;
    if (iequals(cte, "quoted-printable")) return Encoding::QuotedPrintable;
    return Encoding::Unknown;
}

void Base64Decoder::feed(std::string_view text, std::string& out) {
    if (done_) return;
    for (char ch : text) {
        if (ch == '=') {
            // Padding ends the data (RFC 2045 §6.8); leftover bits are discarded.
            done_ = true;
            return;
        }
        int v = kB64[static_cast<unsigned char>(ch)];
        if (v < 0) continue;
        acc_ = (acc_ << 6) | static_cast<std::uint32_t>(v);
        bits_ += 6;
        if (bits_ >= 8) {
            bits_ -= 8;
            out.push_back(static_cast<char>((acc_ >> bits_) & 0xFF));
        }
    }
}

std::string decode_base64(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3 + 3);
    Base64Decoder d;
    d.feed(text, out);
    return out;
}

std::string decode_quoted_printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        // Copy a run of ordinary characters; handle line ends and '=' specially.
        std::size_t j = text.find_first_of("=\r\n \t", i);
        if (j == std::string_view::npos) j = n;
        out.append(text.substr(i, j - i));
        i = j;
        if (i >= n) break;
        char c = text[i];
        if (c == ' ' || c == '\t') {
            // §6.7 rule 3: white space at the end of a line is padding, not data.
            std::size_t k = i;
            while (k < n && (text[k] == ' ' || text[k] == '\t'))
                ++k;
            if (k == n || text[k] == '\n' ||
                (text[k] == '\r' && k + 1 < n && text[k + 1] == '\n')) {
                i = k;
            } else {
                out.append(text.substr(i, k - i));
                i = k;
            }
        } else if (c == '\r' || c == '\n') {
            out.push_back(c);
            ++i;
        } else {  // '='
            if (i + 2 < n && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
                out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
                i += 3;
                continue;
            }
            // Soft line break, possibly with (illegal) white space before it.
            std::size_t k = i + 1;
            while (k < n && (text[k] == ' ' || text[k] == '\t'))
                ++k;
            if (k == n) {
                i = n;
            } else if (text[k] == '\n') {
                i = k + 1;
            } else if (text[k] == '\r' && k + 1 < n && text[k + 1] == '\n') {
                i = k + 2;
            } else {
                out.push_back('=');  // broken escape: keep it literally
                ++i;
            }
        }
    }
    return out;
}

std::string decode_transfer(std::string_view body, Encoding encoding) {
    switch (encoding) {
        case Encoding::Base64:
            return decode_base64(body);
        case Encoding::QuotedPrintable:
            return decode_quoted_printable(body);
        default:
            return std::string(body);
    }
}

}  // namespace hermod::mime
