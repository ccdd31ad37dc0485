// fuzz_mime.cpp - the MIME parser is total and bounded: any bytes give a Structure whose
// offsets lie inside the message, whose parts are ordered and non-overlapping, which respects
// the depth and part limits, and which survives a serialize/deserialize round trip unchanged.
// Its IMAP rendering (ENVELOPE, BODYSTRUCTURE, every section's byte range, BINARY, SEARCH text
// keys) is total too, and every section range lies inside the message.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "imap/message/render.hpp"
#include "imap/message/search.hpp"
#include "imap/proto/search.hpp"
#include "mime/address.hpp"
#include "mime/date.hpp"
#include "mime/encoded_word.hpp"
#include "mime/parser.hpp"
#include "mime/serialize.hpp"
#include "mime/transfer.hpp"

namespace {

using hermod::mime::Part;

void check(bool ok) {
    if (!ok) std::abort();
}

// Lines and bare LFs counted directly, to check the parser's incremental counts.
void count(std::string_view s, std::uint64_t& lf, std::uint64_t& bare, std::uint64_t begin,
           std::uint64_t end) {
    lf = bare = 0;
    for (std::uint64_t i = begin; i < end; ++i)
        if (s[i] == '\n') {
            ++lf;
            if (i == 0 || s[i - 1] != '\r') ++bare;
        }
}

std::size_t check_part(const Part& p, std::string_view msg, std::size_t depth,
                       std::size_t max_depth) {
    const std::size_t size = msg.size();
    check(depth <= max_depth);
    check(p.header_offset + p.header_size == p.body_offset);
    check(p.body_offset + p.body_size <= size);
    std::uint64_t lf, bare;
    count(msg, lf, bare, p.body_offset, p.body_offset + p.body_size);
    check(p.body_lines == lf && p.body_vsize == p.body_size + bare);
    count(msg, lf, bare, p.header_offset, p.body_offset);
    check(p.header_vsize == p.header_size + bare);
    std::size_t n = 1;
    std::uint64_t pos = p.body_offset;
    for (const Part& c : p.children) {
        check(c.header_offset >= pos);
        pos = c.body_offset + c.body_size;
        check(pos <= p.body_offset + p.body_size);
        n += check_part(c, msg, depth + 1, max_depth);
    }
    if (p.is_message()) check(p.children.size() == 1 && p.children[0].envelope.has_value());
    return n;
}

// Renders every part the way FETCH would, paths found by walking the tree.
void render_parts(const hermod::mime::Structure& s, std::string_view msg, const Part& p,
                  std::vector<std::uint32_t>& path) {
    using namespace hermod::imap;
    for (auto text : {proto::SectionText::None, proto::SectionText::Header,
                      proto::SectionText::Text, proto::SectionText::Mime,
                      proto::SectionText::HeaderFields}) {
        proto::Section section;
        section.part = path;
        section.text = text;
        if (text == proto::SectionText::Mime && path.empty()) continue;
        if (text == proto::SectionText::HeaderFields) section.fields = {"Subject", "From"};
        if (auto r = message::section_range(s, section, msg.size())) {
            check(r->offset <= msg.size() && r->length <= msg.size() - r->offset);
            if (r->header_filter)
                (void)message::filter_header_fields(msg.substr(r->offset, r->length),
                                                    section.fields, false);
        }
    }
    bool unknown = false;
    (void)message::binary_section(msg, s, path, unknown);
    const auto& kids = p.is_message() ? p.children[0].children : p.children;
    for (std::uint32_t i = 0; i < kids.size() && i < 8; ++i) {
        path.push_back(i + 1);
        render_parts(s, msg, kids[i], path);
        path.pop_back();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    hermod::mime::Limits limits;
    limits.max_depth = 8;
    limits.max_parts = 50;
    limits.max_header_size = 4096;
    limits.max_header_fields = 64;
    auto s = hermod::mime::parse(text, limits);
    check(s.root.header_offset == 0);
    check(check_part(s.root, text, 0, limits.max_depth) <= limits.max_parts);

    auto bytes = hermod::mime::serialize(s);
    auto back = hermod::mime::deserialize(bytes);
    check(back.has_value() && *back == s);
    // Deserializing arbitrary bytes must be safe too.
    (void)hermod::mime::deserialize(text);

    std::string out;
    hermod::imap::proto::EncodeOptions opt;
    hermod::imap::message::append_envelope(out, s.root.envelope.value_or(hermod::mime::Envelope{}),
                                           opt);
    hermod::imap::message::append_body_structure(out, s.root, true, opt);
    hermod::imap::message::append_body_structure(out, s.root, false, opt);
    std::vector<std::uint32_t> path;
    render_parts(s, text, s.root, path);
    {
        using hermod::imap::proto::SearchKey;
        using hermod::imap::proto::SearchKeyKind;
        SearchKey key;
        key.kind = SearchKeyKind::Or;
        key.children.resize(2);
        key.children[0].kind = SearchKeyKind::Text;
        key.children[0].value = "needle";
        key.children[1].kind = SearchKeyKind::Header;
        key.children[1].field = "subject";
        key.children[1].value = "x";
        hermod::imap::message::SearchMessage m;
        m.structure = [&s]() -> const hermod::mime::Structure& { return s; };
        m.text = [text] { return text; };
        (void)hermod::imap::message::matches(key, m, {});
    }

    // The value-level parsers are total on any header-like input.
    std::string_view head = text.substr(0, 2048);
    (void)hermod::mime::decode_encoded_words(head);
    (void)hermod::mime::parse_address_list(head);
    (void)hermod::mime::parse_date(head);
    (void)hermod::mime::parse_params(head);
    auto qp = hermod::mime::decode_quoted_printable(text);
    check(qp.size() <= text.size());
    check(hermod::mime::decode_base64(text).size() <= text.size());
    return 0;
}
