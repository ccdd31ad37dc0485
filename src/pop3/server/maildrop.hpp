// maildrop.hpp - what a POP3 session sees (RFC 1939 §5): a snapshot of the account's POP3
// mailboxes taken at login, numbered 1..n for the whole session, with deletion marks that
// become real only in the UPDATE state (QUIT), all in one store transaction.
// No sockets: tested against a real store in a temporary folder.
// Security: the snapshot is read once; message numbers from the client index it after bounds
// checks here, so a handler cannot reach a message that is not in this account's maildrop.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace hermod::pop3 {

struct MaildropEntry {
    store::Id mailbox_id = 0;
    std::uint32_t uid = 0;
    std::uint64_t size = 0;  ///< exact octets RETR sends before the final "." (RFC 1939 §5)
    std::string blob_hash;
    std::string uidl;  ///< RFC 1939 §7: unique and stable; "<uidvalidity:08x><uid:08x>"
    std::uint32_t flags = 0;
    bool deleted = false;    ///< DELE'd in this session
    bool retrieved = false;  ///< RETR'd in this session (marked \Seen at QUIT)
};

class Maildrop {
  public:
    /// Takes the snapshot: the messages of `mailboxes` (names, in that order of preference;
    /// missing ones are skipped) of `account_id`, oldest internal date first, ties by mailbox
    /// order then UID. Messages with \Deleted set (by IMAP, not yet expunged) are left out.
    static Maildrop load(store::Store& store, store::Id account_id,
                         const std::vector<std::string>& mailboxes);

    /// Messages not marked deleted, and their total octets (STAT, RFC 1939 §5).
    std::uint32_t count() const;
    std::uint64_t total_size() const;
    /// Highest message number (deleted ones included): LIST/UIDL iterate 1..size().
    std::uint32_t size() const { return static_cast<std::uint32_t>(entries_.size()); }

    /// The message `number` (1-based) when it exists and is not deleted; else nullptr.
    const MaildropEntry* find(std::uint32_t number) const;
    /// True when `number` exists but was deleted in this session.
    bool is_deleted(std::uint32_t number) const;

    /// DELE: false when there is no such (undeleted) message.
    bool mark_deleted(std::uint32_t number);
    /// RETR: remembered to set \Seen (and, with expire_retrieved, to expunge) at QUIT.
    void mark_retrieved(std::uint32_t number);
    /// RSET (RFC 1939 §5): unmarks every deleted message (retrieval marks stay).
    void reset();

    /// UPDATE state (RFC 1939 §6): expunges every deleted message (and every retrieved one when
    /// `expire_retrieved`), and sets \Seen on the other retrieved ones, in one store write per
    /// mailbox, so IMAP sessions see the expunges in the change log. Blocking (group commit
    /// fsync): call it off the I/O threads. Throws store::StoreError on failure (the caller
    /// answers -ERR [SYS/TEMP], RFC 1939 §6).
    void commit(store::Store& store, bool expire_retrieved) const;

  private:
    std::vector<MaildropEntry> entries_;
};

/// RFC 1939 §8: exclusive access to a maildrop. One POP3 session per account at a time in this
/// process; IMAP sessions are not blocked. Thread-safe.
class MaildropLocks {
  public:
    /// The process-wide registry the server uses.
    static MaildropLocks& instance();

    /// RAII holder; empty (false) when the account was already locked.
    class Lock {
      public:
        Lock() = default;
        Lock(Lock&& other) noexcept;
        Lock& operator=(Lock&& other) noexcept;
        ~Lock();
        explicit operator bool() const { return locks_ != nullptr; }

      private:
        friend class MaildropLocks;
        Lock(MaildropLocks* locks, store::Id account) : locks_(locks), account_(account) {}
        MaildropLocks* locks_ = nullptr;
        store::Id account_ = 0;
    };

    Lock try_lock(store::Id account_id);

  private:
    void unlock(store::Id account_id);
    std::mutex mutex_;
    std::set<store::Id> locked_;
};

/// RFC 2449 §6.8 LOGIN-DELAY: remembers each account's last login in this process. Thread-safe.
class LoginDelays {
  public:
    static LoginDelays& instance();
    /// True (and records now) when the account last logged in at least `seconds` ago or never;
    /// false when it is too soon. `seconds` == 0 always allows.
    bool allow(store::Id account_id, std::uint32_t seconds);

  private:
    std::mutex mutex_;
    std::vector<std::pair<store::Id, std::int64_t>> last_;  // small: sorted by id
};

}  // namespace hermod::pop3
