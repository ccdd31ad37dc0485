// FETCH attributes (RFC 9051 §6.4.5, §9; RFC 3516 §4.2; RFC 7162 §3.1.4).
#include "imap/proto/fetch.hpp"

#include <gtest/gtest.h>

#include "assemble.hpp"

using namespace hermod::imap::proto;
using hermod::imap::proto::test::Parsed;

namespace {

std::optional<FetchRequest> fetch(std::string_view wire, std::string* error = nullptr) {
    Parsed c(wire);
    auto r = parse_fetch(c.parser);
    if (error) *error = c.error();
    return r;
}

std::string fetch_error(std::string_view wire) {
    std::string e;
    EXPECT_FALSE(fetch(wire, &e)) << wire;
    return e;
}

std::vector<FetchItem> items(const FetchRequest& r) {
    std::vector<FetchItem> out;
    for (const auto& a : r.attributes)
        out.push_back(a.item);
    return out;
}

}  // namespace

TEST(imap_fetch_Rfc9051_6_4_5, Macros) {
    using I = FetchItem;
    EXPECT_EQ(items(*fetch("A1 FETCH 1 FAST")),
              (std::vector<I>{I::Flags, I::InternalDate, I::Rfc822Size}));
    EXPECT_EQ(items(*fetch("A1 FETCH 1 all")),
              (std::vector<I>{I::Flags, I::InternalDate, I::Rfc822Size, I::Envelope}));
    EXPECT_EQ(items(*fetch("A1 FETCH 1 FULL")),
              (std::vector<I>{I::Flags, I::InternalDate, I::Rfc822Size, I::Envelope, I::Body}));
    EXPECT_NE(fetch_error("A1 FETCH 1 (ALL)").find("unknown fetch attribute ALL"),
              std::string::npos);
}

TEST(imap_fetch_Rfc9051_6_4_5, SimpleAttributes) {
    using I = FetchItem;
    auto r = fetch(
        "A654 FETCH 2:4 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE UID RFC822 "
        "RFC822.HEADER RFC822.TEXT MODSEQ)");
    ASSERT_TRUE(r);
    EXPECT_EQ(items(*r), (std::vector<I>{I::Flags, I::InternalDate, I::Rfc822Size, I::Envelope,
                                         I::Body, I::BodyStructure, I::Uid, I::Rfc822,
                                         I::Rfc822Header, I::Rfc822Text, I::ModSeq}));
    EXPECT_EQ(r->set.to_string(), "2:4");
    EXPECT_TRUE(r->sets_seen());  // RFC822, RFC822.TEXT
    EXPECT_FALSE(fetch("A1 FETCH 1 (FLAGS UID)")->sets_seen());
}

TEST(imap_fetch_Rfc9051_6_4_5, BodySectionWithHeaderFieldsAndPartial) {
    auto r = fetch("A1 FETCH 1 BODY[1.2.HEADER.FIELDS (FROM TO)]<0.100>");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->attributes.size(), 1u);
    const auto& a = r->attributes[0];
    EXPECT_EQ(a.item, FetchItem::BodySection);
    EXPECT_FALSE(a.peek);
    EXPECT_EQ(a.section.part, (std::vector<std::uint32_t>{1, 2}));
    EXPECT_EQ(a.section.text, SectionText::HeaderFields);
    EXPECT_EQ(a.section.fields, (std::vector<std::string>{"FROM", "TO"}));
    ASSERT_TRUE(a.partial);
    EXPECT_EQ(a.partial->offset, 0u);
    EXPECT_EQ(a.partial->length, 100u);
    EXPECT_EQ(fetch_response_name(a), "BODY[1.2.HEADER.FIELDS (FROM TO)]<0>");
    EXPECT_TRUE(r->sets_seen());
}

TEST(imap_fetch_Rfc9051_6_4_5, SectionForms) {
    struct Case {
        std::string_view wire;
        std::vector<std::uint32_t> part;
        SectionText text;
        std::string_view name;
    };
    for (const Case& c : std::vector<Case>{
             {"BODY[]", {}, SectionText::None, "BODY[]"},
             {"body.peek[HEADER]", {}, SectionText::Header, "BODY[HEADER]"},
             {"BODY[TEXT]", {}, SectionText::Text, "BODY[TEXT]"},
             {"BODY[3]", {3}, SectionText::None, "BODY[3]"},
             {"BODY[4.2.MIME]", {4, 2}, SectionText::Mime, "BODY[4.2.MIME]"},
             {"BODY[4.2.TEXT]", {4, 2}, SectionText::Text, "BODY[4.2.TEXT]"},
             {"BODY.PEEK[HEADER.FIELDS.NOT (Received \"X-Spam\")]",
              {},
              SectionText::HeaderFieldsNot,
              "BODY[HEADER.FIELDS.NOT (Received X-Spam)]"},
         }) {
        auto r = fetch("A1 FETCH 1 " + std::string(c.wire));
        ASSERT_TRUE(r) << c.wire;
        const auto& a = r->attributes[0];
        EXPECT_EQ(a.section.part, c.part) << c.wire;
        EXPECT_EQ(a.section.text, c.text) << c.wire;
        EXPECT_EQ(fetch_response_name(a), c.name) << c.wire;
    }
    EXPECT_TRUE(fetch("A1 FETCH 1 BODY.PEEK[]")->attributes[0].peek);
    EXPECT_FALSE(fetch("A1 FETCH 1 BODY.PEEK[]")->sets_seen());
}

TEST(imap_fetch_Rfc3516_4_2, Binary) {
    auto r = fetch("A1 FETCH 1 (BINARY[1.2]<10.20> BINARY.PEEK[] BINARY.SIZE[3])");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->attributes.size(), 3u);
    EXPECT_EQ(r->attributes[0].item, FetchItem::BinarySection);
    EXPECT_EQ(fetch_response_name(r->attributes[0]), "BINARY[1.2]<10>");
    EXPECT_TRUE(r->attributes[1].peek);
    EXPECT_EQ(r->attributes[2].item, FetchItem::BinarySize);
    EXPECT_EQ(fetch_response_name(r->attributes[2]), "BINARY.SIZE[3]");
    EXPECT_NE(fetch_error("A1 FETCH 1 BINARY[1.HEADER]").find("part numbers only"),
              std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 BINARY.SIZE[1]<0.5>").find("unexpected characters"),
              std::string::npos);
}

TEST(imap_fetch_Rfc7162_3_1_4, ChangedSinceModifier) {
    auto r = fetch("A1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->changed_since, 12345u);
    EXPECT_TRUE(r->vanished);
    EXPECT_NE(fetch_error("A1 FETCH 1 FLAGS (VANISHED)").find("VANISHED requires"),
              std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 FLAGS (FOO)").find("unknown fetch modifier"),
              std::string::npos);
}

TEST(imap_fetch_Rfc9051_9, Errors) {
    EXPECT_EQ(fetch_error("A1 FETCH"), "expected SP (command ends early)");
    EXPECT_EQ(fetch_error("A1 FETCH 1"), "expected SP (command ends early)");
    EXPECT_NE(fetch_error("A1 FETCH x FLAGS").find("sequence set"), std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 FOO").find("unknown fetch attribute FOO"), std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 (FLAGS").find("or ')'"), std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 (FLAGS  UID)").find("fetch attribute"), std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 BODY[1.MIMEX]").find("invalid section"), std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 BODY[MIME]").find("invalid section"), std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 BODY[0]").find("non-zero"), std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 BODY[1").find("expected ']'"), std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 BODY[]<0.0>").find("non-zero"), std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 BODY[]<5>").find("expected '.'"), std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 BODY[HEADER.FIELDS ()]").find("expected an atom"),
              std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 BODY[HEADER.FIELDS (a:b)]").find("field name"),
              std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 BODY.PEEK").find("expected '['"), std::string::npos);
    EXPECT_NE(fetch_error("A1 FETCH 1 FLAGS extra").find("expected '('"), std::string::npos);
    std::string many = "A1 FETCH 1 (";
    for (int i = 0; i < 65; ++i)
        many += i ? " UID" : "UID";
    many += ")";
    EXPECT_EQ(fetch_error(many), "too many fetch attributes");
}
