// store.hpp - the mail store: domains, accounts, aliases, mailing lists, mailboxes, messages,
// blobs and the outbound queue.
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
#include <utility>
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
    /// Octets of all its messages: a counter kept in the same transactions as appends and
    /// expunges, so a quota check at RCPT time is one row read, not a scan.
    std::int64_t used_bytes = 0;
};

/// One alias row. `source` is "local@domain" or "@domain" (catch-all); a source may have many
/// targets (one row each). Targets are addresses, local or remote.
struct Alias {
    std::string source;
    std::string target;
};

/// A mailing list (RFC 5321 §3.9.2): mail to `address` goes to every member. The address lives
/// in a local domain and is never also an account.
struct MailingList {
    Id id = 0;
    std::string address;  // local@domain, lower case
    std::int64_t created = 0;
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
    /// Skip the quota check: the message was already accepted for this mailbox (SMTP quota
    /// grace, see delivery::Recipient::quota_grace), so it may take the account past its quota.
    bool ignore_quota = false;
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

/// Outcome of Store::copy_messages / move_messages: the source UIDs that existed (ascending;
/// UIDs already expunged, or never there, are skipped) and, at the same index, the message
/// each became in the destination (new UIDs, ascending in the same order: RFC 4315 COPYUID).
struct CopyResult {
    std::vector<std::uint32_t> source_uids;
    std::vector<Appended> appended;
};

/// Per-mailbox figures for IMAP STATUS/SELECT (RFC 9051 §6.3.11 MESSAGES, UNSEEN, DELETED,
/// SIZE) read in one snapshot.
struct MailboxCounts {
    std::uint32_t messages = 0;
    std::uint32_t unseen = 0;            // without \Seen
    std::uint32_t deleted = 0;           // with \Deleted
    std::uint64_t size = 0;              // octets of all messages
    std::uint32_t first_unseen_uid = 0;  // lowest UID without \Seen; 0 when all are seen
};

/// One recipient of a message waiting in the outbound queue (RFC 5321 §4.5.4): the body is a
/// blob shared with the local copies and the other queued recipients, reference counted like a
/// message's.
struct QueueEntry {
    Id id = 0;
    std::string blob_hash;
    std::uint64_t size = 0;                // octets of the blob
    std::uint32_t return_path_length = 0;  // leading "Return-Path: ...\r\n" to skip when relaying
    std::string mail_from;                 // reverse-path; "" for the null path
    std::string recipient;                 // forward-path
    std::string dsn_ret;                   // RFC 3461 §4.3 RET: "FULL", "HDRS" or ""
    std::string dsn_envid;                 // RFC 3461 §4.4 ENVID, decoded
    std::uint32_t notify = 0;              // RFC 3461 §4.1 NOTIFY bits
    std::string orcpt;                     // RFC 3461 §4.2 ORCPT "type;address"
    std::int64_t created = 0;              // unix seconds
    std::int64_t next_attempt = 0;         // unix seconds
    std::uint32_t attempts = 0;
    std::string last_error;
};

struct NewQueueEntry {
    std::shared_ptr<const StagedBlob> blob;
    std::uint32_t return_path_length = 0;
    std::string mail_from;
    std::string recipient;
    std::string dsn_ret;
    std::string dsn_envid;
    std::uint32_t notify = 0;
    std::string orcpt;
    std::int64_t next_attempt = 0;  // 0 = now
};

/// Outcome of Store::deliver_async, in the order of its arguments.
struct Delivered {
    /// One per NewMessage: the append, or nullopt when that message alone was refused because
    /// its account is over quota (RFC 3463 X.2.2); the rest of the call still committed.
    std::vector<std::optional<Appended>> local;
    std::vector<std::string> local_errors;  // one per NewMessage: why it was refused, or ""
    std::vector<Id> queued;                 // one per NewQueueEntry: its queue id
};

/// Completion of an asynchronous write. Runs on the writer thread after the write is durable
/// (or failed: then `error` is set and nothing of the write was applied). Keep it short: post
/// the result to the caller's executor.
using AppendCallback = std::function<void(std::exception_ptr error, std::vector<Appended>)>;
/// Completion of deliver_async; same rules as AppendCallback.
using DeliveredCallback = std::function<void(std::exception_ptr error, Delivered)>;

/// A live subscription to one mailbox's changes (Store::watch). Destroying it (or cancel())
/// unsubscribes: once that returns, its callback is not running and will never run again. It
/// may be cancelled from inside its own callback.
class MailboxWatch {
  public:
    MailboxWatch() = default;
    explicit MailboxWatch(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
    MailboxWatch(MailboxWatch&& other) noexcept : cancel_(std::exchange(other.cancel_, nullptr)) {}
    MailboxWatch& operator=(MailboxWatch&& other) noexcept {
        if (this != &other) {
            cancel();
            cancel_ = std::exchange(other.cancel_, nullptr);
        }
        return *this;
    }
    MailboxWatch(const MailboxWatch&) = delete;
    MailboxWatch& operator=(const MailboxWatch&) = delete;
    ~MailboxWatch() { cancel(); }

    /// Unsubscribes (idempotent); waits for a call of the callback in progress on another thread.
    void cancel() noexcept;

  private:
    std::function<void()> cancel_;
};

/// Called with a mailbox's new HIGHESTMODSEQ after a committed write changed it (see
/// Store::watch). Runs on the store's writer thread: never block or call the store's blocking
/// methods in it; post to your own executor.
using ChangeCallback = std::function<void(std::uint64_t modseq)>;

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
    /// add_account also refuses (AlreadyExists) an address that is a mailing list.

    // --- aliases -------------------------------------------------------------------------
    virtual void add_alias(std::string_view source, std::string_view target) = 0;
    virtual std::vector<Alias> list_aliases(std::string_view source = {}) = 0;
    /// Removes one target of `source`, or every target when `target` is empty.
    virtual void delete_alias(std::string_view source, std::string_view target = {}) = 0;

    // --- mailing lists ------------------------------------------------------------------
    /// Creates an empty list. NotFound if the domain is not local, AlreadyExists if the address
    /// is a list or an account already, Invalid if malformed.
    virtual MailingList add_list(std::string_view address) = 0;
    /// Lists sorted by address; only those of `domain` when given.
    virtual std::vector<MailingList> list_lists(std::string_view domain = {}) = 0;
    virtual std::optional<MailingList> find_list(std::string_view address) = 0;
    /// Removes a list and its members; NotFound if missing.
    virtual void delete_list(std::string_view address) = 0;
    /// Adds `member` (any address, local or remote; stored lower case). NotFound if the list is
    /// missing, AlreadyExists if already a member.
    virtual void subscribe(std::string_view list, std::string_view member) = 0;
    /// Removes `member`; NotFound if the list is missing or the address is not a member.
    virtual void unsubscribe(std::string_view list, std::string_view member) = 0;
    /// Members sorted; NotFound if the list is missing.
    virtual std::vector<std::string> list_members(std::string_view list) = 0;

    // --- mailboxes -----------------------------------------------------------------------
    virtual Mailbox create_mailbox(Id account_id, std::string_view name,
                                   SpecialUse use = SpecialUse::None) = 0;
    virtual std::vector<Mailbox> list_mailboxes(Id account_id) = 0;
    virtual std::optional<Mailbox> find_mailbox(Id account_id, std::string_view name) = 0;
    /// The mailbox with its current UIDNEXT, HIGHESTMODSEQ and counters; nullopt if it is gone.
    virtual std::optional<Mailbox> get_mailbox(Id mailbox_id) = 0;
    /// MESSAGES, UNSEEN, DELETED, SIZE and the first unseen UID in one snapshot (the flag counts
    /// read partial indexes of the unseen and deleted messages, schema 5). NotFound if missing.
    virtual MailboxCounts counts(Id mailbox_id) = 0;
    /// RFC 9051 §6.3.6, in one transaction. The mailbox keeps its id and UIDVALIDITY, and its
    /// inferiors follow ("a" -> "n" renames "a/b" to "n/b"); every renamed mailbox's watches are
    /// called. AlreadyExists if the new name or a renamed inferior's new name is taken, Invalid
    /// for a new name inside the mailbox's own hierarchy. Renaming INBOX creates the new
    /// mailbox (fresh UIDVALIDITY) and moves all of INBOX's messages into it (as move_messages
    /// does); INBOX stays, empty, and its inferiors are not renamed.
    virtual void rename_mailbox(Id mailbox_id, std::string_view new_name) = 0;
    /// Removes the mailbox (not its inferiors) with its messages, releasing their blobs and
    /// their bytes of the account's usage; its watches are called. Invalid for INBOX.
    virtual void delete_mailbox(Id mailbox_id) = 0;
    virtual void set_subscribed(Id mailbox_id, bool subscribed) = 0;

    // --- messages ------------------------------------------------------------------------
    /// Adds all messages in one transaction (all or nothing), shared through the group commit.
    /// UIDs are strictly increasing per mailbox; each append gets a new, higher MODSEQ.
    virtual void append_async(std::vector<NewMessage> messages, AppendCallback done) = 0;
    /// Blocking form of append_async.
    std::vector<Appended> append(std::vector<NewMessage> messages);

    /// Final delivery of one message: appends `local` and queues `remote` in ONE job of the group
    /// commit, so the copies and queue entries become durable together (the blobs they share
    /// are stored once, with one reference per message and per queue entry). All or nothing,
    /// except that a message whose account is over quota is refused alone (see Delivered).
    virtual void deliver_async(std::vector<NewMessage> local, std::vector<NewQueueEntry> remote,
                               DeliveredCallback done) = 0;
    /// Blocking form of deliver_async.
    Delivered deliver(std::vector<NewMessage> local, std::vector<NewQueueEntry> remote);

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
    /// The messages of `uids` that exist, ascending UID (duplicates and missing UIDs skipped),
    /// in one query: the current flags of what changes_since reported, or of a STORE's UIDs.
    virtual std::vector<Message> find_messages(Id mailbox_id,
                                               const std::vector<std::uint32_t>& uids) = 0;

    /// RFC 9051 §6.4.7 COPY, in one transaction through the group commit: each existing UID of
    /// `uids` (taken in ascending order) gets a new UID, and a new MODSEQ, in `to_mailbox`, with
    /// its flags, keywords and internal date. A copy shares the body (one more blob reference,
    /// no data copied) and counts toward the destination account's quota: QuotaExceeded (and
    /// nothing copied) if it would go over. Missing UIDs are skipped, so the result may be
    /// shorter than `uids` (empty, and nothing written, if none exists). Source and destination
    /// may be the same mailbox. NotFound if either mailbox is missing; Invalid if the destination
    /// would run out of UIDs. The change log gets Appended entries.
    virtual CopyResult copy_messages(Id from_mailbox, const std::vector<std::uint32_t>& uids,
                                     Id to_mailbox) = 0;
    /// RFC 6851 MOVE: copy_messages and the expunge of the moved source UIDs in ONE transaction
    /// (atomic). A moved message keeps its message id and its body reference; the source's log
    /// gets Expunged (one new MODSEQ), the destination's Appended. Within one account the usage
    /// does not change, so a move is never refused for quota (a full account can still move to
    /// Trash); into another account it counts like a copy. Same-mailbox moves give new UIDs.
    virtual CopyResult move_messages(Id from_mailbox, const std::vector<std::uint32_t>& uids,
                                     Id to_mailbox) = 0;

    // --- change notifications (IMAP IDLE, JMAP push) -------------------------------------
    /// Calls `on_change` with the mailbox's new HIGHESTMODSEQ after each committed write that
    /// changed it (append, deliver, store_flags, expunge, copy and move into it, move out of it;
    /// also rename (of it or of a superior) and delete, with the
    /// unchanged modseq), on the writer thread, after durability. Values only increase (but a
    /// rename/delete repeats the last one); several writes may be reported as one call. Writes by
    /// other processes on the same store (the admin CLI) are noticed by a poll about every second
    /// while any watch exists. NotFound if the mailbox does not exist.
    virtual std::unique_ptr<MailboxWatch> watch(Id mailbox_id, ChangeCallback on_change) = 0;

    // --- blobs ---------------------------------------------------------------------------
    /// A writer that hashes while it streams; small bodies stay in memory, large ones spill to
    /// a file under the data folder. Finish it and attach the StagedBlob to NewMessages.
    virtual std::unique_ptr<BlobWriter> new_blob() = 0;
    /// The whole blob (NotFound if unknown). Use read_blob_range for partial reads.
    virtual std::string read_blob(std::string_view hash) = 0;
    virtual std::string read_blob_range(std::string_view hash, std::uint64_t offset,
                                        std::uint64_t length) = 0;
    /// Several small bodies in one read (one statement, one read transaction): for each hash,
    /// its content when it is stored inline and at most `max_size` octets, else nullopt (a
    /// file blob, a larger one, or an unknown hash). For POP3 clients that RETR one message
    /// after another: the per-read transaction cost is paid once per batch.
    virtual std::vector<std::optional<std::string>> read_small_blobs(
        const std::vector<std::string>& hashes, std::uint64_t max_size) = 0;
    /// The content of a staged blob that may not be committed yet (delivery filters read the
    /// message before the transaction that stores it): its inline data or its durable file.
    virtual std::string read_staged_blob(const StagedBlob& blob, std::uint64_t offset = 0,
                                         std::uint64_t length = UINT64_MAX) = 0;
    /// The blob's MIME structure as mime::serialize() wrote it (parsed once, at delivery).
    /// Blobs stored before schema 4 (or whose parse failed) are parsed now, and the result is
    /// stored back through the writer without waiting for it. NotFound for an unknown hash.
    virtual std::string read_structure(std::string_view blob_hash) = 0;

    // --- outbound queue ------------------------------------------------------------------
    /// Queue entries ordered by next_attempt, then id. Entries are written by deliver_async.
    virtual std::vector<QueueEntry> list_queue() = 0;
    /// Removes an entry (delivered or bounced) and releases its blob; NotFound if missing.
    virtual void delete_queue_entry(Id id) = 0;

    /// The schema version of the opened store.
    virtual int schema_version() = 0;
};

struct StoreOptions {
    std::string data_dir;                     // the folder holding the database and blob files
    bool group_commit = true;                 // false: one transaction and fsync per write (bench)
    std::size_t max_batch = 512;              // writes merged into one transaction at most
    std::uint64_t inline_blob_max = 1 << 20;  // bodies up to this size live inside the database
    std::size_t mime_depth = 64;  // nesting limit when parsing bodies (config limits.mime_depth)
};

/// Opens (creating or migrating as needed) the embedded store in options.data_dir.
std::unique_ptr<Store> open_store(const StoreOptions& options);

}  // namespace hermod::store
