// fixture.hpp - a real store in a temporary folder with IMAP test mail, for the transcript runner
// (transcript_test.cpp) and any other IMAP server test.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "auth/password.hpp"
#include "store/store.hpp"

namespace hermod::imap::test {

/// alice@example.org (password "secret") has four INBOX messages, UIDs 1-4, oldest first:
///   1 plain text, \Seen               (kPlain, 2026-11-02 10:00:00 +0000)
///   2 multipart/alternative           (kAlternative)
///   3 multipart/mixed, an attachment   (kAttachment)
///   4 an RFC 2047 encoded-word subject (kEncoded, "Grüße aus Köln")
/// and one in Junk. bob@example.org (password "secret2") has one INBOX message that alice must
/// never see (kBobOnly, "bob private").
inline constexpr std::string_view kPlain =
    "From: Bob Example <bob@example.org>\r\n"
    "To: alice@example.org\r\n"
    "Subject: Hello\r\n"
    "Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <plain@example.org>\r\n"
    "\r\n"
    "Hello Alice, this is plain text.\r\n";
inline constexpr std::string_view kAlternative =
    "From: carol@example.net\r\n"
    "To: alice@example.org\r\n"
    "Subject: Alternatives\r\n"
    "Date: Tue, 03 Nov 2026 11:00:00 +0100\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"alt\"\r\n"
    "\r\n"
    "--alt\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "plain version\r\n"
    "--alt\r\n"
    "Content-Type: text/html; charset=us-ascii\r\n"
    "\r\n"
    "<p>html version</p>\r\n"
    "--alt--\r\n";
inline constexpr std::string_view kAttachment =
    "From: dave@example.net\r\n"
    "To: alice@example.org\r\n"
    "Cc: bob@example.org\r\n"
    "Subject: Report attached\r\n"
    "Date: Wed, 04 Nov 2026 12:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"mix\"\r\n"
    "\r\n"
    "--mix\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "see the report\r\n"
    "--mix\r\n"
    "Content-Type: application/octet-stream; name=\"report.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"report.bin\"\r\n"
    "\r\n"
    "SGVsbG8gYmluYXJ5IHdvcmxkIQ==\r\n"
    "--mix--\r\n";
inline constexpr std::string_view kEncoded =
    "From: =?UTF-8?Q?J=C3=BCrgen?= <juergen@example.de>\r\n"
    "To: alice@example.org\r\n"
    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n"
    "Date: Thu, 05 Nov 2026 13:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Sch\xC3\xB6ne Gr\xC3\xBC\xC3\x9F"
    "e\r\n";
inline constexpr std::string_view kJunk = "Subject: spam\r\n\r\nbuy\r\n";
inline constexpr std::string_view kBobOnly = "Subject: bob private\r\n\r\nfor bob only\r\n";

/// Internal dates of the seeded messages (UTC): 2026-11-02 10:00:00 + n days.
inline constexpr std::int64_t kDate1 = 1793613600;
inline constexpr std::int64_t kDay = 86400;

class TempStore {
  public:
    TempStore() {
        namespace fs = std::filesystem;
        std::string tmpl = (fs::temp_directory_path() / "hermod-imap-XXXXXX").string();
        dir_ = ::mkdtemp(tmpl.data());
        store::StoreOptions o;
        o.data_dir = dir_.string();
        store_ = store::open_store(o);
    }
    ~TempStore() {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    TempStore(const TempStore&) = delete;
    TempStore& operator=(const TempStore&) = delete;
    store::Store& operator*() { return *store_; }
    store::Store* operator->() { return store_.get(); }
    store::Store* get() { return store_.get(); }

  private:
    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
};

inline store::NewMessage new_message(store::Store& st, const std::string& address,
                                     const std::string& mailbox, std::string_view content,
                                     std::int64_t internal_date, std::uint32_t flags = 0) {
    auto acct = st.find_account(address);
    auto box = st.find_mailbox(acct->id, mailbox);
    auto w = st.new_blob();
    w->write(content);
    store::NewMessage m;
    m.mailbox_id = box->id;
    m.blob = w->finish();
    m.flags = flags;
    m.internal_date = internal_date;
    return m;
}

/// Appends `content` to `mailbox` of `address` (as APPEND would); returns its UID.
inline std::uint32_t add_message(store::Store& st, const std::string& address,
                                 const std::string& mailbox, std::string_view content,
                                 std::int64_t internal_date, std::uint32_t flags = 0) {
    std::vector<store::NewMessage> v;
    v.push_back(new_message(st, address, mailbox, content, internal_date, flags));
    return st.append(std::move(v)).at(0).uid;
}

/// Delivers `content` to `mailbox` of `address` as SMTP/LMTP final delivery does
/// (Store::deliver); returns its UID.
inline std::uint32_t deliver_message(store::Store& st, const std::string& address,
                                     const std::string& mailbox, std::string_view content,
                                     std::int64_t internal_date) {
    std::vector<store::NewMessage> v;
    v.push_back(new_message(st, address, mailbox, content, internal_date));
    auto d = st.deliver(std::move(v), {});
    return d.local.at(0) ? d.local.at(0)->uid : 0;
}

inline void seed(store::Store& st) {
    st.add_domain("example.org");
    st.add_account("alice@example.org", auth::hash_password("secret"));
    st.add_account("bob@example.org", auth::hash_password("secret2"));
    add_message(st, "alice@example.org", "INBOX", kPlain, kDate1, store::kSeen);
    add_message(st, "alice@example.org", "INBOX", kAlternative, kDate1 + kDay);
    add_message(st, "alice@example.org", "INBOX", kAttachment, kDate1 + 2 * kDay);
    add_message(st, "alice@example.org", "INBOX", kEncoded, kDate1 + 3 * kDay);
    add_message(st, "alice@example.org", "Junk", kJunk, kDate1);
    add_message(st, "bob@example.org", "INBOX", kBobOnly, kDate1);
}

}  // namespace hermod::imap::test
