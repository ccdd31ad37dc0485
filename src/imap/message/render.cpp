// render.cpp - ENVELOPE, BODYSTRUCTURE, section ranges and BINARY[] over a parsed message.
#include "imap/message/render.hpp"

#include "common/ascii.hpp"
#include "mime/header.hpp"
#include "mime/section.hpp"
#include "mime/transfer.hpp"

namespace hermod::imap::message {

namespace {

// Dovecot's header parser turns NUL into U+FFFD; a literal must not carry NUL (RFC 9051 §4.3).
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

std::string without_nul(std::string_view s) {
    std::string r;
    r.reserve(s.size());
    for (char c : s) {
        if (c == '\0')
            r += kReplacement;
        else
            r += c;
    }
    return r;
}

// nstring as Dovecot writes it: quoted with escapes, but a literal when quoting is impossible
// (CR, LF, NUL, 8-bit) or needs more than four escapes.
void put_nstring(std::string& out, std::optional<std::string_view> s,
                 const proto::EncodeOptions& opt) {
    if (!s) {
        proto::append_nil(out);
        return;
    }
    std::size_t escapes = 0;
    for (char c : *s)
        if (c == '"' || c == '\\') ++escapes;
    if (escapes <= 4 && proto::quotable(*s, opt))
        proto::append_quoted(out, *s);
    else
        proto::append_literal(out, without_nul(*s));
}

void put_opt(std::string& out, const std::optional<std::string>& s,
             const proto::EncodeOptions& opt) {
    put_nstring(out, s ? std::optional<std::string_view>(*s) : std::nullopt, opt);
}

bool is_wsp(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Subject and display names (Dovecot's "string for humans"): white-space runs become one
// space, the ends are trimmed; a changed value, '"', '\' or 8-bit makes it a literal.
void put_human(std::string& out, std::string_view s, const proto::EncodeOptions& opt) {
    std::string t;
    t.reserve(s.size());
    bool pending_space = false;
    bool special = false;
    for (char c : s) {
        if (is_wsp(c)) {
            pending_space = !t.empty();
            continue;
        }
        if (pending_space) t += ' ';
        pending_space = false;
        if (c == '\0') {
            t += kReplacement;
            continue;
        }
        if (c == '"' || c == '\\') special = true;
        t += c;
    }
    if (t.empty()) {
        out += "\"\"";
        return;
    }
    if (!special && t == s && proto::quotable(t, opt))
        proto::append_quoted(out, t);
    else
        proto::append_literal(out, t);
}

void put_address_list(std::string& out, const std::vector<mime::Address>& list,
                      const proto::EncodeOptions& opt) {
    if (list.empty()) {
        proto::append_nil(out);
        return;
    }
    auto opt_sv = [](const std::string& s) {
        return s.empty() ? std::nullopt : std::optional<std::string_view>(s);
    };
    out += '(';
    for (const mime::Address& a : list) {
        // RFC 9051 §7.5.2: a group is (NIL NIL name NIL) ... (NIL NIL NIL NIL).
        switch (a.kind) {
            case mime::Address::Kind::GroupStart:
                out += "(NIL NIL ";
                put_nstring(out, std::string_view(a.mailbox), opt);
                out += " NIL)";
                break;
            case mime::Address::Kind::GroupEnd:
                out += "(NIL NIL NIL NIL)";
                break;
            case mime::Address::Kind::Mailbox:
                out += '(';
                if (a.name.empty())
                    proto::append_nil(out);
                else
                    put_human(out, a.name, opt);
                out += ' ';
                put_nstring(out, opt_sv(a.adl), opt);
                out += ' ';
                put_nstring(out, opt_sv(a.mailbox), opt);
                out += ' ';
                put_nstring(out, opt_sv(a.host), opt);
                out += ')';
                break;
        }
    }
    out += ')';
}

void put_params(std::string& out, const std::vector<mime::Param>& params, bool add_charset,
                const proto::EncodeOptions& opt) {
    bool has_charset = false;
    for (const mime::Param& p : params)
        if (p.name == "charset") has_charset = true;
    add_charset = add_charset && !has_charset;
    if (params.empty() && !add_charset) {
        proto::append_nil(out);
        return;
    }
    out += '(';
    bool first = true;
    for (const mime::Param& p : params) {
        if (!first) out += ' ';
        first = false;
        // RFC 2231 values go out in their encoded form under "name*", as Dovecot sends them.
        put_nstring(out, std::string_view(p.extended ? p.name + "*" : p.name), opt);
        out += ' ';
        put_nstring(out, std::string_view(p.value), opt);
    }
    // Dovecot appends the RFC 2045 §5.2 default charset after the given parameters.
    if (add_charset) out += first ? "\"charset\" \"us-ascii\"" : " \"charset\" \"us-ascii\"";
    out += ')';
}

void put_disposition(std::string& out, const mime::Part& p, const proto::EncodeOptions& opt) {
    if (!p.disposition) {
        proto::append_nil(out);
        return;
    }
    out += '(';
    put_opt(out, p.disposition, opt);
    out += ' ';
    put_params(out, p.disposition_params, false, opt);
    out += ')';
}

bool is_atext(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// Content-Language is a comma-separated list of atoms with comments (RFC 3282 §2); like
// Dovecot, each element is its first atom and the list form is always used.
void put_language(std::string& out, const std::optional<std::string>& raw,
                  const proto::EncodeOptions& opt) {
    std::vector<std::string_view> tags;
    if (raw) {
        std::string_view v = *raw;
        std::size_t i = 0;
        while (i < v.size()) {
            while (i < v.size() && (is_wsp(v[i]) || v[i] == '('))
                i = v[i] == '(' ? mime::skip_comment(v, i) : i + 1;
            std::size_t start = i;
            while (i < v.size() && is_atext(v[i]))
                ++i;
            if (i > start) tags.push_back(v.substr(start, i - start));
            i = std::min(v.find(',', i), v.size());
            if (i < v.size()) ++i;
        }
    }
    if (tags.empty()) {
        proto::append_nil(out);
        return;
    }
    out += '(';
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (i) out += ' ';
        put_nstring(out, tags[i], opt);
    }
    out += ')';
}

// body-ext-1part / body-ext-mpart tail shared by both: disposition, language, location.
void put_extension_tail(std::string& out, const mime::Part& p, const proto::EncodeOptions& opt) {
    out += ' ';
    put_disposition(out, p, opt);
    out += ' ';
    put_language(out, p.language, opt);
    out += ' ';
    put_opt(out, p.location, opt);
}

void put_body(std::string& out, const mime::Part& p, bool extended, const proto::EncodeOptions& opt,
              std::size_t depth);

void put_multipart(std::string& out, const mime::Part& p, bool extended,
                   const proto::EncodeOptions& opt, std::size_t depth) {
    out += '(';
    if (p.children.empty()) {
        // body-type-mpart needs at least one part; Dovecot writes an empty text/plain.
        out += "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0";
        if (extended) out += " NIL NIL NIL NIL";
        out += ')';
    }
    for (const mime::Part& child : p.children)
        put_body(out, child, extended, opt, depth + 1);
    out += ' ';
    put_nstring(out, std::string_view(p.subtype), opt);
    if (extended) {
        out += ' ';
        put_params(out, p.params, false, opt);
        put_extension_tail(out, p, opt);
    }
    out += ')';
}

void put_body(std::string& out, const mime::Part& p, bool extended, const proto::EncodeOptions& opt,
              std::size_t depth) {
    // The parser bounds the depth; this guard only protects against a hand-made tree.
    if (depth > 1000) {
        out += "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0)";
        return;
    }
    if (p.is_multipart()) {
        put_multipart(out, p, extended, opt, depth);
        return;
    }
    const bool text = p.type == "text";
    out += '(';
    put_nstring(out, std::string_view(p.type), opt);
    out += ' ';
    put_nstring(out, std::string_view(p.subtype), opt);
    out += ' ';
    put_params(out, p.params, text, opt);
    out += ' ';
    put_opt(out, p.id, opt);
    out += ' ';
    put_opt(out, p.description, opt);
    out += ' ';
    put_nstring(out, std::string_view(p.encoding.value_or("7bit")), opt);
    out += ' ';
    out += std::to_string(p.body_vsize);
    if (const mime::Part* m = mime::embedded(p)) {
        // body-type-msg: envelope, body, lines (RFC 9051 §7.5.2).
        out += ' ';
        append_envelope(out, m->envelope.value_or(mime::Envelope{}), opt);
        out += ' ';
        put_body(out, *m, extended, opt, depth + 1);
        out += ' ';
        out += std::to_string(p.body_lines);
    } else if (text) {
        out += ' ';
        out += std::to_string(p.body_lines);
    }
    if (extended) {
        out += ' ';
        put_opt(out, p.md5, opt);
        put_extension_tail(out, p, opt);
    }
    out += ')';
}

// --- BINARY[] --------------------------------------------------------------------------------

bool decodes(const mime::Part& p) {
    if (!p.children.empty()) return false;
    mime::Encoding kind = mime::encoding_kind(p.encoding.value_or(""));
    return kind == mime::Encoding::Base64 || kind == mime::Encoding::QuotedPrintable;
}

bool any_decoded(const mime::Part& p) {
    if (decodes(p)) return true;
    for (const mime::Part& c : p.children)
        if (any_decoded(c)) return true;
    return false;
}

std::string_view slice(std::string_view msg, std::uint64_t offset, std::uint64_t length) {
    if (offset >= msg.size()) return {};
    return msg.substr(offset, std::min<std::uint64_t>(length, msg.size() - offset));
}

bool binary_whole(std::string_view msg, const mime::Part& p, std::string& out);

// The body of `p` with every leaf inside decoded; false on an unknown encoding.
bool binary_body(std::string_view msg, const mime::Part& p, std::string& out) {
    if (p.children.empty()) {
        mime::Encoding kind = mime::encoding_kind(p.encoding.value_or(""));
        if (kind == mime::Encoding::Unknown) return false;
        out += mime::decode_transfer(slice(msg, p.body_offset, p.body_size), kind);
        return true;
    }
    // Multipart (or message/rfc822): the octets between the children (preamble, boundaries,
    // epilogue) are kept; each child is rewritten whole.
    std::uint64_t pos = p.body_offset;
    const std::uint64_t end = p.body_offset + p.body_size;
    for (const mime::Part& c : p.children) {
        if (c.header_offset > pos) out += slice(msg, pos, c.header_offset - pos);
        if (!binary_whole(msg, c, out)) return false;
        pos = std::max(pos, c.body_offset + c.body_size);
    }
    if (end > pos) out += slice(msg, pos, end - pos);
    return true;
}

// Header and body of `p`; a decoded leaf's Content-Transfer-Encoding is replaced by "binary"
// at the end of its header, as Dovecot does (RFC 3516 §4.2 leaves the header to the server).
bool binary_whole(std::string_view msg, const mime::Part& p, std::string& out) {
    std::string_view header = slice(msg, p.header_offset, p.header_size);
    if (!decodes(p)) {
        out += header;
    } else {
        std::vector<mime::HeaderField> fields = mime::parse_header(header);
        std::size_t tail = 0;
        for (const mime::HeaderField& f : fields) {
            if (!iequals(f.name, "Content-Transfer-Encoding"))
                out += header.substr(f.offset, f.size);
            tail = std::max(tail, f.offset + f.size);
        }
        out += "Content-Transfer-Encoding: binary\r\n";
        out += header.substr(std::min(tail, header.size()));
    }
    return binary_body(msg, p, out);
}

}  // namespace

void append_envelope(std::string& out, const mime::Envelope& env, const proto::EncodeOptions& opt) {
    out += '(';
    put_opt(out, env.date, opt);
    out += ' ';
    if (env.subject)
        put_human(out, *env.subject, opt);
    else
        proto::append_nil(out);
    out += ' ';
    put_address_list(out, env.from, opt);
    out += ' ';
    put_address_list(out, env.sender.empty() ? env.from : env.sender, opt);
    out += ' ';
    put_address_list(out, env.reply_to.empty() ? env.from : env.reply_to, opt);
    out += ' ';
    put_address_list(out, env.to, opt);
    out += ' ';
    put_address_list(out, env.cc, opt);
    out += ' ';
    put_address_list(out, env.bcc, opt);
    out += ' ';
    put_opt(out, env.in_reply_to, opt);
    out += ' ';
    put_opt(out, env.message_id, opt);
    out += ')';
}

void append_body_structure(std::string& out, const mime::Part& part, bool extended,
                           const proto::EncodeOptions& opt) {
    put_body(out, part, extended, opt, 0);
}

std::optional<SectionRange> section_range(const mime::Structure& s, const proto::Section& section,
                                          std::uint64_t message_size) {
    using proto::SectionText;
    auto clamp = [&](std::uint64_t offset, std::uint64_t length, bool filter) {
        SectionRange r;
        r.offset = std::min(offset, message_size);
        r.length = std::min(length, message_size - r.offset);
        r.header_filter = filter;
        return r;
    };
    if (section.part.empty() && section.text == SectionText::None)
        return clamp(0, message_size, false);

    const mime::Part* p = mime::find_section(s.root, section.part);
    if (!p) return std::nullopt;
    // HEADER / TEXT address a message: the top-level one, or the one inside message/rfc822.
    const mime::Part* msg = section.part.empty() ? p : mime::embedded(*p);
    switch (section.text) {
        case SectionText::None:
            return clamp(p->body_offset, p->body_size, false);
        case SectionText::Mime:
            if (section.part.empty()) return std::nullopt;
            return clamp(p->header_offset, p->header_size, false);
        case SectionText::Header:
        case SectionText::HeaderFields:
        case SectionText::HeaderFieldsNot:
            if (!msg) return std::nullopt;
            return clamp(msg->header_offset, msg->header_size, section.text != SectionText::Header);
        case SectionText::Text:
            if (!msg) return std::nullopt;
            return clamp(msg->body_offset, msg->body_size, false);
    }
    return std::nullopt;
}

std::string filter_header_fields(std::string_view header_block,
                                 const std::vector<std::string>& fields, bool exclude) {
    std::string out;
    for (const mime::HeaderField& f : mime::parse_header(header_block)) {
        bool listed = false;
        for (const std::string& name : fields)
            if (iequals(f.name, name)) {
                listed = true;
                break;
            }
        if (listed == exclude) continue;
        std::string_view raw = header_block.substr(f.offset, f.size);
        out += raw;
        // A last field without its line end (header cut by the end of the message).
        if (raw.empty() || raw.back() != '\n') out += "\r\n";
    }
    out += "\r\n";
    return out;
}

std::optional<std::string> binary_section(std::string_view message, const mime::Structure& s,
                                          std::span<const std::uint32_t> part, bool& unknown_cte) {
    unknown_cte = false;
    const mime::Part* p = mime::find_section(s.root, part);
    if (!p) return std::nullopt;
    std::string out;
    bool ok = part.empty() ? binary_whole(message, *p, out) : binary_body(message, *p, out);
    if (!ok) {
        unknown_cte = true;
        return std::nullopt;
    }
    return out;
}

bool binary_was_decoded(const mime::Structure& s, std::span<const std::uint32_t> part) {
    const mime::Part* p = mime::find_section(s.root, part);
    return p && any_decoded(*p);
}

}  // namespace hermod::imap::message
