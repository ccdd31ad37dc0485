// SEARCH programs into ASTs (RFC 9051 §6.4.4; RFC 3501 §6.4.4; RFC 4731 §3.1; RFC 5182).
#include "imap/proto/search.hpp"

#include <gtest/gtest.h>

#include "assemble.hpp"

using namespace hermod::imap::proto;
using hermod::imap::proto::test::Parsed;
using K = SearchKeyKind;

namespace {

std::optional<SearchRequest> search(std::string_view wire, std::string* error = nullptr,
                                    bool rev1 = true, ParseErrorKind* kind = nullptr) {
    Parsed c(wire);
    auto r = parse_search(c.parser, rev1);
    if (error) *error = c.error();
    if (kind && c.parser.error()) *kind = c.parser.error()->kind;
    return r;
}

std::string search_error(std::string_view wire) {
    std::string e;
    EXPECT_FALSE(search(wire, &e)) << wire;
    return e;
}

// A compact rendering of the AST for shape checks.
std::string shape(const SearchKey& k) {
    static const char* names[] = {
        "ALL",     "AND",       "OR",         "NOT",        "ANSWERED", "DELETED",   "DRAFT",
        "FLAGGED", "SEEN",      "UNANSWERED", "UNDELETED",  "UNDRAFT",  "UNFLAGGED", "UNSEEN",
        "KEYWORD", "UNKEYWORD", "RECENT",     "NEW",        "OLD",      "UNRECENT",  "BCC",
        "BODY",    "CC",        "FROM",       "SUBJECT",    "TEXT",     "TO",        "HEADER",
        "BEFORE",  "ON",        "SINCE",      "SENTBEFORE", "SENTON",   "SENTSINCE", "LARGER",
        "SMALLER", "OLDER",     "YOUNGER",    "UID",        "SET",      "MODSEQ"};
    std::string out = names[static_cast<int>(k.kind)];
    if (!k.field.empty()) out += ":" + k.field;
    if (!k.value.empty()) out += "=" + k.value;
    if (k.kind == K::Larger || k.kind == K::Smaller || k.kind == K::ModSeq)
        out += "=" + std::to_string(k.number);
    if (k.kind == K::Uid || k.kind == K::SequenceSet) out += "=" + k.set.to_string();
    if (!k.children.empty()) {
        out += "(";
        for (std::size_t i = 0; i < k.children.size(); ++i)
            out += (i ? " " : "") + shape(k.children[i]);
        out += ")";
    }
    return out;
}

}  // namespace

TEST(imap_search_Rfc9051_6_4_4, SpecExampleFlaggedSinceFromSmith) {
    auto r = search("A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->result.esearch);
    EXPECT_TRUE(r->result.min);
    EXPECT_TRUE(r->result.count);
    EXPECT_FALSE(r->result.all);
    EXPECT_EQ(shape(r->root), "AND(FLAGGED SINCE NOT(FROM=Smith))");
    EXPECT_EQ(r->root.children[1].date, (Date{1994, 2, 1}));
}

TEST(imap_search_Rfc9051_6_4_4, OrAndGroups) {
    auto r = search("A1 SEARCH OR (FROM a TO b) NOT (SEEN DELETED) 1:5,*");
    ASSERT_TRUE(r);
    EXPECT_EQ(shape(r->root), "AND(OR(AND(FROM=a TO=b) NOT(AND(SEEN DELETED))) SET=1:5,*)");
    r = search("A1 SEARCH (SEEN)");
    EXPECT_EQ(shape(r->root), "SEEN");  // a one-key group is the key
    r = search("A1 SEARCH OR OR SEEN DRAFT FLAGGED");
    EXPECT_EQ(shape(r->root), "OR(OR(SEEN DRAFT) FLAGGED)");
}

TEST(imap_search_Rfc9051_6_4_4, EveryKey) {
    auto r = search(
        "A1 SEARCH ALL ANSWERED BCC x BEFORE 1-Jan-2000 BODY y CC z DELETED DRAFT FLAGGED FROM f "
        "HEADER X-Spam yes KEYWORD $Junk LARGER 100 NOT SEEN ON 2-Jan-2000 OR SEEN UNSEEN SEEN "
        "SENTBEFORE 1-Jan-2000 SENTON 1-Jan-2000 SENTSINCE 1-Jan-2000 SINCE 1-Jan-2000 "
        "SMALLER 5 SUBJECT s TEXT t TO u UID 1:3 UNANSWERED UNDELETED UNDRAFT UNFLAGGED "
        "UNKEYWORD k UNSEEN NEW OLD RECENT UNRECENT OLDER 60 YOUNGER 30 MODSEQ 5 $");
    ASSERT_TRUE(r) << "";
    EXPECT_EQ(r->root.children.size(), 40u);
    EXPECT_EQ(shape(r->root.children[10]), "HEADER:X-Spam=yes");
    EXPECT_EQ(r->root.children.back().kind, K::SequenceSet);
    EXPECT_TRUE(r->root.children.back().set.saved);
}

TEST(imap_search_Rfc9051_6_4_4, Rev2DropsRecentKeys) {
    std::string e;
    EXPECT_FALSE(search("A1 SEARCH NEW", &e, false));
    EXPECT_EQ(e, "unknown search key NEW");
    EXPECT_TRUE(search("A1 SEARCH NEW", nullptr, true));
}

TEST(imap_search_Rfc9051_6_4_4, Charset) {
    auto r = search("A1 SEARCH CHARSET utf-8 SUBJECT {5}\r\n\xC3\xA9t\xC3\xA9");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->charset, "UTF-8");
    EXPECT_EQ(r->root.value, "\xC3\xA9t\xC3\xA9");
    EXPECT_EQ(search("A1 SEARCH CHARSET US-ASCII ALL")->charset, "US-ASCII");
    std::string e;
    ParseErrorKind kind = ParseErrorKind::Bad;
    EXPECT_FALSE(search("A1 SEARCH CHARSET ISO-8859-1 ALL", &e, true, &kind));
    EXPECT_EQ(kind, ParseErrorKind::BadCharset);
}

TEST(imap_search_Rfc4731_3_1, ReturnOptions) {
    auto r = search("A1 SEARCH RETURN () ALL");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->result.esearch);
    EXPECT_TRUE(r->result.all);  // empty RETURN means ALL
    r = search("A1 SEARCH RETURN (MIN MAX ALL COUNT SAVE) CHARSET UTF-8 ALL");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->result.min && r->result.max && r->result.all && r->result.count &&
                r->result.save);
    EXPECT_FALSE(search("A1 SEARCH ALL")->result.esearch);
    EXPECT_NE(search_error("A1 SEARCH RETURN (FOO) ALL").find("unknown RETURN option"),
              std::string::npos);
}

TEST(imap_search_Rfc9051_9, Errors) {
    EXPECT_EQ(search_error("A1 SEARCH"), "expected SP (command ends early)");
    EXPECT_EQ(search_error("A1 SEARCH "), "missing search key");
    EXPECT_EQ(search_error("A1 SEARCH FOO"), "unknown search key FOO");
    EXPECT_NE(search_error("A1 SEARCH BEFORE 1-Foo-2000").find("invalid date"), std::string::npos);
    EXPECT_NE(search_error("A1 SEARCH LARGER x").find("expected a number"), std::string::npos);
    EXPECT_NE(search_error("A1 SEARCH OR SEEN").find("expected SP"), std::string::npos);
    EXPECT_NE(search_error("A1 SEARCH (SEEN").find("or ')'"), std::string::npos);
    EXPECT_NE(search_error("A1 SEARCH SEEN)").find("expected SP"), std::string::npos);
    EXPECT_NE(search_error("A1 SEARCH UID x").find("sequence set"), std::string::npos);
    EXPECT_NE(search_error("A1 SEARCH HEADER X").find("expected SP"), std::string::npos);
    EXPECT_NE(search_error("A1 SEARCH SUBJECT").find("expected SP"), std::string::npos);
    EXPECT_NE(search_error("A1 SEARCH SEEN  DELETED").find("expected a search key"),
              std::string::npos);
}

TEST(imap_search_Limits, NestingAndKeyCountAreBounded) {
    std::string deep = "A1 SEARCH ";
    for (int i = 0; i < 40; ++i)
        deep += "NOT ";
    deep += "SEEN";
    EXPECT_EQ(search_error(deep), "arguments nested too deeply");
    std::string parens = "A1 SEARCH " + std::string(40, '(') + "SEEN" + std::string(40, ')');
    EXPECT_EQ(search_error(parens), "arguments nested too deeply");
    std::string many = "A1 SEARCH SEEN";
    for (std::size_t i = 0; i < kMaxSearchKeys; ++i)
        many += " SEEN";
    EXPECT_EQ(search_error(many), "too many search keys");
}
