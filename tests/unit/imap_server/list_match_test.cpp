// LIST pattern matching (RFC 9051 §6.3.9: "*" and "%"), INBOX case-insensitivity (§5.1), the
// hierarchy name helpers used by CREATE/RENAME (§6.3.4, §6.3.6), and the LIST/LSUB response
// builder (RFC 9051 §6.3.9, RFC 5258, RFC 6154, RFC 5819, RFC 3501 §6.3.9).
#include "imap/server/list_match.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

using hermod::imap::is_inferior;
using hermod::imap::list_match;
using hermod::imap::superior_names;

TEST(imap_list_match_Rfc9051_6_3_9, LiteralPatternsMatchExactly) {
    EXPECT_TRUE(list_match("Sent", "Sent"));
    EXPECT_FALSE(list_match("Sent", "sent"));  // case-sensitive outside INBOX
    EXPECT_FALSE(list_match("Sent", "Sent/x"));
    EXPECT_FALSE(list_match("Sent", "Sen"));
    EXPECT_TRUE(list_match("a/b", "a/b"));
    EXPECT_FALSE(list_match("", "a"));
    EXPECT_TRUE(list_match("", ""));
}

TEST(imap_list_match_Rfc9051_6_3_9, StarMatchesAcrossLevels) {
    EXPECT_TRUE(list_match("*", "a"));
    EXPECT_TRUE(list_match("*", "a/b/c"));
    EXPECT_TRUE(list_match("*", ""));
    EXPECT_TRUE(list_match("a/*", "a/b"));
    EXPECT_TRUE(list_match("a/*", "a/b/c"));
    EXPECT_FALSE(list_match("a/*", "a"));
    EXPECT_TRUE(list_match("a*", "a"));
    EXPECT_TRUE(list_match("a*", "ab/c"));
    EXPECT_TRUE(list_match("*c", "a/b/c"));
    EXPECT_TRUE(list_match("*/b/*", "x/b/y/z"));
    EXPECT_FALSE(list_match("*/b/*", "x/b"));
}

TEST(imap_list_match_Rfc9051_6_3_9, PercentStaysWithinOneLevel) {
    EXPECT_TRUE(list_match("%", "a"));
    EXPECT_TRUE(list_match("%", "INBOX"));
    EXPECT_FALSE(list_match("%", "a/b"));
    EXPECT_TRUE(list_match("a/%", "a/b"));
    EXPECT_FALSE(list_match("a/%", "a/b/c"));
    EXPECT_FALSE(list_match("a/%", "a"));
    EXPECT_TRUE(list_match("%/%", "a/b"));
    EXPECT_TRUE(list_match("%/b", "xyz/b"));
    EXPECT_TRUE(list_match("S%t", "Sent"));
    EXPECT_FALSE(list_match("S%t", "Se/nt"));
    EXPECT_TRUE(list_match("%", ""));  // "%" matches zero characters
}

TEST(imap_list_match_Rfc9051_6_3_9, MixedWildcards) {
    EXPECT_TRUE(list_match("%*", "a/b"));
    EXPECT_TRUE(list_match("*%", "a/b"));
    EXPECT_TRUE(list_match("a%*z", "abc/xyz"));
    EXPECT_FALSE(list_match("a%/%z", "abc/x/yz"));
    EXPECT_TRUE(list_match("a%/*z", "abc/x/yz"));
}

TEST(imap_list_match_Rfc9051_5_1, InboxMatchesWithoutCase) {
    EXPECT_TRUE(list_match("inbox", "INBOX"));
    EXPECT_TRUE(list_match("InBoX", "INBOX"));
    EXPECT_TRUE(list_match("inb%", "INBOX"));
    EXPECT_TRUE(list_match("Inbox/*", "INBOX/Sub"));
    EXPECT_TRUE(list_match("inbox/%", "INBOX/Sub"));
    EXPECT_FALSE(list_match("inbox/sub", "INBOX/Sub"));  // only the INBOX level folds
    EXPECT_TRUE(list_match("i*", "INBOX"));
    // Names that merely start with the letters are ordinary names.
    EXPECT_FALSE(list_match("inboxes", "INBOXES"));
    EXPECT_FALSE(list_match("inbox", "Inbox2"));
}

TEST(imap_list_match_Rfc9051_6_3_9, Utf8NamesMatchBytewise) {
    const std::string name =
        "Entw\xC3\xBC"
        "rfe/2024";
    EXPECT_TRUE(list_match("Entw%", "Entw\xC3\xBCrfe"));
    EXPECT_TRUE(list_match("%/2024", name));
    EXPECT_TRUE(list_match("*", name));
}

TEST(imap_list_match_Security, ManyWildcardsStayFast) {
    // A backtracking matcher would take exponential time here.
    std::string pattern;
    for (int i = 0; i < 500; ++i)
        pattern += "*%";
    pattern += "!";
    std::string name(1000, 'a');
    EXPECT_FALSE(list_match(pattern, name));
    name.back() = '!';
    EXPECT_TRUE(list_match(pattern, name));
}

TEST(imap_hierarchy_Rfc9051_6_3_4, SuperiorNames) {
    EXPECT_EQ(superior_names("a"), std::vector<std::string_view>{});
    EXPECT_EQ(superior_names("a/b"), (std::vector<std::string_view>{"a"}));
    EXPECT_EQ(superior_names("a/b/c"), (std::vector<std::string_view>{"a", "a/b"}));
    EXPECT_EQ(superior_names("INBOX/x"), (std::vector<std::string_view>{"INBOX"}));
}

TEST(imap_hierarchy_Rfc9051_6_3_5, Inferiors) {
    EXPECT_TRUE(is_inferior("a/b", "a"));
    EXPECT_TRUE(is_inferior("a/b/c", "a"));
    EXPECT_TRUE(is_inferior("a/b/c", "a/b"));
    EXPECT_FALSE(is_inferior("a", "a"));
    EXPECT_FALSE(is_inferior("ab", "a"));
    EXPECT_FALSE(is_inferior("a/", "a"));
    EXPECT_FALSE(is_inferior("b/a", "a"));
}

// --- append_list_responses: LIST/LSUB over a mailbox list ---------------------------------
namespace {

using hermod::imap::append_list_responses;
using hermod::imap::ListMode;
using hermod::imap::proto::ListRequest;
using hermod::store::Mailbox;
using hermod::store::SpecialUse;

Mailbox box(std::string name, bool subscribed = false, SpecialUse use = SpecialUse::None) {
    static hermod::store::Id next_id = 1;
    Mailbox m;
    m.id = next_id++;
    m.name = std::move(name);
    m.subscribed = subscribed;
    m.special_use = use;
    return m;
}

ListRequest request(std::string reference, std::vector<std::string> patterns) {
    ListRequest r;
    r.reference = std::move(reference);
    r.patterns = std::move(patterns);
    return r;
}

std::string run(const std::vector<Mailbox>& boxes, const ListRequest& req, bool lsub = false,
                bool rev2 = false) {
    ListMode mode;
    mode.lsub = lsub;
    mode.rev2 = rev2;
    std::string out;
    append_list_responses(out, boxes, req, mode, [](std::string& o, const Mailbox& m) {
        o += "* STATUS " + m.name + " (MESSAGES 0)\r\n";
    });
    return out;
}

const std::vector<Mailbox>& account() {
    static const std::vector<Mailbox> boxes = {
        box("INBOX", true),
        box("Archive", false, SpecialUse::Archive),
        box("Sent", true, SpecialUse::Sent),
        box("Trash", false, SpecialUse::Trash),
        box("a/b/c", true),  // "a" and "a/b" are no mailboxes
        box("work"),
        box("work/2024", true),
    };
    return boxes;
}

}  // namespace

TEST(imap_list_responses_Rfc9051_6_3_9, EmptyPatternGivesSeparatorAndRoot) {
    EXPECT_EQ(run(account(), request("", {""})), "* LIST (\\Noselect) \"/\" \"\"\r\n");
    EXPECT_EQ(run(account(), request("work/2024", {""})), "* LIST (\\Noselect) \"/\" work/\r\n");
    EXPECT_EQ(run(account(), request("", {""}), true), "* LSUB (\\Noselect) \"/\" \"\"\r\n");
}

TEST(imap_list_responses_Rfc9051_6_3_9, StarListsEverythingInboxFirst) {
    EXPECT_EQ(run(account(), request("", {"*"})),
              "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
              "* LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n"
              "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
              "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
              "* LIST (\\HasNoChildren) \"/\" a/b/c\r\n"
              "* LIST (\\HasChildren) \"/\" work\r\n"
              "* LIST (\\HasNoChildren) \"/\" work/2024\r\n");
}

TEST(imap_list_responses_Rfc9051_6_3_9, PercentListsMissingLevels) {
    // rev1, plain LIST: \Noselect; rev2 (or an extended LIST): \NonExistent.
    EXPECT_EQ(run(account(), request("", {"%"})),
              "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
              "* LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n"
              "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
              "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
              "* LIST (\\Noselect \\HasChildren) \"/\" a\r\n"
              "* LIST (\\HasChildren) \"/\" work\r\n");
    EXPECT_EQ(run(account(), request("a/", {"%"}), false, true),
              "* LIST (\\NonExistent \\HasChildren) \"/\" a/b\r\n");
    EXPECT_EQ(run(account(), request("", {"a/%/c"})), "* LIST (\\HasNoChildren) \"/\" a/b/c\r\n");
}

TEST(imap_list_responses_Rfc9051_5_1, InboxPatternIsCaseInsensitive) {
    EXPECT_EQ(run(account(), request("", {"inbox"})), "* LIST (\\HasNoChildren) \"/\" INBOX\r\n");
    EXPECT_EQ(run(account(), request("", {"sent"})), "");
}

TEST(imap_list_responses_Rfc5258_3, PatternListAndReturnOptions) {
    auto req = request("", {"INBOX", "S*"});
    req.extended = true;
    req.return_subscribed = true;
    req.return_status = 1;
    EXPECT_EQ(run(account(), req),
              "* LIST (\\Subscribed \\HasNoChildren) \"/\" INBOX\r\n"
              "* STATUS INBOX (MESSAGES 0)\r\n"
              "* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent\r\n"
              "* STATUS Sent (MESSAGES 0)\r\n");
}

TEST(imap_list_responses_Rfc5258_3_1, RemoteAloneChangesNothing) {
    auto req = request("", {"%"});
    req.extended = true;
    req.select_remote = true;
    auto plain = request("", {"%"});
    plain.extended = true;
    EXPECT_EQ(run(account(), req), run(account(), plain));
    req.patterns = {""};
    EXPECT_EQ(run(account(), req), "* LIST (\\Noselect) \"/\" \"\"\r\n");
}

TEST(imap_list_responses_Rfc5258_3_1, SubscribedSelection) {
    auto req = request("", {"*"});
    req.extended = true;
    req.select_subscribed = true;
    EXPECT_EQ(run(account(), req),
              "* LIST (\\Subscribed \\HasNoChildren) \"/\" INBOX\r\n"
              "* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent\r\n"
              "* LIST (\\Subscribed \\HasNoChildren) \"/\" a/b/c\r\n"
              "* LIST (\\Subscribed \\HasNoChildren) \"/\" work/2024\r\n");
    // Without RECURSIVEMATCH, "%" lists no parents of subscribed mailboxes.
    req.patterns = {"%"};
    EXPECT_EQ(run(account(), req),
              "* LIST (\\Subscribed \\HasNoChildren) \"/\" INBOX\r\n"
              "* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent\r\n");
}

TEST(imap_list_responses_Rfc5258_3_5, RecursiveMatchGivesChildInfo) {
    auto req = request("", {"%"});
    req.extended = true;
    req.select_subscribed = true;
    req.select_recursive_match = true;
    EXPECT_EQ(run(account(), req),
              "* LIST (\\Subscribed \\HasNoChildren) \"/\" INBOX\r\n"
              "* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent\r\n"
              "* LIST (\\NonExistent \\HasChildren) \"/\" a (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
              "* LIST (\\HasChildren) \"/\" work (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n");
    // Descendants that match the pattern themselves give no CHILDINFO.
    req.patterns = {"*"};
    EXPECT_EQ(run(account(), req).find("CHILDINFO"), std::string::npos);
}

TEST(imap_list_responses_Rfc6154_3, SpecialUseSelection) {
    auto req = request("", {"*"});
    req.extended = true;
    req.select_special_use = true;
    req.return_status = 1;
    EXPECT_EQ(run(account(), req),
              "* LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n"
              "* STATUS Archive (MESSAGES 0)\r\n"
              "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
              "* STATUS Sent (MESSAGES 0)\r\n"
              "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
              "* STATUS Trash (MESSAGES 0)\r\n");
}

TEST(imap_lsub_responses_Rfc3501_6_3_9, SubscribedNamesAndNoselectParents) {
    EXPECT_EQ(run(account(), request("", {"*"}), true),
              "* LSUB () \"/\" INBOX\r\n"
              "* LSUB () \"/\" Sent\r\n"
              "* LSUB () \"/\" a/b/c\r\n"
              "* LSUB () \"/\" work/2024\r\n");
    // "work" exists but is not subscribed; "a" does not exist: both \Noselect under "%".
    EXPECT_EQ(run(account(), request("", {"%"}), true),
              "* LSUB () \"/\" INBOX\r\n"
              "* LSUB () \"/\" Sent\r\n"
              "* LSUB (\\Noselect) \"/\" a\r\n"
              "* LSUB (\\Noselect) \"/\" work\r\n");
}

TEST(imap_list_responses_Rfc3501_5_1_3, NamesAreEncodedForTheSession) {
    std::vector<Mailbox> boxes = {box("Entw\xC3\xBC"
                                      "rfe"),
                                  box("with space")};
    EXPECT_EQ(run(boxes, request("", {"*"})),
              "* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe\r\n"
              "* LIST (\\HasNoChildren) \"/\" \"with space\"\r\n");
}
