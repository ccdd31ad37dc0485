// path.cpp - RFC 5321 §4.1.2 path parser and relay-trick classification (RFC 6531 for UTF-8).
// Security: peer input; every loop is bounded by the input length, nothing is allocated beyond
// the (length-limited) parts that are kept.
#include "smtp/proto/path.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "common/ascii.hpp"

namespace hermod::smtp::proto {

namespace {

bool is_alpha(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}
bool is_let_dig(unsigned char c) {
    return is_alpha(c) || is_digit(c);
}

// RFC 5322 §3.2.3 atext; RFC 6531 §3.3 adds UTF8-non-ascii (validated as a whole later).
bool is_atext(unsigned char c) {
    if (c >= 0x80) return true;
    if (is_let_dig(c)) return true;
    return c != 0 && std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

// RFC 5321 §4.1.2 qtextSMTP = %d32-33 / %d35-91 / %d93-126 (plus UTF-8 under RFC 6531).
bool is_qtext(unsigned char c) {
    return c >= 0x80 || (c >= 32 && c <= 126 && c != '"' && c != '\\');
}

// RFC 5321 §4.1.3 dcontent = %d33-90 / %d94-126.
bool is_dcontent(unsigned char c) {
    return c >= 33 && c <= 126 && c != '[' && c != '\\' && c != ']';
}

bool has_non_ascii(std::string_view s) {
    for (char ch : s)
        if (static_cast<unsigned char>(ch) >= 0x80) return true;
    return false;
}

// Dot-string = Atom *("." Atom); Atom = 1*atext.
bool is_dot_string(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    char prev = 0;
    for (char ch : s) {
        if (ch == '.' ? prev == '.' : !is_atext(static_cast<unsigned char>(ch))) return false;
        prev = ch;
    }
    return true;
}

// Domain = sub-domain *("." sub-domain)
// sub-domain = Let-dig [Ldh-str] / U-label (RFC 6531)
// Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig
// Labels are 1-63 octets. One trailing dot is tolerated (and reported) because resolvers treat
// "example.org." as "example.org" and a policy comparing strings must know.
bool valid_domain_name(std::string_view d, bool& trailing_dot) {
    trailing_dot = false;
    if (!d.empty() && d.back() == '.') {
        trailing_dot = true;
        d.remove_suffix(1);
    }
    if (d.empty()) return false;
    std::size_t start = 0;
    while (true) {
        std::size_t end = d.find('.', start);
        if (end == std::string_view::npos) end = d.size();
        std::string_view label = d.substr(start, end - start);
        if (label.empty() || label.size() > 63) return false;
        auto first = static_cast<unsigned char>(label.front());
        auto last = static_cast<unsigned char>(label.back());
        if (!(is_let_dig(first) || first >= 0x80) || !(is_let_dig(last) || last >= 0x80))
            return false;
        if (end == d.size()) return true;
        start = end + 1;
    }
}

std::size_t scan_domain_chars(std::string_view in, std::size_t pos) {
    while (pos < in.size()) {
        auto c = static_cast<unsigned char>(in[pos]);
        if (!(is_let_dig(c) || c == '-' || c == '.' || c >= 0x80)) break;
        ++pos;
    }
    return pos;
}

// IPv4-address-literal = Snum 3("." Snum); Snum = 1*3DIGIT ; value 0-255
bool valid_ipv4(std::string_view s) {
    int parts = 0;
    std::size_t i = 0;
    while (true) {
        std::size_t digits = 0;
        int value = 0;
        while (i < s.size() && is_digit(static_cast<unsigned char>(s[i])) && digits < 4) {
            value = value * 10 + (s[i] - '0');
            ++digits;
            ++i;
        }
        if (digits == 0 || digits > 3 || value > 255) return false;
        ++parts;
        if (i == s.size()) return parts == 4;
        if (s[i] != '.' || parts == 4) return false;
        ++i;
    }
}

// address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
//                         General-address-literal ) "]"
// IPv6-address-literal = "IPv6:" IPv6-addr ; General-address-literal = Standardized-tag ":"
// 1*dcontent. `lit` excludes the brackets.
DomainKind classify_literal(std::string_view lit) {
    if (valid_ipv4(lit)) return DomainKind::Ipv4Literal;
    auto colon = lit.find(':');
    if (colon == std::string_view::npos || colon == 0) return DomainKind::None;
    std::string_view tag = lit.substr(0, colon), content = lit.substr(colon + 1);
    if (iequals(tag, "IPv6")) {
        if (content.empty() || content.size() > 45) return DomainKind::None;
        char buf[64];
        std::memcpy(buf, content.data(), content.size());
        buf[content.size()] = 0;
        unsigned char addr[16];
        return inet_pton(AF_INET6, buf, addr) == 1 ? DomainKind::Ipv6Literal : DomainKind::None;
    }
    // Standardized-tag = Ldh-str (must end in Let-dig)
    if (!is_let_dig(static_cast<unsigned char>(tag.back()))) return DomainKind::None;
    for (char ch : tag)
        if (!is_let_dig(static_cast<unsigned char>(ch)) && ch != '-') return DomainKind::None;
    if (content.empty()) return DomainKind::None;
    for (char ch : content)
        if (!is_dcontent(static_cast<unsigned char>(ch))) return DomainKind::None;
    return DomainKind::GeneralLiteral;
}

PathResult fail(PathError e) {
    PathResult r;
    r.error = e;
    return r;
}

}  // namespace

bool Path::is_safe_local_candidate() const {
    constexpr std::uint32_t kUnsafe = kFlagSourceRoute | kFlagPercentHack | kFlagBangPath |
                                      kFlagQuotedSpecial | kFlagAtInLocal | kFlagAddressLiteral |
                                      kFlagTrailingDot | kFlagEmptyLocal;
    if (null || (flags & kUnsafe) != 0) return false;
    return domain_kind == DomainKind::Name || has(kFlagBarePostmaster);
}

std::string Path::mailbox() const {
    if (null) return {};
    std::string out;
    if (is_dot_string(local)) {
        out = local;
    } else {
        out.push_back('"');
        for (char ch : local) {
            if (ch == '"' || ch == '\\') out.push_back('\\');
            out.push_back(ch);
        }
        out.push_back('"');
    }
    if (has(kFlagBarePostmaster)) return out;
    out.push_back('@');
    out += domain;
    return out;
}

PathResult parse_path(std::string_view in, const PathOptions& opt) {
    if (in.empty() || in[0] != '<') return fail(PathError::Syntax);
    PathResult r;
    Path& p = r.path;
    std::size_t pos = 1;

    // "<>": the null reverse-path (RFC 5321 §4.5.5).
    if (pos < in.size() && in[pos] == '>') {
        if (!opt.allow_null) return fail(PathError::NullNotAllowed);
        p.null = true;
        r.consumed = 2;
        return r;
    }

    // A-d-l = At-domain *( "," At-domain ) ":" - obsolete source route, which RFC 5321
    // §4.1.1.3 says servers MUST accept and SHOULD ignore. Stripped but reported, since
    // "<@local:user@remote>" is a classic relay probe.
    if (pos < in.size() && in[pos] == '@') {
        while (true) {
            ++pos;  // '@'
            std::size_t end = scan_domain_chars(in, pos);
            std::string_view d = in.substr(pos, end - pos);
            bool dot = false;
            if (!valid_domain_name(d, dot) || d.size() > kMaxDomain) return fail(PathError::Syntax);
            if (has_non_ascii(d)) p.flags |= kFlagNonAscii;
            p.route.emplace_back(dot ? d.substr(0, d.size() - 1) : d);
            pos = end;
            if (pos < in.size() && in[pos] == ',') {
                ++pos;
                if (pos >= in.size() || in[pos] != '@') return fail(PathError::Syntax);
                continue;
            }
            if (pos < in.size() && in[pos] == ':') {
                ++pos;
                break;
            }
            return fail(PathError::Syntax);
        }
        p.flags |= kFlagSourceRoute;
    }

    // Local-part = Dot-string / Quoted-string
    const std::size_t local_start = pos;
    if (pos < in.size() && in[pos] == '"') {
        // Quoted-string = DQUOTE *QcontentSMTP DQUOTE
        // QcontentSMTP = qtextSMTP / quoted-pairSMTP ; quoted-pairSMTP = %d92 %d32-126
        p.flags |= kFlagQuotedLocal;
        ++pos;
        bool closed = false;
        while (pos < in.size() && p.local.size() <= kMaxLocalPart) {
            auto c = static_cast<unsigned char>(in[pos]);
            if (c == '"') {
                closed = true;
                ++pos;
                break;
            }
            if (c == '\\') {
                if (pos + 1 >= in.size()) return fail(PathError::Syntax);
                auto q = static_cast<unsigned char>(in[pos + 1]);
                if (q < 32 || q > 126) return fail(PathError::Syntax);
                p.local.push_back(static_cast<char>(q));
                pos += 2;
                continue;
            }
            if (!is_qtext(c)) return fail(PathError::Syntax);
            p.local.push_back(static_cast<char>(c));
            ++pos;
        }
        if (!closed) {
            return fail(p.local.size() > kMaxLocalPart ? PathError::TooLong : PathError::Syntax);
        }
        if (p.local.empty())
            p.flags |= kFlagEmptyLocal;
        else if (!is_dot_string(p.local))
            p.flags |= kFlagQuotedSpecial;
    } else {
        while (pos < in.size()) {
            auto c = static_cast<unsigned char>(in[pos]);
            if (!is_atext(c) && c != '.') break;
            ++pos;
        }
        p.local.assign(in.substr(local_start, pos - local_start));
        if (!is_dot_string(p.local)) {
            // "<>" was handled above, so an empty unquoted local part is a syntax error too.
            return fail(p.local.size() > kMaxLocalPart ? PathError::TooLong : PathError::Syntax);
        }
    }
    if (pos - local_start > kMaxLocalPart) return fail(PathError::TooLong);
    if (has_non_ascii(p.local)) p.flags |= kFlagNonAscii;
    if (p.local.find('%') != std::string::npos) p.flags |= kFlagPercentHack;
    if (p.local.find('!') != std::string::npos) p.flags |= kFlagBangPath;
    if (p.local.find('@') != std::string::npos) p.flags |= kFlagAtInLocal;

    // Forward-path =/ "<Postmaster>" (RFC 5321 §4.1.1.3, case-insensitive).
    if (pos < in.size() && in[pos] == '>' && opt.allow_postmaster && p.route.empty() &&
        !p.has(kFlagQuotedLocal) && iequals(p.local, "postmaster")) {
        p.flags |= kFlagBarePostmaster;
        r.consumed = pos + 1;
        return r;
    }

    if (pos >= in.size() || in[pos] != '@') return fail(PathError::Syntax);
    ++pos;

    // Domain / address-literal
    const std::size_t domain_start = pos;
    if (pos < in.size() && in[pos] == '[') {
        std::size_t close = in.find(']', pos);
        if (close == std::string_view::npos) return fail(PathError::Syntax);
        if (close + 1 - domain_start > kMaxDomain) return fail(PathError::TooLong);
        p.domain_kind = classify_literal(in.substr(pos + 1, close - pos - 1));
        if (p.domain_kind == DomainKind::None) return fail(PathError::Syntax);
        p.flags |= kFlagAddressLiteral;
        p.domain.assign(in.substr(domain_start, close + 1 - domain_start));
        pos = close + 1;
    } else {
        pos = scan_domain_chars(in, pos);
        std::string_view d = in.substr(domain_start, pos - domain_start);
        if (d.size() > kMaxDomain) return fail(PathError::TooLong);
        bool dot = false;
        if (!valid_domain_name(d, dot)) return fail(PathError::Syntax);
        if (dot) {
            p.flags |= kFlagTrailingDot;
            d.remove_suffix(1);
        }
        if (has_non_ascii(d)) p.flags |= kFlagNonAscii;
        p.domain.assign(d);
        p.domain_kind = DomainKind::Name;
    }

    if (pos >= in.size() || in[pos] != '>') return fail(PathError::Syntax);
    r.consumed = pos + 1;
    if (r.consumed > kMaxPath) return fail(PathError::TooLong);

    if (p.has(kFlagNonAscii)) {
        // RFC 6531 §3.3: UTF-8 must be well formed; without SMTPUTF8 it is refused with 553 5.6.7.
        if (!is_valid_utf8(in.substr(0, r.consumed))) return fail(PathError::Syntax);
        if (!opt.allow_utf8) return fail(PathError::Utf8NotAllowed);
    }
    return r;
}

}  // namespace hermod::smtp::proto
