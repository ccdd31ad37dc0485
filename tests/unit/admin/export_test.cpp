// export_test.cpp - `hermod export` (export_commands.cpp) through its CLI, on a real store in a
// temporary folder: mboxrd separators and quoting, CRLF/LF output, chunk boundaries of large
// bodies, the envelope sender from Return-Path, and one clear error for unknown user/mailbox.
#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "admin/admin_ops.hpp"
#include "admin/commands.hpp"
#include "config/cli_options.hpp"
#include "store/store.hpp"

namespace hermod::admin {
namespace {

class ExportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string tmpl = (std::filesystem::temp_directory_path() / "hermod-export-XXXXXX");
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
        store_ = store::open_store({.data_dir = dir_});
        store_->add_domain("example.org");
        account_ = store_->add_account("alice@example.org", "{PLAIN}x");
    }
    void TearDown() override {
        store_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    store::Id mailbox(const std::string& name) {
        return store_->find_mailbox(account_.id, name)->id;
    }
    void add(store::Id mailbox_id, const std::string& content, std::int64_t date) {
        auto w = store_->new_blob();
        w->write(content);
        store::NewMessage msg;
        msg.mailbox_id = mailbox_id;
        msg.blob = w->finish();
        msg.internal_date = date;
        store_->append({msg});
    }

    // Runs `hermod export ARGS --output <file>` in-process and returns the file's content.
    std::string run_export(const std::string& args) {
        std::string out = dir_ + "/out.mbox";
        std::filesystem::remove(out);
        CLI::App app;
        config::GlobalOptions options;
        options.data_dir = dir_;
        register_export_commands(app, options);
        app.parse("export " + args + " --output " + out, false);
        std::ifstream in(out, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    // Runs it expecting an AdminError; returns its message.
    std::string export_error(const std::string& args) {
        try {
            run_export(args);
        } catch (const AdminError& e) {
            return e.what();
        }
        return "(no error)";
    }

    std::string dir_;
    std::unique_ptr<store::Store> store_;
    store::Account account_;
};

constexpr std::int64_t kNov23 = 1795432627;  // Mon Nov 23 11:17:07 2026 UTC
constexpr std::int64_t kJan2 = 86400;        // Fri Jan  2 00:00:00 1970 (0 would mean "now")

TEST_F(ExportTest, CrlfKeepsStoredOctetsAndQuotesFromLines) {
    add(mailbox("INBOX"),
        "Return-Path: <bob@example.net>\r\nSubject: one\r\n\r\nFrom here\r\n>From there\r\n"
        ">>From x\r\nFrom\r\n From y\r\n>From_\r\n",
        kNov23);
    add(mailbox("INBOX"), "Return-Path: <>\r\n\r\nbody two\r\n", kJan2);
    EXPECT_EQ(run_export("alice@example.org --crlf"),
              "From bob@example.net Mon Nov 23 11:17:07 2026\r\n"
              "Return-Path: <bob@example.net>\r\nSubject: one\r\n\r\n>From here\r\n>>From there\r\n"
              ">>>From x\r\nFrom\r\n From y\r\n>From_\r\n"
              "\r\n"
              "From MAILER-DAEMON Fri Jan  2 00:00:00 1970\r\n"
              "Return-Path: <>\r\n\r\nbody two\r\n"
              "\r\n");
}

TEST_F(ExportTest, DefaultIsLfLineEndings) {
    add(mailbox("INBOX"), "Return-Path: <b@x.test>\r\n\r\nFrom me\r\nbare\rcr\r\n", kNov23);
    EXPECT_EQ(run_export("alice@example.org"),
              "From b@x.test Mon Nov 23 11:17:07 2026\n"
              "Return-Path: <b@x.test>\n\n>From me\nbare\rcr\n\n");
}

TEST_F(ExportTest, MessageWithoutFinalNewlineOrReturnPath) {
    // BDAT can deliver a message that does not end with CRLF; the separator must still follow
    // on a line of its own. Without Return-Path the sender is MAILER-DAEMON.
    add(mailbox("INBOX"), "Subject: x\r\n\r\nno newline", kJan2);
    add(mailbox("INBOX"), "Subject: y\r\n\r\nFrom", kJan2);  // a partial "From " at the very end
    EXPECT_EQ(run_export("alice@example.org --crlf"),
              "From MAILER-DAEMON Fri Jan  2 00:00:00 1970\r\nSubject: x\r\n\r\nno newline\r\n\r\n"
              "From MAILER-DAEMON Fri Jan  2 00:00:00 1970\r\nSubject: y\r\n\r\nFrom\r\n\r\n");
}

TEST_F(ExportTest, LargeBodyStreamsAcrossChunkBoundaries) {
    // The exporter reads 1 MiB at a time: put "\r\nFrom " and a CRLF right across the boundary.
    const std::size_t chunk = 1 << 20;
    std::string head = "Return-Path: <big@example.net>\r\n\r\n";
    std::string body(chunk - head.size() - 3, 'a');
    std::string content = head + body + "\r\nFrom split\r\n" + std::string(chunk, 'b') + "\r\n";
    ASSERT_EQ(content.substr(chunk - 3, 5), "\r\nFro");
    add(mailbox("INBOX"), content, kNov23);
    std::string expected = "From big@example.net Mon Nov 23 11:17:07 2026\r\n" + head + body +
                           "\r\n>From split\r\n" + std::string(chunk, 'b') + "\r\n\r\n";
    EXPECT_EQ(run_export("alice@example.org --crlf"), expected);
}

TEST_F(ExportTest, OtherMailboxAndCaseInsensitiveInbox) {
    add(mailbox("Sent"), "Return-Path: <alice@example.org>\r\n\r\nsent\r\n", kNov23);
    add(mailbox("INBOX"), "Return-Path: <a@b.test>\r\n\r\nin\r\n", kNov23);
    EXPECT_EQ(run_export("alice@example.org Sent --crlf"),
              "From alice@example.org Mon Nov 23 11:17:07 2026\r\n"
              "Return-Path: <alice@example.org>\r\n\r\nsent\r\n\r\n");
    EXPECT_EQ(
        run_export("Alice@Example.ORG inbox --crlf"),
        "From a@b.test Mon Nov 23 11:17:07 2026\r\nReturn-Path: <a@b.test>\r\n\r\nin\r\n\r\n");
}

TEST_F(ExportTest, EmptyMailboxIsAnEmptyFileWithMode0600) {
    EXPECT_EQ(run_export("alice@example.org"), "");
    struct stat st {};
    ASSERT_EQ(::stat((dir_ + "/out.mbox").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ExportTest, UnknownUserOrMailboxIsOneClearErrorAndNoFile) {
    EXPECT_EQ(export_error("bob@example.org"), "no such user: bob@example.org");
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/out.mbox"));
    EXPECT_EQ(export_error("alice@example.org Nope"),
              "no such mailbox for alice@example.org: Nope");
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/out.mbox"));
}

}  // namespace
}  // namespace hermod::admin
