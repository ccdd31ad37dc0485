// encoded_word.cpp - RFC 2047 decoding. Adjacent words in the same charset are converted
// together, so a multi-byte character split across two words (common with ISO-2022-JP and
// UTF-8 senders) still decodes.
#include "mime/encoded_word.hpp"

#include "mime/charset.hpp"
#include "mime/header.hpp"
#include "mime/transfer.hpp"

namespace hermod::mime {
namespace {

constexpr std::size_t kMaxWordText = 2000;

struct Word {
    std::string_view charset;
    std::string bytes;
    std::size_t end = 0;  ///< offset just past "?="
};

int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// RFC 2047 §4.2: Q encoding ('_' is space).
std::string decode_q(std::string_view t) {
    std::string out;
    out.reserve(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '_') {
            out.push_back(' ');
        } else if (t[i] == '=' && i + 2 < t.size() && hexval(t[i + 1]) >= 0 &&
                   hexval(t[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexval(t[i + 1]) * 16 + hexval(t[i + 2])));
            i += 2;
        } else {
            out.push_back(t[i]);
        }
    }
    return out;
}

// Parses "=?cs?E?text?=" at `pos` (which points at "=?").
bool parse_word(std::string_view s, std::size_t pos, Word& w) {
    std::size_t q1 = s.substr(pos + 2, 80).find('?');  // charset names are short
    if (q1 == std::string_view::npos || q1 == 0) return false;
    q1 += pos + 2;
    if (q1 + 2 >= s.size() || s[q1 + 2] != '?') return false;
    char enc = s[q1 + 1];
    std::size_t text_begin = q1 + 3;
    // RFC 2047 §2 allows 75 characters; real senders exceed that, but a bound keeps a hostile
    // header of unterminated "=?" from costing quadratic time.
    std::size_t close = s.substr(text_begin, kMaxWordText).find("?=");
    if (close == std::string_view::npos) return false;
    close += text_begin;
    std::string_view charset = s.substr(pos + 2, q1 - pos - 2);
    if (charset.find_first_of(" \t\r\n") != std::string_view::npos) return false;
    std::string_view text = s.substr(text_begin, close - text_begin);
    if (text.find_first_of(" \t") != std::string_view::npos) return false;
    // RFC 2231 §5: "charset*language".
    if (auto star = charset.find('*'); star != std::string_view::npos)
        charset = charset.substr(0, star);
    if (enc == 'B' || enc == 'b') {
        w.bytes = decode_base64(text);
    } else if (enc == 'Q' || enc == 'q') {
        w.bytes = decode_q(text);
    } else {
        return false;
    }
    w.charset = charset;
    w.end = close + 2;
    return true;
}

}  // namespace

std::string decode_encoded_words(std::string_view raw) {
    std::string unfolded = unfold(raw);
    std::string_view s = unfolded;
    std::string out;
    out.reserve(s.size());
    std::size_t pos = 0;
    // Pending bytes of consecutive words in one charset, converted together.
    std::string pending;
    std::string_view pending_charset;
    auto flush = [&] {
        if (!pending.empty()) append_as_utf8(out, pending, pending_charset);
        pending.clear();
    };
    bool last_was_word = false;
    while (pos < s.size()) {
        std::size_t start = s.find("=?", pos);
        if (start == std::string_view::npos) start = s.size();
        std::string_view between = s.substr(pos, start - pos);
        Word w;
        bool is_word = start < s.size() && parse_word(s, start, w);
        bool only_ws = between.find_first_not_of(" \t") == std::string_view::npos;
        if (is_word) {
            // RFC 2047 §6.2: white space between adjacent encoded words is ignored.
            if (!(last_was_word && only_ws)) {
                flush();
                append_utf8_lossy(out, between);
            } else if (!iequals(w.charset, pending_charset)) {
                flush();
            }
            pending_charset = w.charset;
            pending += w.bytes;
            pos = w.end;
            last_was_word = true;
        } else {
            flush();
            std::size_t stop = start < s.size() ? start + 2 : s.size();
            append_utf8_lossy(out, s.substr(pos, stop - pos));
            pos = stop;
            last_was_word = false;
        }
    }
    flush();
    return out;
}

}  // namespace hermod::mime
