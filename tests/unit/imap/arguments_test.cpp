// STORE, STATUS, LIST/LSUB, APPEND, ENABLE, ID and the simple commands (RFC 9051 §6.3-6.4,
// RFC 5258, RFC 5819, RFC 3502, RFC 2971, RFC 5161, RFC 7162).
#include "imap/proto/arguments.hpp"

#include <gtest/gtest.h>

#include "assemble.hpp"

using namespace hermod::imap::proto;
using hermod::imap::proto::test::Parsed;

TEST(imap_store_Rfc9051_6_4_6, Forms) {
    Parsed a("A003 STORE 2:4 +FLAGS (\\Deleted)");
    auto r = parse_store(a.parser);
    ASSERT_TRUE(r) << a.error();
    EXPECT_EQ(r->op, StoreRequest::Op::Add);
    EXPECT_FALSE(r->silent);
    EXPECT_EQ(r->flags, std::vector<std::string>{"\\Deleted"});

    Parsed b("A1 STORE 1 -flags.silent \\seen $Junk");
    r = parse_store(b.parser);
    ASSERT_TRUE(r) << b.error();
    EXPECT_EQ(r->op, StoreRequest::Op::Remove);
    EXPECT_TRUE(r->silent);
    EXPECT_EQ(r->flags, (std::vector<std::string>{"\\Seen", "$Junk"}));

    Parsed c("A1 UID STORE 1:* (UNCHANGEDSINCE 320162338) FLAGS ()");
    r = parse_store(c.parser);
    ASSERT_TRUE(r) << c.error();
    EXPECT_EQ(r->op, StoreRequest::Op::Replace);
    EXPECT_EQ(r->unchanged_since, 320162338u);
    EXPECT_TRUE(r->flags.empty());
}

TEST(imap_store_Rfc9051_6_4_6, Errors) {
    auto err = [](std::string_view wire) {
        Parsed c(wire);
        EXPECT_FALSE(parse_store(c.parser)) << wire;
        return c.error();
    };
    EXPECT_EQ(err("A1 STORE 1 LABELS (x)"), "expected FLAGS, +FLAGS or -FLAGS");
    EXPECT_EQ(err("A1 STORE 1 FLAGS.LOUD (x)"), "expected FLAGS.SILENT");
    EXPECT_EQ(err("A1 STORE 1 FLAGS (\\Recent)"), "\\Recent cannot be set by the client");
    EXPECT_EQ(err("A1 STORE 1 (FOO 1) FLAGS x"), "unknown STORE modifier");
    EXPECT_EQ(err("A1 STORE 1 FLAGS"), "expected SP (command ends early)");
    EXPECT_EQ(err("A1 STORE 1 FLAGS (a) b"), "unexpected characters after the command arguments");
}

TEST(imap_status_Rfc9051_6_3_11, Items) {
    Parsed a("A042 STATUS blurdybloop (UIDNEXT MESSAGES deleted SIZE HIGHESTMODSEQ)");
    auto r = parse_status(a.parser);
    ASSERT_TRUE(r) << a.error();
    EXPECT_EQ(r->mailbox, "blurdybloop");
    EXPECT_EQ(r->items, kStatusUidNext | kStatusMessages | kStatusDeleted | kStatusSize |
                            kStatusHighestModSeq);
    EXPECT_EQ(
        status_item_names(r->items),
        (std::vector<std::string_view>{"MESSAGES", "UIDNEXT", "DELETED", "SIZE", "HIGHESTMODSEQ"}));
    Parsed b("A1 STATUS INBOX (MESSAGES FOO)");
    EXPECT_FALSE(parse_status(b.parser));
    EXPECT_NE(b.error().find("unknown status item"), std::string::npos);
    Parsed c("A1 STATUS INBOX ()");
    EXPECT_FALSE(parse_status(c.parser));
}

TEST(imap_list_Rfc9051_6_3_9, Basic) {
    Parsed a("A101 LIST \"\" \"\"");
    auto r = parse_list(a.parser);
    ASSERT_TRUE(r) << a.error();
    EXPECT_FALSE(r->extended);
    EXPECT_EQ(r->reference, "");
    EXPECT_EQ(r->patterns, std::vector<std::string>{""});

    Parsed b("A102 LIST #news.comp.mail.misc %");
    r = parse_list(b.parser);
    ASSERT_TRUE(r) << b.error();
    EXPECT_EQ(r->reference, "#news.comp.mail.misc");
    EXPECT_EQ(r->patterns, std::vector<std::string>{"%"});

    Parsed c("A1 LSUB \"\" *");
    r = parse_list(c.parser, true);
    ASSERT_TRUE(r) << c.error();
    EXPECT_EQ(r->patterns, std::vector<std::string>{"*"});
    Parsed d("A1 LSUB (SUBSCRIBED) \"\" *");
    EXPECT_FALSE(parse_list(d.parser, true));
}

TEST(imap_list_Rfc5258_3, ExtendedSelectionPatternsReturn) {
    Parsed a(
        "A01 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX \"Archive/%\") RETURN (CHILDREN "
        "SPECIAL-USE STATUS (MESSAGES UNSEEN))");
    auto r = parse_list(a.parser);
    ASSERT_TRUE(r) << a.error();
    EXPECT_TRUE(r->extended);
    EXPECT_TRUE(r->select_subscribed);
    EXPECT_TRUE(r->select_recursive_match);
    EXPECT_EQ(r->patterns, (std::vector<std::string>{"INBOX", "Archive/%"}));
    EXPECT_TRUE(r->return_children);
    EXPECT_TRUE(r->return_special_use);
    EXPECT_EQ(r->return_status, kStatusMessages | kStatusUnseen);

    Parsed b("A1 LIST (REMOTE SPECIAL-USE) \"\" * RETURN ()");
    r = parse_list(b.parser);
    ASSERT_TRUE(r) << b.error();
    EXPECT_TRUE(r->select_remote && r->select_special_use);

    Parsed c("A1 LIST (RECURSIVEMATCH) \"\" *");
    EXPECT_FALSE(parse_list(c.parser));
    EXPECT_EQ(c.error(), "RECURSIVEMATCH requires SUBSCRIBED or SPECIAL-USE");
    Parsed d("A1 LIST (FOO) \"\" *");
    EXPECT_FALSE(parse_list(d.parser));
    EXPECT_EQ(d.error(), "unknown LIST selection option");
    Parsed e("A1 LIST \"\" * RETURN (BAR)");
    EXPECT_FALSE(parse_list(e.parser));
    EXPECT_EQ(e.error(), "unknown LIST RETURN option");
    Parsed f("A1 LIST \"\" * XRETURN ()");
    EXPECT_FALSE(parse_list(f.parser));
    EXPECT_EQ(f.error(), "expected RETURN");
}

TEST(imap_list_Rfc3501_5_1_3, PatternsAreDecodedFromModifiedUtf7) {
    Parsed a("A1 LIST \"\" &ZeVnLIqe-/%");
    auto r = parse_list(a.parser);
    ASSERT_TRUE(r) << a.error();
    EXPECT_EQ(r->patterns[0], "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E/%");
}

TEST(imap_append_Rfc9051_6_3_12, Errors) {
    auto err = [](std::string_view wire) {
        Parsed c(wire);
        EXPECT_FALSE(parse_append(c.parser)) << wire;
        return c.error();
    };
    EXPECT_EQ(err("A1 APPEND INBOX"), "expected SP (command ends early)");
    EXPECT_EQ(err("A1 APPEND INBOX (\\Seen) \"bad\" {1}\r\nx"),
              "invalid date-time (expected \"dd-Mon-yyyy hh:mm:ss +zzzz\")");
    EXPECT_EQ(err("A1 APPEND INBOX hello"), "expected a literal");
    EXPECT_EQ(err("A1 APPEND INBOX {1}\r\nx junk"), "expected a literal");
}

TEST(imap_enable_Rfc5161_3_1, Capabilities) {
    Parsed a("A1 ENABLE condstore IMAP4rev2 UTF8=ACCEPT");
    auto r = parse_enable(a.parser);
    ASSERT_TRUE(r) << a.error();
    EXPECT_EQ(*r, (std::vector<std::string>{"CONDSTORE", "IMAP4REV2", "UTF8=ACCEPT"}));
    Parsed b("A1 ENABLE");
    EXPECT_FALSE(parse_enable(b.parser));
}

TEST(imap_id_Rfc2971_3_3, Params) {
    Parsed a("a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" NIL)");
    auto r = parse_id(a.parser);
    ASSERT_TRUE(r) << a.error();
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[1].first, "version");
    EXPECT_EQ((*r)[1].second, "19.34");
    EXPECT_FALSE((*r)[2].second);
    Parsed b("a1 ID NIL");
    EXPECT_TRUE(parse_id(b.parser)->empty());
    Parsed c("a1 ID (\"" + std::string(31, 'f') + "\" NIL)");
    EXPECT_FALSE(parse_id(c.parser));
    EXPECT_EQ(c.error(), "ID field or value too long (RFC 2971 section 3.3)");
    std::string many = "a1 ID (";
    for (int i = 0; i < 31; ++i)
        many += (i ? " " : "") + std::string("\"k\" \"v\"");
    Parsed d(many + ")");
    EXPECT_FALSE(parse_id(d.parser));
    EXPECT_EQ(d.error(), "too many ID fields (RFC 2971 section 3.3)");
    Parsed e("a1 ID (\"k\")");
    EXPECT_FALSE(parse_id(e.parser));
}

TEST(imap_simple_Rfc9051_6, LoginSelectCopyRename) {
    Parsed a("a001 LOGIN SMITH SESAME");
    auto l = parse_login(a.parser);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->user, "SMITH");
    EXPECT_EQ(l->password, "SESAME");
    Parsed a2("a001 LOGIN SMITH");
    EXPECT_FALSE(parse_login(a2.parser));

    Parsed b("A1 SELECT inbox (CONDSTORE)");
    auto s = parse_select(b.parser);
    ASSERT_TRUE(s) << b.error();
    EXPECT_EQ(s->mailbox, "INBOX");
    EXPECT_TRUE(s->condstore);
    Parsed b2("A1 EXAMINE x (FOO)");
    EXPECT_FALSE(parse_select(b2.parser));

    Parsed c("A003 UID MOVE 42:69 foo");
    auto m = parse_copy(c.parser);
    ASSERT_TRUE(m) << c.error();
    EXPECT_EQ(m->set.to_string(), "42:69");
    EXPECT_EQ(m->mailbox, "foo");

    Parsed d("A683 RENAME blurdybloop sarasoop");
    auto r = parse_rename(d.parser);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->second, "sarasoop");

    Parsed e("A1 CREATE owatagusiam/");
    EXPECT_EQ(parse_mailbox_argument(e.parser), "owatagusiam/");
    Parsed f("A1 DELETE a b");
    EXPECT_FALSE(parse_mailbox_argument(f.parser));
}
