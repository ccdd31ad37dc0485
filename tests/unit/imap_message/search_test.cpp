// SEARCH key evaluation on one message (RFC 9051 §6.4.4; RFC 3501 §6.4.4; RFC 5032; RFC 5182;
// RFC 7162 §3.1.5).
#include "imap/message/search.hpp"

#include <gtest/gtest.h>

#include "imap/proto/parser.hpp"
#include "mime/parser.hpp"

using namespace hermod::imap::message;
using hermod::imap::proto::CommandBuffer;
using hermod::imap::proto::Parser;
using hermod::imap::proto::SearchKey;
using K = hermod::imap::proto::SearchKeyKind;
namespace mime = hermod::mime;

namespace {

// A search program as a client sends it ("OR SEEN NOT FLAGGED").
SearchKey key(std::string_view program) {
    CommandBuffer cb;
    cb.text = "A1 SEARCH " + std::string(program);
    Parser p(cb);
    p.command_head();
    auto r = hermod::imap::proto::parse_search(p, true);
    EXPECT_TRUE(r) << program;
    return r ? r->root : SearchKey{};
}

// A string key built directly, for non-ASCII arguments.
SearchKey str_key(K kind, std::string value, std::string field = {}) {
    SearchKey k;
    k.kind = kind;
    k.value = std::move(value);
    k.field = std::move(field);
    return k;
}

// A message with lazily served octets and structure that counts the loads.
struct Msg {
    std::string octets;
    mime::Structure parsed;
    std::vector<std::string> keywords;
    int text_calls = 0, structure_calls = 0;
    SearchMessage m;

    explicit Msg(std::string text = {}) : octets(std::move(text)), parsed(mime::parse(octets)) {
        m.seq = 7;
        m.uid = 42;
        m.keywords = &keywords;
        m.size = octets.size();
        m.internal_date = 1772503200;  // 2026-03-03 02:00:00 UTC
        m.modseq = 100;
        m.text = [this] {
            ++text_calls;
            return std::string_view(octets);
        };
        m.structure = [this]() -> const mime::Structure& {
            ++structure_calls;
            return parsed;
        };
    }
    Msg(const Msg&) = delete;
};

SearchContext context() {
    SearchContext ctx;
    ctx.now = 1772503200 + 3600;
    ctx.largest_seq = 10;
    ctx.largest_uid = 50;
    return ctx;
}

bool match(Msg& msg, std::string_view program, const SearchContext& ctx = context()) {
    return matches(key(program), msg.m, ctx);
}

bool match(Msg& msg, const SearchKey& k, const SearchContext& ctx = context()) {
    return matches(k, msg.m, ctx);
}

const std::string kSimple =
    "From: =?ISO-8859-1?Q?Andr=E9?= Pirard <pirard@vm1.ulg.ac.be>\r\n"
    "To: Keith Moore <moore@cs.utk.edu>\r\n"
    "Cc: Team <team@example.org>\r\n"
    "Bcc: secret@example.net\r\n"
    "Subject: =?UTF-8?B?w4lsw6h2ZSDDqWTDqQ==?= and\r\n more\r\n"
    "Date: Mon, 02 Mar 2026 23:30:00 -0500\r\n"
    "X-Custom: Hello World\r\n"
    "X-Empty:\r\n"
    "Received: from a.example\r\n"
    "Received: from b.example\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "The quick brown fox jumps over the lazy dog.\r\n";

}  // namespace

TEST(ImapMessageSearch, FlagKeys) {
    Msg msg(kSimple);
    msg.m.flags = kFlagSeen | kFlagFlagged;
    EXPECT_TRUE(match(msg, "ALL"));
    EXPECT_TRUE(match(msg, "SEEN"));
    EXPECT_FALSE(match(msg, "UNSEEN"));
    EXPECT_TRUE(match(msg, "FLAGGED"));
    EXPECT_FALSE(match(msg, "UNFLAGGED"));
    EXPECT_FALSE(match(msg, "ANSWERED"));
    EXPECT_TRUE(match(msg, "UNANSWERED"));
    EXPECT_FALSE(match(msg, "DELETED"));
    EXPECT_TRUE(match(msg, "UNDELETED"));
    EXPECT_FALSE(match(msg, "DRAFT"));
    EXPECT_TRUE(match(msg, "UNDRAFT"));
    msg.m.flags = kFlagAnswered | kFlagDeleted | kFlagDraft;
    EXPECT_TRUE(match(msg, "ANSWERED"));
    EXPECT_FALSE(match(msg, "UNANSWERED"));
    EXPECT_TRUE(match(msg, "DELETED"));
    EXPECT_FALSE(match(msg, "UNDELETED"));
    EXPECT_TRUE(match(msg, "DRAFT"));
    EXPECT_FALSE(match(msg, "UNDRAFT"));
    EXPECT_FALSE(match(msg, "SEEN"));
    EXPECT_EQ(msg.text_calls + msg.structure_calls, 0);
}

TEST(ImapMessageSearch, KeywordsAreCaseInsensitive) {
    Msg msg(kSimple);
    msg.keywords = {"$Forwarded", "Work"};
    EXPECT_TRUE(match(msg, "KEYWORD $forwarded"));
    EXPECT_TRUE(match(msg, "KEYWORD WORK"));
    EXPECT_FALSE(match(msg, "KEYWORD $Junk"));
    EXPECT_FALSE(match(msg, "UNKEYWORD work"));
    EXPECT_TRUE(match(msg, "UNKEYWORD $Junk"));
    msg.m.keywords = nullptr;
    EXPECT_FALSE(match(msg, "KEYWORD Work"));
    EXPECT_TRUE(match(msg, "UNKEYWORD Work"));
}

TEST(ImapMessageSearch, Rfc3501_RecentNewOld) {
    Msg msg(kSimple);
    msg.m.recent = true;
    EXPECT_TRUE(match(msg, "RECENT"));
    EXPECT_FALSE(match(msg, "UNRECENT"));
    EXPECT_FALSE(match(msg, "OLD"));
    EXPECT_TRUE(match(msg, "NEW"));  // recent and unseen
    msg.m.flags = kFlagSeen;
    EXPECT_FALSE(match(msg, "NEW"));
    msg.m.recent = false;
    msg.m.flags = 0;
    EXPECT_FALSE(match(msg, "RECENT"));
    EXPECT_TRUE(match(msg, "UNRECENT"));
    EXPECT_TRUE(match(msg, "OLD"));
    EXPECT_FALSE(match(msg, "NEW"));
}

TEST(ImapMessageSearch, BooleanOperators) {
    Msg msg(kSimple);
    msg.m.flags = kFlagSeen;
    EXPECT_TRUE(match(msg, "OR FLAGGED SEEN"));
    EXPECT_FALSE(match(msg, "OR FLAGGED DELETED"));
    EXPECT_TRUE(match(msg, "NOT FLAGGED"));
    EXPECT_FALSE(match(msg, "NOT SEEN"));
    EXPECT_TRUE(match(msg, "SEEN UNFLAGGED"));  // implicit AND
    EXPECT_FALSE(match(msg, "SEEN FLAGGED"));
    EXPECT_TRUE(match(msg, "(SEEN UNDELETED) OR DRAFT (NOT DELETED)"));
    EXPECT_TRUE(match(msg, "NOT OR FLAGGED (DELETED SEEN)"));
    EXPECT_FALSE(match(msg, "NOT (OR FLAGGED SEEN)"));
    EXPECT_TRUE(match(msg, "OR (FLAGGED DELETED) OR DRAFT NOT NOT SEEN"));
    EXPECT_TRUE(match(msg, "OR SUBJECT nomatch FROM pirard"));
    EXPECT_FALSE(match(msg, "NOT OR SUBJECT nomatch FROM pirard"));
}

TEST(ImapMessageSearch, AddressAndSubjectHeaders) {
    Msg msg(kSimple);
    EXPECT_TRUE(match(msg, "FROM pirard@VM1"));
    EXPECT_TRUE(match(msg, "FROM andr"));
    EXPECT_TRUE(match(msg, str_key(K::From, "ANDRÉ PIRARD")));  // RFC 2047 Q, ISO-8859-1
    EXPECT_FALSE(match(msg, "FROM moore"));
    EXPECT_TRUE(match(msg, "TO \"keith moore\""));
    EXPECT_FALSE(match(msg, "TO team"));
    EXPECT_TRUE(match(msg, "CC team@example.org"));
    EXPECT_FALSE(match(msg, "CC secret"));
    EXPECT_TRUE(match(msg, "BCC SECRET"));
    EXPECT_FALSE(match(msg, "BCC team"));
    // UTF-8 base64 word, folded and unfolded; Unicode upper case matches lower case.
    EXPECT_TRUE(match(msg, str_key(K::Subject, "ÉLÈVE ÉDÉ")));
    EXPECT_TRUE(match(msg, str_key(K::Subject, "édé and more")));
    EXPECT_FALSE(match(msg, "SUBJECT w4lsw6h2"));  // the raw encoded form is not searched
    EXPECT_FALSE(match(msg, "SUBJECT fox"));
    // An empty string matches when the field exists.
    EXPECT_TRUE(match(msg, "SUBJECT \"\""));
    Msg bare("X-A: b\r\n\r\nbody\r\n");
    EXPECT_FALSE(match(bare, "SUBJECT \"\""));
    EXPECT_FALSE(match(bare, "FROM \"\""));
}

TEST(ImapMessageSearch, Iso88591EncodedWordSubject) {
    Msg msg(
        "Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?= =?iso-8859-1?B?4CBsYSBwbGFnZQ==?=\r\n"
        "\r\n"
        "x\r\n");
    EXPECT_TRUE(match(msg, str_key(K::Subject, "CAFÉ CRÈME")));
    EXPECT_TRUE(match(msg, str_key(K::Subject, "crèmeà la plage")));  // §6.2: space dropped
    EXPECT_FALSE(match(msg, "SUBJECT \"cafe\""));
}

TEST(ImapMessageSearch, HeaderKey) {
    Msg msg(kSimple);
    EXPECT_TRUE(match(msg, "HEADER X-Custom \"hello world\""));
    EXPECT_TRUE(match(msg, "HEADER x-custom WORLD"));
    EXPECT_FALSE(match(msg, "HEADER X-Custom planet"));
    EXPECT_FALSE(match(msg, "HEADER X-Other hello"));
    // RFC 9051 §6.4.4: an empty string matches every message that has the field.
    EXPECT_TRUE(match(msg, "HEADER X-Empty \"\""));
    EXPECT_TRUE(match(msg, "HEADER x-custom \"\""));
    EXPECT_FALSE(match(msg, "HEADER X-Missing \"\""));
    // Any occurrence of a repeated field counts.
    EXPECT_TRUE(match(msg, "HEADER Received a.example"));
    EXPECT_TRUE(match(msg, "HEADER Received b.example"));
    EXPECT_TRUE(match(msg, str_key(K::Header, "andré", "From")));
}

TEST(ImapMessageSearch, BodyAndText) {
    Msg msg(kSimple);
    EXPECT_TRUE(match(msg, "BODY \"LAZY DOG\""));
    EXPECT_FALSE(match(msg, "BODY pirard"));  // header, not body
    EXPECT_FALSE(match(msg, "BODY cat"));
    EXPECT_TRUE(match(msg, "TEXT pirard"));
    EXPECT_TRUE(match(msg, "TEXT \"x-custom: hello\""));
    EXPECT_TRUE(match(msg, "TEXT \"brown fox\""));
    EXPECT_TRUE(match(msg, str_key(K::Text, "élève")));
    EXPECT_FALSE(match(msg, "TEXT unicorn"));
    EXPECT_TRUE(match(msg, "BODY \"\""));
}

TEST(ImapMessageSearch, Base64Latin1TextPart) {
    Msg msg(
        "Subject: t\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "R3L832UgYXVzIEv2bG4sIHNjaPZuZSBTdHJh32UuDQo=\r\n");
    EXPECT_TRUE(match(msg, str_key(K::Body, "KÖLN")));
    EXPECT_TRUE(match(msg, str_key(K::Body, "grüße aus")));
    EXPECT_TRUE(match(msg, str_key(K::Text, "schöne")));
    EXPECT_FALSE(match(msg, "BODY R3L832"));  // not the encoded octets
    EXPECT_FALSE(match(msg, "BODY koln"));    // no accent stripping
}

TEST(ImapMessageSearch, MultipartWithAttachmentAndEmbeddedMessage) {
    Msg msg(
        "From: a@example.com\r\n"
        "Subject: outer\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
        "\r\n"
        "preamble words\r\n"
        "--b1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "First part, na=C3=AFve caf=C3=A9.\r\n"
        "--b1\r\n"
        "Content-Type: image/png\r\n"
        "Content-Disposition: attachment; filename=photo.png\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "iVBORw0KGgpzZWNyZXR3b3JkIGluc2lkZSB0aGUgaW1hZ2UgYnl0ZXM=\r\n"
        "--b1\r\n"
        "Content-Type: message/rfc822\r\n"
        "\r\n"
        "Subject: Inner subject\r\n"
        "From: inner@example.org\r\n"
        "\r\n"
        "nested words here\r\n"
        "--b1--\r\n"
        "epilogue\r\n");
    EXPECT_TRUE(match(msg, str_key(K::Body, "NAÏVE CAFÉ")));
    EXPECT_TRUE(match(msg, "BODY \"nested words\""));
    // The image is neither searched decoded nor as its base64 text.
    EXPECT_FALSE(match(msg, "BODY secretword"));
    EXPECT_FALSE(match(msg, "BODY iVBORw0KGgo"));
    EXPECT_FALSE(match(msg, "TEXT secretword"));
    // MIME headers and the embedded header are TEXT, not BODY nor the top-level SUBJECT/FROM.
    EXPECT_TRUE(match(msg, "TEXT photo.png"));
    EXPECT_FALSE(match(msg, "BODY photo.png"));
    EXPECT_TRUE(match(msg, "TEXT \"inner subject\""));
    EXPECT_FALSE(match(msg, "BODY \"inner subject\""));
    EXPECT_FALSE(match(msg, "SUBJECT inner"));
    EXPECT_FALSE(match(msg, "FROM inner@"));
    EXPECT_TRUE(match(msg, "SUBJECT outer"));
    // The preamble is not part of any body part.
    EXPECT_FALSE(match(msg, "BODY preamble"));
}

TEST(ImapMessageSearch, InternalDateInServerZone) {
    Msg msg(kSimple);  // internal date 2026-03-03 02:00:00 UTC
    EXPECT_TRUE(match(msg, "ON 3-Mar-2026"));
    EXPECT_FALSE(match(msg, "ON 2-Mar-2026"));
    EXPECT_TRUE(match(msg, "SINCE 3-Mar-2026"));
    EXPECT_FALSE(match(msg, "SINCE 4-Mar-2026"));
    EXPECT_TRUE(match(msg, "BEFORE 4-Mar-2026"));
    EXPECT_FALSE(match(msg, "BEFORE 3-Mar-2026"));
    SearchContext ny = context();
    ny.zone_minutes = -300;  // 2026-03-02 21:00 local
    EXPECT_TRUE(match(msg, "ON 2-Mar-2026", ny));
    EXPECT_FALSE(match(msg, "ON 3-Mar-2026", ny));
    EXPECT_TRUE(match(msg, "BEFORE 3-Mar-2026", ny));
    EXPECT_FALSE(match(msg, "SINCE 3-Mar-2026", ny));
    msg.m.internal_date = -1;  // 1969-12-31 23:59:59: floor, not truncation
    EXPECT_TRUE(match(msg, "ON 31-Dec-1969"));
    EXPECT_EQ(msg.text_calls + msg.structure_calls, 0);
}

TEST(ImapMessageSearch, SentDateInItsOwnZone) {
    Msg msg(kSimple);  // Date: Mon, 02 Mar 2026 23:30:00 -0500 (03 Mar 04:30 UTC)
    EXPECT_TRUE(match(msg, "SENTON 2-Mar-2026"));
    EXPECT_FALSE(match(msg, "SENTON 3-Mar-2026"));
    EXPECT_TRUE(match(msg, "SENTSINCE 2-Mar-2026"));
    EXPECT_FALSE(match(msg, "SENTSINCE 3-Mar-2026"));
    EXPECT_TRUE(match(msg, "SENTBEFORE 3-Mar-2026"));
    EXPECT_FALSE(match(msg, "SENTBEFORE 2-Mar-2026"));
    SearchContext tokyo = context();
    tokyo.zone_minutes = 540;  // the server zone does not matter for SENT*
    EXPECT_TRUE(match(msg, "SENTON 2-Mar-2026", tokyo));
}

TEST(ImapMessageSearch, MissingOrBadDateIsTheEpochAsInDovecot) {
    for (std::string text : {"Subject: x\r\n\r\nbody\r\n", "Date: garbage\r\n\r\nbody\r\n"}) {
        Msg msg(text);
        EXPECT_TRUE(match(msg, "SENTBEFORE 1-Jan-2000")) << text;
        EXPECT_TRUE(match(msg, "SENTON 1-Jan-1970")) << text;
        EXPECT_FALSE(match(msg, "SENTSINCE 2-Jan-1970")) << text;
        EXPECT_FALSE(match(msg, "SENTON 3-Mar-2026")) << text;
    }
}

TEST(ImapMessageSearch, SizesAndAges) {
    Msg msg(kSimple);
    msg.m.size = 1000;
    EXPECT_TRUE(match(msg, "LARGER 999"));
    EXPECT_FALSE(match(msg, "LARGER 1000"));
    EXPECT_TRUE(match(msg, "SMALLER 1001"));
    EXPECT_FALSE(match(msg, "SMALLER 1000"));
    // RFC 5032: now - internal date = 3600 s, both bounds inclusive.
    EXPECT_TRUE(match(msg, "OLDER 3600"));
    EXPECT_FALSE(match(msg, "OLDER 3601"));
    EXPECT_TRUE(match(msg, "YOUNGER 3600"));
    EXPECT_FALSE(match(msg, "YOUNGER 3599"));
    EXPECT_EQ(msg.text_calls + msg.structure_calls, 0);
}

TEST(ImapMessageSearch, SetsAndModSeq) {
    Msg msg(kSimple);  // seq 7, uid 42; largest seq 10, uid 50
    EXPECT_TRUE(match(msg, "UID 40:45"));
    EXPECT_FALSE(match(msg, "UID 1:41,43"));
    EXPECT_TRUE(match(msg, "UID 42:*"));
    EXPECT_FALSE(match(msg, "UID *"));
    EXPECT_TRUE(match(msg, "7"));
    EXPECT_TRUE(match(msg, "1,5:8"));
    EXPECT_FALSE(match(msg, "8:*"));
    msg.m.seq = 10;
    EXPECT_TRUE(match(msg, "*"));
    // "$" names saved UIDs (RFC 5182), as a UID set or as a sequence set.
    SearchContext ctx = context();
    EXPECT_FALSE(match(msg, "$", ctx));  // nothing saved
    std::vector<std::uint32_t> saved{3, 42, 49};
    ctx.saved_uids = &saved;
    EXPECT_TRUE(match(msg, "$", ctx));
    EXPECT_TRUE(match(msg, "UID $", ctx));
    saved = {3, 49};
    EXPECT_FALSE(match(msg, "UID $", ctx));
    EXPECT_TRUE(match(msg, "MODSEQ 100"));
    EXPECT_TRUE(match(msg, "MODSEQ 99"));
    EXPECT_FALSE(match(msg, "MODSEQ 101"));
    EXPECT_TRUE(match(msg, "MODSEQ \"/flags/\\\\draft\" all 50"));
    EXPECT_EQ(msg.text_calls + msg.structure_calls, 0);
}

TEST(ImapMessageSearch, LazyLoading) {
    Msg msg(kSimple);
    msg.m.flags = kFlagSeen;
    EXPECT_TRUE(
        match(msg, "SEEN UNDELETED OR FLAGGED NOT DRAFT UID 1:* LARGER 1 SINCE 1-Jan-2020"));
    EXPECT_EQ(msg.text_calls, 0);
    EXPECT_EQ(msg.structure_calls, 0);
    // A false flag key short-circuits the AND before the body key is looked at.
    EXPECT_FALSE(match(msg, "UNSEEN BODY fox"));
    EXPECT_EQ(msg.text_calls + msg.structure_calls, 0);
    // Several content keys in one evaluation load each thing once.
    EXPECT_TRUE(match(msg, "BODY fox SUBJECT more TEXT dog HEADER x-custom hello FROM pirard"));
    EXPECT_EQ(msg.text_calls, 1);
    EXPECT_EQ(msg.structure_calls, 1);
}

TEST(ImapMessageSearch, NeedsContent) {
    EXPECT_FALSE(needs_content(key("SEEN")));
    EXPECT_FALSE(needs_content(key("OR FLAGGED (UID 1:5 LARGER 10) NOT SINCE 1-Jan-2020")));
    EXPECT_FALSE(needs_content(key("KEYWORD x MODSEQ 5 OLDER 10 $")));
    EXPECT_TRUE(needs_content(key("NOT BODY x")));
    EXPECT_TRUE(needs_content(key("OR SEEN (FLAGGED SUBJECT x)")));
    EXPECT_TRUE(needs_content(key("SENTON 1-Jan-2020")));
    for (const char* p : {"FROM a", "TO a", "CC a", "BCC a", "TEXT a", "HEADER a b",
                          "SENTBEFORE 1-Jan-2020", "SENTSINCE 1-Jan-2020"})
        EXPECT_TRUE(needs_content(key(p))) << p;
}

TEST(ImapMessageSearch, UnsetLoadersActAsAnEmptyMessage) {
    SearchMessage m;
    SearchContext ctx;
    EXPECT_FALSE(matches(key("BODY x"), m, ctx));
    EXPECT_FALSE(matches(key("SUBJECT \"\""), m, ctx));
    EXPECT_TRUE(matches(key("NOT TEXT x"), m, ctx));
}

TEST(ImapMessageSearch, FoldCase) {
    EXPECT_EQ(fold_case("HeLLo"), "hello");
    EXPECT_EQ(fold_case("ÀÉÎÕÜ Ÿ"), "àéîõü ÿ");
    EXPECT_EQ(fold_case("ŁÓDŹ ŞTEFAN ȘȚ"), "łódź ştefan șț");
    EXPECT_EQ(fold_case("ΑΘΗΝΑ ΆΈ ς"), "αθηνα άέ σ");
    EXPECT_EQ(fold_case("МОСКВА ЁЖ Ї"), "москва ёж ї");
    EXPECT_EQ(fold_case("ẠẾ"), "ạế");
    EXPECT_EQ(fold_case("Ａ"), "ａ");
    EXPECT_EQ(fold_case("ß"), "ß");  // no full folding to "ss"
    EXPECT_EQ(fold_case("\xC0\xFF"
                        "A"),
              "\xC0\xFF"
              "a");                                // invalid bytes kept
    EXPECT_EQ(fold_case("\xE2\x82"), "\xE2\x82");  // truncated sequence kept
    EXPECT_EQ(fold_case("日本語 😀"), "日本語 😀");
}
