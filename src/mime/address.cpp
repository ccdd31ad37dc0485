// address.cpp - tolerant RFC 5322 address-list parser (Dovecot message-address.c semantics).
#include "mime/address.hpp"

#include <cstring>

namespace hermod::mime {
namespace {

bool is_atext(unsigned char c) {
    if (c >= 0x80) return true;  // RFC 6532 UTF-8 (and raw 8-bit junk, kept)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c != 0 && std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

class Lexer {
  public:
    explicit Lexer(std::string_view s) : s_(s) {}

    bool at_end() const { return pos_ >= s_.size(); }
    char peek() const { return at_end() ? '\0' : s_[pos_]; }
    void bump() { ++pos_; }
    std::size_t pos() const { return pos_; }

    // RFC 5322 §3.2.2 CFWS; the last comment's text is kept for the name fallback.
    void skip_cfws() {
        while (!at_end()) {
            char c = s_[pos_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++pos_;
            } else if (c == '(') {
                read_comment();
            } else {
                break;
            }
        }
    }

    // One phrase/local-part word: an atom (dots allowed, obs-phrase) or a quoted string.
    // An unterminated quoted string (Dovecot: a parse error that ends the field) is no word:
    // it consumes the rest of the input and sets unterminated.
    bool read_word(std::string& out, bool* quoted = nullptr) {
        skip_cfws();
        if (at_end()) return false;
        if (quoted) *quoted = s_[pos_] == '"';
        if (s_[pos_] == '"') {
            std::string text;
            if (!read_quoted(text)) {
                unterminated = true;
                return false;
            }
            out += text;
            return true;
        }
        std::size_t start = pos_;
        while (!at_end() && (is_atext(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.'))
            ++pos_;
        if (pos_ == start) return false;
        out.append(s_.substr(start, pos_ - start));
        return true;
    }

    // Domain: dot-atoms and domain literals, CFWS dropped; white space continues the domain
    // only around a '.' (obs-domain "e . f"), so "a@b junk" stops after "b".
    std::string read_domain() {
        std::string out;
        while (true) {
            skip_cfws();
            if (at_end()) break;
            char c = s_[pos_];
            if (c == '[') {
                std::size_t end = s_.find(']', pos_);
                end = end == std::string_view::npos ? s_.size() : end + 1;
                out.append(s_.substr(pos_, end - pos_));
                pos_ = end;
            } else if (is_atext(static_cast<unsigned char>(c)) || c == '.') {
                std::size_t start = pos_;
                while (!at_end() &&
                       (is_atext(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.'))
                    ++pos_;
                out.append(s_.substr(start, pos_ - start));
            } else {
                break;
            }
            std::size_t save = pos_;
            skip_cfws();
            if (!(peek() == '.' || (!out.empty() && out.back() == '.'))) {
                pos_ = save;
                break;
            }
        }
        return out;
    }

    void skip_to(const char* stops) {
        // NUL is data here, not a stop (strchr would find the terminator).
        while (!at_end() && (s_[pos_] == '\0' || std::strchr(stops, s_[pos_]) == nullptr)) {
            if (s_[pos_] == '"') {
                std::string ignored;
                read_quoted(ignored);
            } else if (s_[pos_] == '(') {
                read_comment();
            } else {
                ++pos_;
            }
        }
    }

    std::string last_comment;
    bool unterminated = false;  ///< an unterminated quoted string ran to the end

  private:
    // Returns false when the closing quote is missing (the rest of the input was read).
    bool read_quoted(std::string& out) {
        ++pos_;  // opening quote
        while (!at_end() && s_[pos_] != '"') {
            if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
            if (s_[pos_] != '\r' && s_[pos_] != '\n') out.push_back(s_[pos_]);
            ++pos_;
        }
        if (at_end()) return false;
        ++pos_;
        return true;
    }

    void read_comment() {
        int depth = 0;
        std::string text;
        while (!at_end()) {
            char c = s_[pos_++];
            if (c == '\\' && !at_end()) {
                text.push_back(s_[pos_++]);
                continue;
            }
            if (c == '(') {
                if (depth++ > 0) text.push_back(c);
            } else if (c == ')') {
                if (--depth == 0) break;
                text.push_back(c);
            } else if (c != '\r' && c != '\n') {
                text.push_back(c);
            }
        }
        last_comment = std::move(text);
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

constexpr std::string_view kMissingDomain = "MISSING_DOMAIN";
constexpr std::string_view kMissingMailbox = "MISSING_MAILBOX";
constexpr std::string_view kSyntaxError = "SYNTAX_ERROR";
constexpr std::string_view kInvalidRoute = "INVALID_ROUTE";

void finish_mailbox(Address& a) {
    if (a.mailbox.empty()) a.mailbox = kMissingMailbox;
    if (a.host.empty()) a.host = kMissingDomain;
}

// Parses one mailbox (or, outside a group, a group) and appends it. Returns false when nothing
// could be consumed (caller then skips to the next separator).
bool parse_entry(Lexer& lx, std::vector<Address>& out, bool in_group, std::size_t max) {
    lx.last_comment.clear();
    lx.unterminated = false;
    std::size_t start = lx.pos();
    std::vector<std::string> words;
    bool first_quoted = false;
    while (true) {
        std::string w;
        bool quoted = false;
        if (!lx.read_word(w, &quoted)) break;
        if (words.empty()) first_quoted = quoted;
        words.push_back(std::move(w));
    }
    lx.skip_cfws();
    auto join = [&](std::string_view sep) {
        std::string r;
        for (std::size_t i = 0; i < words.size(); ++i) {
            if (i) r.append(sep);
            r.append(words[i]);
        }
        return r;
    };
    char c = lx.peek();
    if (c == ':' && !in_group) {
        lx.bump();
        Address g;
        g.kind = Address::Kind::GroupStart;
        g.mailbox = join(" ");
        out.push_back(std::move(g));
        while (!lx.at_end() && out.size() < max) {
            lx.skip_cfws();
            char d = lx.peek();
            if (d == ';') break;
            if (d == ',') {
                lx.bump();
                continue;
            }
            std::size_t before = lx.pos();
            if (!parse_entry(lx, out, true, max)) lx.skip_to(",;");
            if (lx.pos() == before) lx.bump();  // progress on any input
        }
        if (lx.peek() == ';') lx.bump();
        Address e;
        e.kind = Address::Kind::GroupEnd;
        out.push_back(std::move(e));
        return true;
    }
    Address a;
    if (c == '<') {
        lx.bump();
        lx.skip_cfws();
        bool broken = false;
        if (lx.peek() == '@') {
            // RFC 5322 §4.4 obs-route: "@a,@b:" kept as the ENVELOPE adl.
            while (lx.peek() == '@' || lx.peek() == ',') {
                if (lx.peek() == ',') {
                    lx.bump();
                    lx.skip_cfws();
                    continue;
                }
                lx.bump();
                if (!a.adl.empty()) a.adl.push_back(',');
                a.adl.push_back('@');
                a.adl += lx.read_domain();
                lx.skip_cfws();
            }
            if (lx.peek() == ':') {
                lx.bump();
            } else {
                // Dovecot: the address after a broken route is still read.
                a.adl = kInvalidRoute;
                broken |= lx.at_end();
            }
            lx.skip_cfws();
        }
        // "<>" (and "<@route:>") is an empty address, not a syntax error: it gets Dovecot's
        // MISSING_MAILBOX / MISSING_DOMAIN placeholders.
        if (lx.peek() != '>') {
            std::string local;
            std::string w;
            while (lx.read_word(w)) {
                local += w;
                w.clear();
            }
            broken |= local.empty();
            a.mailbox = std::move(local);
            lx.skip_cfws();
            if (lx.peek() == '@') {
                lx.bump();
                a.host = lx.read_domain();
                broken |= a.host.empty();
            }
        }
        lx.skip_cfws();
        broken |= lx.peek() != '>';
        lx.skip_to(">,;");
        if (lx.peek() == '>') lx.bump();
        // Dovecot marks a broken angle-addr with domain SYNTAX_ERROR.
        if (broken) a.host = kSyntaxError;
        a.name = join(" ");
        if (a.name.empty()) {
            lx.skip_cfws();
            a.name = lx.last_comment;
        }
    } else if (c == '@') {
        lx.bump();
        a.mailbox = join("");
        a.host = lx.read_domain();
        lx.skip_cfws();
        a.name = lx.last_comment;
    } else if (!words.empty() && (lx.at_end() || c == ',' || c == ';')) {
        // No '@' and no <...>. As Dovecot: one atom is a mailbox without domain (its name the
        // comment, if any); a quoted string or several words are a display name without
        // address ("Undisclosed Recipients", "From: Someone Else").
        if (words.size() == 1 && !first_quoted) {
            a.mailbox = std::move(words[0]);
            a.name = lx.last_comment;
        } else {
            a.name = join(" ");
        }
    } else if (words.empty() && lx.unterminated) {
        // An unterminated quoted string took the rest of the field: one placeholder address
        // (MISSING_MAILBOX / MISSING_DOMAIN), as Dovecot gives.
    } else {
        return lx.pos() != start && !words.empty() ? (lx.skip_to(in_group ? ",;" : ","), true)
                                                   : false;
    }
    finish_mailbox(a);
    out.push_back(std::move(a));
    return true;
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view raw, std::size_t max_addresses) {
    std::vector<Address> out;
    Lexer lx(raw);
    while (out.size() < max_addresses) {
        lx.skip_cfws();
        if (lx.at_end()) break;
        char c = lx.peek();
        if (c == ',' || c == ';' || c == '>') {
            lx.bump();
            continue;
        }
        std::size_t before = lx.pos();
        if (!parse_entry(lx, out, false, max_addresses)) lx.skip_to(",");
        if (lx.pos() == before) lx.bump();  // guarantees progress on any input
    }
    return out;
}

std::string addr_spec(const Address& a) {
    std::string r = a.mailbox;
    if (!a.host.empty()) {
        r.push_back('@');
        r += a.host;
    }
    return r;
}

}  // namespace hermod::mime
