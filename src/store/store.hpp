// store.hpp - the mail store: domains, accounts, aliases, mailboxes, messages, blobs.
//
// The Store is an interface. Nothing outside src/store/sqlite knows the embedded backend is
// SQLite; a PostgreSQL backend will implement the same interface.
//
// Durability: every write goes through one writer thread that batches the writes of many callers
// into one transaction and one fsync (group commit). A write's completion (callback or the return
// of a blocking call) happens only after its metadata and blobs are on stable storage.
// Reads run on their own connections and never block the writer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "store/blob.hpp"

namespace hermod::store {

using Id = std::int64_t;

/// What went wrong, so callers can pick the protocol's reply (and admin one clear line).
enum class ErrorKind { NotFound, AlreadyExists, Invalid, QuotaExceeded, Io };

class StoreError : public std::runtime_error {
public:
    StoreError(ErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
    ErrorKind kind() const { return kind_; }

private:
    ErrorKind kind_;
};

struct Domain {
    Id id = 0;
    std::string name;  // lower case, no trailing dot
};

struct Account {
    Id id = 0;
    std::string address;        // local@domain, domain lower case
    std::string password_hash;  // "{ARGON2ID}$argon2id$..." or an imported "{SHA512-CRYPT}..." etc.
    std::int64_t quota_bytes = 0;  // 0 = unlimited
    std::int64_t created = 0;      // unix seconds
};

/// One alias row. `source` is "local@domain" or "@domain" (catch-all); a source may have many
/// targets (one row each). Targets are addresses, local or remote.
struct Alias {
    std::string source;
    std::string target;
};

/// RFC 6154 special-use attributes.
enum class SpecialUse { None, Sent, Drafts, Trash, Junk, Archive };
std::string_view to_string(SpecialUse);  // "\\Sent" ..., "" for None

struct Mailbox {
    Id id = 0;
    Id account_id = 0;
    std::string name;  // UTF-8, hierarchy separator '/'
    std::uint32_t uidvalidity = 0;
    std::uint32_t uidnext = 1;
    std::uint64_t highestmodseq = 0;
    SpecialUse special_use = SpecialUse::None;
    bool subscribed = false;
    std::uint32_t message_count = 0;
    std::uint64_t total_size = 0;
};

/// System flags (RFC 9051 §2.3.2) as bits; keywords are kept as strings.
enum Flag : std::uint32_t {
    kSeen = 1u << 0,
    kAnswered = 1u << 1,
    kFlagged = 1u << 2,
    kDeleted = 1u << 3,
    kDraft = 1u << 4,
};

struct Message {
    Id id = 0;
    Id mailbox_id = 0;
    std::uint32_t uid = 0;
    std::uint64_t modseq = 0;
    std::uint32_t flags = 0;
    std::vector<std::string> keywords;
    std::int64_t internal_date = 0;  // unix seconds
    std::uint64_t size = 0;          // octets of the blob
    std::string blob_hash;           // lower-case hex SHA-256
};

/// A message to add to a mailbox. Many NewMessages may share one blob (one copy on disk for
/// every recipient of a message).
struct NewMessage {
    Id mailbox_id = 0;
    std::shared_ptr<const StagedBlob> blob;
    std::uint32_t flags = 0;
    std::vector<std::string> keywords;
    std::int64_t internal_date = 0;  // 0 = now
};

struct Appended {
    Id message_id = 0;
    Id mailbox_id = 0;
    std::uint32_t uid = 0;
    std::uint64_t modseq = 0;
};

/// One entry of a mailbox's change log (for CONDSTORE/QRESYNC, JMAP states, IDLE).
enum class ChangeKind { Appended, FlagsChanged, Expunged };
struct Change {
    std::uint64_t modseq = 0;
    std::uint32_t uid = 0;
    ChangeKind kind = ChangeKind::Appended;
};

enum class FlagMode { Replace, Add, Remove };

/// Completion of an asynchronous write. Runs on the writer thread after the write is durable
/// (or failed: then `error` is set and nothing of the write was applied). Keep it short: post
/// the result to the caller's executor.
using AppendCallback = std::function<void(std::exception_ptr error, std::vector<Appended>)>;

class Store {
public:
    virtual ~Store() = default;

    // --- domains -------------------------------------------------------------------------
    virtual Domain add_domain(std::string_view name) = 0;  // AlreadyExists, Invalid
    virtual std::vector<Domain> list_domains() = 0;
    virtual std::optional<Domain> find_domain(std::string_view name) = 0;
    /// Removes a domain; NotFound if missing, Invalid if it still has accounts.
    virtual void delete_domain(std::string_view name) = 0;

    // --- accounts ------------------------------------------------------------------------
    /// Creates the account and its default mailboxes (INBOX, Sent, Drafts, Trash, Junk, Archive
    /// with their special-use) in one transaction. NotFound if the domain is not local,
    /// AlreadyExists if the address is taken.
    virtual Account add_account(std::string_view address, std::string_view password_hash,
                                std::int64_t quota_bytes = 0) = 0;
    virtual std::vector<Account> list_accounts(std::string_view domain = {}) = 0;
    virtual std::optional<Account> find_account(std::string_view address) = 0;
    virtual void set_password_hash(std::string_view address, std::string_view hash) = 0;
    virtual void set_quota(std::string_view address, std::int64_t quota_bytes) = 0;
    /// Removes the account, its mailboxes and messages (blob references are released).
    virtual void delete_account(std::string_view address) = 0;

    // --- aliases -------------------------------------------------------------------------
    virtual void add_alias(std::string_view source, std::string_view target) = 0;
    virtual std::vector<Alias> list_aliases(std::string_view source = {}) = 0;
    /// Removes one target of `source`, or every target when `target` is empty.
    virtual void delete_alias(std::string_view source, std::string_view target = {}) = 0;

    // --- mailboxes -----------------------------------------------------------------------
    virtual Mailbox create_mailbox(Id account_id, std::string_view name,
                                   SpecialUse use = SpecialUse::None) = 0;
    virtual std::vector<Mailbox> list_mailboxes(Id account_id) = 0;
    virtual std::optional<Mailbox> find_mailbox(Id account_id, std::string_view name) = 0;
    virtual void rename_mailbox(Id mailbox_id, std::string_view new_name) = 0;
    virtual void delete_mailbox(Id mailbox_id) = 0;
    virtual void set_subscribed(Id mailbox_id, bool subscribed) = 0;

    // --- messages ------------------------------------------------------------------------
    /// Adds all messages in one transaction (all or nothing), shared through the group commit.
    /// UIDs are strictly increasing per mailbox; each append gets a new, higher MODSEQ.
    virtual void append_async(std::vector<NewMessage> messages, AppendCallback done) = 0;
    /// Blocking form of append_async.
    std::vector<Appended> append(std::vector<NewMessage> messages);

    virtual std::vector<Message> list_messages(Id mailbox_id) = 0;  // ascending UID
    virtual std::optional<Message> find_message(Id mailbox_id, std::uint32_t uid) = 0;
    /// Sets flags/keywords of the given UIDs; returns the new MODSEQ of the mailbox.
    virtual std::uint64_t store_flags(Id mailbox_id, const std::vector<std::uint32_t>& uids,
                                      std::uint32_t flags, const std::vector<std::string>& keywords,
                                      FlagMode mode) = 0;
    /// Removes the given UIDs (releasing their blobs); returns the new MODSEQ of the mailbox.
    virtual std::uint64_t expunge(Id mailbox_id, const std::vector<std::uint32_t>& uids) = 0;
    /// Changes with modseq > `since`, ascending.
    virtual std::vector<Change> changes_since(Id mailbox_id, std::uint64_t since) = 0;

    // --- blobs ---------------------------------------------------------------------------
    /// A writer that hashes while it streams; small bodies stay in memory, large ones spill to
    /// a file under the data folder. Finish it and attach the StagedBlob to NewMessages.
    virtual std::unique_ptr<BlobWriter> new_blob() = 0;
    /// The whole blob (NotFound if unknown). Use read_blob_range for partial reads.
    virtual std::string read_blob(std::string_view hash) = 0;
    virtual std::string read_blob_range(std::string_view hash, std::uint64_t offset,
                                        std::uint64_t length) = 0;

    /// The schema version of the opened store.
    virtual int schema_version() = 0;
};

struct StoreOptions {
    std::string data_dir;                      // the folder holding the database and blob files
    bool group_commit = true;                  // false: one transaction and fsync per write (bench)
    std::size_t max_batch = 512;               // writes merged into one transaction at most
    std::uint64_t inline_blob_max = 1 << 20;   // bodies up to this size live inside the database
};

/// Opens (creating or migrating as needed) the embedded store in options.data_dir.
std::unique_ptr<Store> open_store(const StoreOptions& options);

}  // namespace hermod::store
