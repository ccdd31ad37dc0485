// fetch.cpp - FETCH attributes (RFC 9051 §6.4.5 and §9 fetch-att, section, partial; RFC 3516
// §4.2 BINARY; RFC 7162 §3.1.4 fetch-modifiers).
#include "imap/proto/fetch.hpp"

#include "imap/proto/encoder.hpp"

namespace hermod::imap::proto {

namespace {

bool is_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
}

// RFC 5322 §3.6.8 field-name = 1*ftext, ftext = %d33-57 / %d59-126.
bool valid_field_name(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126 || u == ':') return false;
    }
    return true;
}

bool parse_header_list(Parser& p, std::vector<std::string>& fields) {
    if (!p.sp() || !p.expect('(', "to open the header field list")) return false;
    while (true) {
        auto f = p.astring();
        if (!f) return false;
        if (!valid_field_name(*f)) return p.fail("invalid header field name");
        if (fields.size() >= kMaxHeaderFields) return p.fail("too many header field names");
        fields.push_back(std::move(*f));
        if (p.accept(')')) return true;
        if (!p.expect(' ', "or ')' in the header field list")) return false;
    }
}

bool at_digit(const Parser& p) {
    std::string_view r = p.rest();
    return p.ok() && !r.empty() && r.front() >= '0' && r.front() <= '9';
}

// section = "[" [section-spec] "]"; binary sections take part numbers only.
bool parse_section(Parser& p, Section& s, bool binary) {
    if (!p.expect('[', "to open the section")) return false;
    if (p.accept(']')) return true;
    bool need_text = true;
    if (at_digit(p)) {
        need_text = false;
        while (true) {
            auto n = p.nz_number();
            if (!n) return false;
            if (s.part.size() >= kMaxSectionParts) return p.fail("section part nested too deeply");
            s.part.push_back(*n);
            if (!p.accept('.')) break;
            if (!at_digit(p)) {
                need_text = true;
                break;
            }
        }
    }
    if (need_text) {
        if (binary) return p.fail("BINARY sections take part numbers only (RFC 3516 section 4.2)");
        if (p.accept_keyword("HEADER.FIELDS.NOT")) {
            s.text = SectionText::HeaderFieldsNot;
            if (!parse_header_list(p, s.fields)) return false;
        } else if (p.accept_keyword("HEADER.FIELDS")) {
            s.text = SectionText::HeaderFields;
            if (!parse_header_list(p, s.fields)) return false;
        } else if (p.accept_keyword("HEADER")) {
            s.text = SectionText::Header;
        } else if (p.accept_keyword("TEXT")) {
            s.text = SectionText::Text;
        } else if (!s.part.empty() && p.accept_keyword("MIME")) {
            s.text = SectionText::Mime;
        } else {
            return p.fail(
                "invalid section (expected HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, "
                "TEXT or MIME)");
        }
    }
    return p.expect(']', "to close the section");
}

// partial = "<" number64 "." nz-number64 ">"
bool parse_partial(Parser& p, std::optional<Partial>& partial) {
    if (!p.accept('<')) return true;
    Partial part;
    auto off = p.number64();
    if (!off || !p.expect('.', "in the partial")) return false;
    auto len = p.nz_number64();
    if (!len || !p.expect('>', "to close the partial")) return false;
    part.offset = *off;
    part.length = *len;
    partial = part;
    return true;
}

}  // namespace

bool FetchRequest::sets_seen() const {
    for (const auto& a : attributes) {
        switch (a.item) {
            case FetchItem::BodySection:
            case FetchItem::BinarySection:
                if (!a.peek) return true;
                break;
            case FetchItem::Rfc822:
            case FetchItem::Rfc822Text:
                return true;
            default:
                break;
        }
    }
    return false;
}

std::optional<FetchAttribute> parse_fetch_attribute(Parser& p) {
    if (!p.ok()) return std::nullopt;
    std::string_view rest = p.rest();
    std::size_t n = 0;
    while (n < rest.size() && is_name_char(rest[n]))
        ++n;
    std::string name(rest.substr(0, n));
    for (char& c : name)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    FetchAttribute a;
    auto simple = [&](FetchItem item) -> std::optional<FetchAttribute> {
        if (!p.accept_keyword(name)) {
            p.fail("invalid fetch attribute");
            return std::nullopt;
        }
        a.item = item;
        return a;
    };
    if (name == "ENVELOPE") return simple(FetchItem::Envelope);
    if (name == "FLAGS") return simple(FetchItem::Flags);
    if (name == "INTERNALDATE") return simple(FetchItem::InternalDate);
    if (name == "RFC822.SIZE") return simple(FetchItem::Rfc822Size);
    if (name == "RFC822") return simple(FetchItem::Rfc822);
    if (name == "RFC822.HEADER") return simple(FetchItem::Rfc822Header);
    if (name == "RFC822.TEXT") return simple(FetchItem::Rfc822Text);
    if (name == "BODYSTRUCTURE") return simple(FetchItem::BodyStructure);
    if (name == "UID") return simple(FetchItem::Uid);
    if (name == "MODSEQ") return simple(FetchItem::ModSeq);
    bool body = name == "BODY" || name == "BODY.PEEK";
    bool bin = name == "BINARY" || name == "BINARY.PEEK";
    bool bin_size = name == "BINARY.SIZE";
    if (!body && !bin && !bin_size) {
        p.fail(name.empty() ? "missing fetch attribute" : "unknown fetch attribute " + name);
        return std::nullopt;
    }
    // Consume the name; the section bracket follows directly.
    for (std::size_t i = 0; i < n; ++i)
        p.accept(rest[i]);
    if (name == "BODY" && !p.peek('[')) {
        a.item = FetchItem::Body;
        return a;
    }
    a.peek = name.ends_with(".PEEK");
    a.item = body ? FetchItem::BodySection : bin ? FetchItem::BinarySection : FetchItem::BinarySize;
    if (!parse_section(p, a.section, !body)) return std::nullopt;
    if (!bin_size && !parse_partial(p, a.partial)) return std::nullopt;
    return a;
}

std::optional<FetchRequest> parse_fetch(Parser& p) {
    FetchRequest req;
    if (!p.sp()) return std::nullopt;
    auto set = p.sequence_set();
    if (!set || !p.sp()) return std::nullopt;
    req.set = std::move(*set);
    auto add = [&](FetchItem item) {
        req.attributes.push_back(FetchAttribute{item, false, {}, {}});
    };
    // RFC 9051 §6.4.5 macros: FAST = FLAGS INTERNALDATE RFC822.SIZE; ALL = FAST ENVELOPE;
    // FULL = ALL BODY.
    bool all = p.accept_keyword("ALL");
    bool full = !all && p.accept_keyword("FULL");
    bool fast = !all && !full && p.accept_keyword("FAST");
    if (all || full || fast) {
        add(FetchItem::Flags);
        add(FetchItem::InternalDate);
        add(FetchItem::Rfc822Size);
        if (!fast) add(FetchItem::Envelope);
        if (full) add(FetchItem::Body);
    } else if (p.accept('(')) {
        if (!p.enter()) return std::nullopt;
        while (true) {
            auto a = parse_fetch_attribute(p);
            if (!a) return std::nullopt;
            if (req.attributes.size() >= kMaxFetchAttributes) {
                p.fail("too many fetch attributes");
                return std::nullopt;
            }
            req.attributes.push_back(std::move(*a));
            if (p.accept(')')) break;
            if (!p.expect(' ', "or ')' in the fetch attribute list")) return std::nullopt;
        }
        p.leave();
    } else {
        auto a = parse_fetch_attribute(p);
        if (!a) return std::nullopt;
        req.attributes.push_back(std::move(*a));
    }
    // fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")" (RFC 4466 §2.4)
    if (p.accept(' ')) {
        if (!p.expect('(', "to open the fetch modifiers")) return std::nullopt;
        while (true) {
            if (p.accept_keyword("CHANGEDSINCE")) {
                if (!p.sp()) return std::nullopt;
                auto n = p.nz_number64();
                if (!n) return std::nullopt;
                req.changed_since = *n;
            } else if (p.accept_keyword("VANISHED")) {
                req.vanished = true;
            } else {
                p.fail("unknown fetch modifier");
                return std::nullopt;
            }
            if (p.accept(')')) break;
            if (!p.expect(' ', "or ')' in the fetch modifiers")) return std::nullopt;
        }
        if (req.vanished && !req.changed_since) {
            p.fail("VANISHED requires CHANGEDSINCE (RFC 7162 section 3.2.6)");
            return std::nullopt;
        }
    }
    if (!p.end()) return std::nullopt;
    return req;
}

std::string fetch_response_name(const FetchAttribute& a) {
    switch (a.item) {
        case FetchItem::Envelope:
            return "ENVELOPE";
        case FetchItem::Flags:
            return "FLAGS";
        case FetchItem::InternalDate:
            return "INTERNALDATE";
        case FetchItem::Rfc822Size:
            return "RFC822.SIZE";
        case FetchItem::Rfc822:
            return "RFC822";
        case FetchItem::Rfc822Header:
            return "RFC822.HEADER";
        case FetchItem::Rfc822Text:
            return "RFC822.TEXT";
        case FetchItem::Body:
            return "BODY";
        case FetchItem::BodyStructure:
            return "BODYSTRUCTURE";
        case FetchItem::Uid:
            return "UID";
        case FetchItem::ModSeq:
            return "MODSEQ";
        case FetchItem::BodySection:
        case FetchItem::BinarySection:
        case FetchItem::BinarySize:
            break;
    }
    std::string out = a.item == FetchItem::BodySection     ? "BODY["
                      : a.item == FetchItem::BinarySection ? "BINARY["
                                                           : "BINARY.SIZE[";
    for (std::size_t i = 0; i < a.section.part.size(); ++i) {
        if (i) out += '.';
        out += std::to_string(a.section.part[i]);
    }
    if (a.section.text != SectionText::None && !a.section.part.empty()) out += '.';
    switch (a.section.text) {
        case SectionText::None:
            break;
        case SectionText::Header:
            out += "HEADER";
            break;
        case SectionText::HeaderFields:
            out += "HEADER.FIELDS";
            break;
        case SectionText::HeaderFieldsNot:
            out += "HEADER.FIELDS.NOT";
            break;
        case SectionText::Text:
            out += "TEXT";
            break;
        case SectionText::Mime:
            out += "MIME";
            break;
    }
    if (!a.section.fields.empty()) {
        out += " (";
        for (std::size_t i = 0; i < a.section.fields.size(); ++i) {
            if (i) out += ' ';
            append_astring(out, a.section.fields[i]);
        }
        out += ')';
    }
    out += ']';
    if (a.partial) {
        out += '<';
        out += std::to_string(a.partial->offset);
        out += '>';
    }
    return out;
}

}  // namespace hermod::imap::proto
