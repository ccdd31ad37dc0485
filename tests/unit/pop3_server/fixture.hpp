// fixture.hpp - a real store in a temporary folder with POP3 test mail, shared by the maildrop
// tests and the transcript runner.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "auth/password.hpp"
#include "store/store.hpp"

namespace hermod::pop3::test {

/// The standard maildrop of the transcripts: alice@example.org (password "secret") has three
/// INBOX messages (52, 87 and 24 octets, oldest first) and one in Junk (22 octets);
/// bob@example.org (password "secret2") has an empty INBOX.
inline constexpr std::string_view kMessage1 =
    "From: bob@example.org\r\nSubject: one\r\n\r\nHello Alice\r\n";
inline constexpr std::string_view kMessage2 =
    "From: bob@example.org\r\nSubject: two\r\n\r\nline 1\r\n.starts with a dot\r\nline 3\r\n"
    "..\r\nline 5\r\n";
inline constexpr std::string_view kMessage3 = "Subject: three\r\n\r\nlast\r\n";
inline constexpr std::string_view kJunk = "Subject: spam\r\n\r\nbuy\r\n";

class TempStore {
  public:
    explicit TempStore(std::uint64_t inline_blob_max = 1 << 20) {
        namespace fs = std::filesystem;
        std::string tmpl = (fs::temp_directory_path() / "hermod-pop3-XXXXXX").string();
        dir_ = ::mkdtemp(tmpl.data());
        store::StoreOptions o;
        o.data_dir = dir_.string();
        o.inline_blob_max = inline_blob_max;
        store_ = store::open_store(o);
    }
    ~TempStore() {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    store::Store& operator*() { return *store_; }
    store::Store* operator->() { return store_.get(); }
    store::Store* get() { return store_.get(); }

  private:
    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
};

/// Appends `content` to `mailbox` of `address`; returns its UID.
inline std::uint32_t add_message(store::Store& st, const std::string& address,
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
    std::vector<store::NewMessage> v;
    v.push_back(std::move(m));
    return st.append(std::move(v)).at(0).uid;
}

inline void seed(store::Store& st) {
    st.add_domain("example.org");
    st.add_account("alice@example.org", auth::hash_password("secret"));
    st.add_account("bob@example.org", auth::hash_password("secret2"));
    add_message(st, "alice@example.org", "INBOX", kMessage1, 1000);
    add_message(st, "alice@example.org", "INBOX", kMessage2, 2000);
    add_message(st, "alice@example.org", "INBOX", kMessage3, 3000);
    add_message(st, "alice@example.org", "Junk", kJunk, 1500);
}

}  // namespace hermod::pop3::test
