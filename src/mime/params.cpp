// params.cpp - Content-Type / Content-Disposition values and RFC 2231 parameters.
#include <algorithm>
#include <cstring>

#include "mime/charset.hpp"
#include "mime/encoded_word.hpp"
#include "mime/header.hpp"
#include "mime/parser.hpp"

namespace hermod::mime {
namespace {

constexpr std::size_t kMaxParams = 1000;

void to_lower(std::string& s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
}

// RFC 2045 §5.1 token: no CTLs, space or tspecials.
bool is_token_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7F && std::strchr("()<>@,;:\\\"/[]?=", c) == nullptr;
}

struct Cursor {
    std::string_view s;
    std::size_t pos = 0;

    bool end() const { return pos >= s.size(); }
    void skip_cfws() {
        while (!end()) {
            char c = s[pos];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++pos;
            } else if (c == '(') {
                pos = skip_comment(s, pos);
            } else {
                break;
            }
        }
    }
    std::string_view token() {
        std::size_t start = pos;
        while (!end() && is_token_char(s[pos]))
            ++pos;
        return s.substr(start, pos - start);
    }
};

int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string percent_decode(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '%' && i + 2 < v.size() && hexval(v[i + 1]) >= 0 && hexval(v[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexval(v[i + 1]) * 16 + hexval(v[i + 2])));
            i += 2;
        } else {
            out.push_back(v[i]);
        }
    }
    return out;
}

// Dovecot rfc2231_escape(): a plain section inside an extended value only needs '%' escaped.
void escape_percent(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '%')
            out.append("%25");
        else
            out.push_back(c);
    }
}

struct RawParam {
    std::string base;  // lower-cased name without RFC 2231 suffixes
    int section = -1;  // -1: no "*N"
    bool extended = false;
    std::string value;  // unquoted
};

}  // namespace

std::vector<Param> parse_params(std::string_view raw) {
    std::vector<RawParam> raws;
    Cursor c{raw};
    while (!c.end() && raws.size() < kMaxParams) {
        c.skip_cfws();
        if (c.end()) break;
        if (c.s[c.pos] == ';') {
            ++c.pos;
            continue;
        }
        std::string_view name = c.token();
        c.skip_cfws();
        if (name.empty() || c.end() || c.s[c.pos] != '=') {
            // Not "name=value": skip to the next ';'.
            std::size_t semi = c.s.find(';', c.pos + (name.empty() ? 1 : 0));
            c.pos = semi == std::string_view::npos ? c.s.size() : semi;
            continue;
        }
        ++c.pos;
        c.skip_cfws();
        RawParam p;
        if (!c.end() && c.s[c.pos] == '"') {
            ++c.pos;
            while (!c.end() && c.s[c.pos] != '"') {
                if (c.s[c.pos] == '\\' && c.pos + 1 < c.s.size()) ++c.pos;
                p.value.push_back(c.s[c.pos++]);
            }
            // An unterminated quoted value (it ran to the end of the field) is dropped, as
            // Dovecot does: its text is not a usable value.
            if (c.end()) break;
            ++c.pos;
        } else {
            // Tolerant (beyond Dovecot): an unquoted value runs to ';' or white space, so
            // "boundary=----=_Part_1" still works.
            std::size_t start = c.pos;
            while (!c.end() && c.s[c.pos] != ';' && c.s[c.pos] != ' ' && c.s[c.pos] != '\t' &&
                   c.s[c.pos] != '\r' && c.s[c.pos] != '\n')
                ++c.pos;
            p.value.assign(c.s.substr(start, c.pos - start));
        }
        std::string n(name);
        to_lower(n);
        // RFC 2231 §3-4: name*  name*N  name*N*
        if (auto star = n.find('*'); star != std::string::npos) {
            std::string_view suffix = std::string_view(n).substr(star + 1);
            if (suffix.empty()) {
                p.extended = true;
            } else {
                if (suffix.back() == '*') {
                    p.extended = true;
                    suffix.remove_suffix(1);
                }
                if (!suffix.empty() && suffix.size() <= 3 &&
                    std::all_of(suffix.begin(), suffix.end(),
                                [](char d) { return d >= '0' && d <= '9'; })) {
                    p.section = std::stoi(std::string(suffix));
                }
            }
            n.resize(star);
        }
        p.base = std::move(n);
        raws.push_back(std::move(p));
    }

    // Dovecot rfc2231_parse(): plain parameters first, in order; then the RFC 2231 ones
    // merged per name (sorted by name). Names whose sections are not exactly 0..n-1 are not
    // merged but listed as "name*N[*]" with their raw values.
    std::vector<Param> out;
    std::vector<const RawParam*> ext;
    for (const auto& r : raws) {
        if (r.section < 0 && !r.extended) {
            Param p;
            p.name = r.base;
            p.value = r.value;
            p.decoded = decode_encoded_words(r.value);
            out.push_back(std::move(p));
        } else {
            ext.push_back(&r);
        }
    }
    std::stable_sort(ext.begin(), ext.end(), [](const RawParam* a, const RawParam* b) {
        if (a->base != b->base) return a->base < b->base;
        return std::max(a->section, 0) < std::max(b->section, 0);
    });
    for (std::size_t i = 0, next = 0; i < ext.size(); i = next) {
        bool ok = true, have_extended = false;
        for (next = i; next < ext.size() && ext[next]->base == ext[i]->base; ++next) {
            if (std::max(ext[next]->section, 0) != static_cast<int>(next - i)) ok = false;
            have_extended |= ext[next]->extended;
        }
        if (!ok) {
            for (std::size_t j = i; j < next; ++j) {
                Param p;
                p.name = ext[j]->base + "*" + std::to_string(std::max(ext[j]->section, 0));
                if (ext[j]->extended) p.name += "*";
                p.value = ext[j]->value;
                p.decoded = decode_encoded_words(ext[j]->value);
                out.push_back(std::move(p));
            }
            continue;
        }
        Param p;
        p.name = ext[i]->base;
        p.extended = have_extended;
        std::string charset;
        std::string bytes;
        if (have_extended && !ext[i]->extended) p.value = "''";
        for (std::size_t j = i; j < next; ++j) {
            std::string_view v = ext[j]->value;
            if (ext[j]->extended) {
                p.value.append(v);
                if (j == i) {
                    // RFC 2231 §4: charset'language'value
                    auto q1 = v.find('\'');
                    auto q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
                    if (q2 != std::string_view::npos) {
                        charset.assign(v.substr(0, q1));
                        v = v.substr(q2 + 1);
                    }
                }
                bytes += percent_decode(v);
            } else {
                if (have_extended)
                    escape_percent(p.value, v);
                else
                    p.value.append(v);
                bytes.append(v);
            }
        }
        p.decoded = have_extended ? to_utf8(bytes, charset) : decode_encoded_words(bytes);
        out.push_back(std::move(p));
    }
    return out;
}

bool parse_content_type(std::string_view raw, std::string& type, std::string& subtype,
                        std::vector<Param>& params) {
    std::string s = unfold(raw);
    Cursor c{s};
    c.skip_cfws();
    std::string_view t = c.token();
    if (t.empty()) return false;
    type.assign(t);
    to_lower(type);
    subtype.clear();
    params.clear();
    c.skip_cfws();
    // Dovecot keeps a broken value's type ("text", "image") with no subtype and no
    // parameters, rather than falling back to text/plain.
    if (c.end() || c.s[c.pos] != '/') return true;
    ++c.pos;
    c.skip_cfws();
    subtype.assign(c.token());
    to_lower(subtype);
    if (subtype.empty()) return true;
    params = parse_params(c.s.substr(c.pos));
    return true;
}

bool parse_disposition(std::string_view raw, std::string& type, std::vector<Param>& params) {
    std::string s = unfold(raw);
    Cursor c{s};
    c.skip_cfws();
    std::string_view t = c.token();
    if (t.empty()) return false;
    type.assign(t);
    to_lower(type);
    params = parse_params(c.s.substr(c.pos));
    return true;
}

const Param* find_param(const std::vector<Param>& params, std::string_view name) {
    for (const auto& p : params)
        if (iequals(p.name, name)) return &p;
    return nullptr;
}

}  // namespace hermod::mime
