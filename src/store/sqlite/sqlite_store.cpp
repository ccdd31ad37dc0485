// sqlite_store.cpp - the SQLite Store: one writer thread with group commit, pooled readers.
//
// Writes: callers enqueue jobs; the writer takes everything queued (up to max_batch), runs the
// jobs in ONE transaction, each inside its own SAVEPOINT (a failing job rolls back alone and gets
// its error), COMMITs once (one WAL fsync with synchronous=FULL) and only then runs completions.
// Reads: a small pool of query-only connections; WAL lets them run beside the writer, and each
// read is one statement or one short transaction.
#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <type_traits>

#include "common/address.hpp"
#include "common/log.hpp"
#include "store/blob_files.hpp"
#include "store/notifier.hpp"
#include "store/sqlite/db.hpp"

namespace hermod::store::sqlite {

namespace {

/// What a job may use inside the writer transaction.
struct JobCtx {
    Db& db;
    std::vector<std::string> released_files;  // blob files to unlink once committed
    int schema = kLatestVersion;       // below 3 (old stores opened by tests): no usage counter
    std::vector<MailboxEvent> events;  // mailboxes changed, published to watches once committed
};

struct Job {
    /// Empty for a job that only needs its completion run on the writer thread, in order with
    /// the commits (publishing changes noticed by the poller): it takes no transaction.
    std::function<void(JobCtx&)> run;
    std::function<void(std::exception_ptr)> done;  // after COMMIT, or with the job's error
};

std::int64_t now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

[[noreturn]] void fail(ErrorKind kind, const std::string& message) {
    throw StoreError(kind, message);
}

std::string lower_nonempty(std::string_view text, const char* what) {
    std::string out = ascii_lower(text);
    if (out.empty()) fail(ErrorKind::Invalid, std::string(what) + " is empty");
    return out;
}

/// "local@domain" with both parts non-empty; returns the domain.
std::string domain_of_address(const std::string& address) {
    auto at = address.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size())
        fail(ErrorKind::Invalid, "invalid address " + address + " (expected local@domain)");
    return address.substr(at + 1);
}

std::string normalize_mailbox_name(std::string_view name) {
    if (name.empty()) fail(ErrorKind::Invalid, "mailbox name is empty");
    // RFC 9051 §5.1: INBOX is case-insensitive; every other name is case-sensitive.
    if (ascii_lower(name) == "inbox") return "INBOX";
    return std::string(name);
}

std::string join_keywords(const std::vector<std::string>& keywords) {
    std::set<std::string> sorted;
    for (const auto& k : keywords)
        if (!k.empty()) sorted.insert(k);
    std::string out;
    for (const auto& k : sorted) {
        if (!out.empty()) out.push_back(' ');
        out += k;
    }
    return out;
}

std::vector<std::string> split_keywords(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string k;
    while (in >> k)
        out.push_back(k);
    return out;
}

constexpr const char* kMailboxColumns =
    "id, account_id, name, uidvalidity, uidnext, highestmodseq, special_use, subscribed, "
    "message_count, total_size";

// mailboxes.special_use holds the enum's value (schema.cpp); a renumbering would misread data.
static_assert(static_cast<int>(SpecialUse::Sent) == 1 &&
              static_cast<int>(SpecialUse::Archive) == 5);

Mailbox mailbox_from(const Stmt& st) {
    Mailbox m;
    m.id = st.int64(0);
    m.account_id = st.int64(1);
    m.name = st.text(2);
    m.uidvalidity = static_cast<std::uint32_t>(st.int64(3));
    m.uidnext = static_cast<std::uint32_t>(st.int64(4));
    m.highestmodseq = static_cast<std::uint64_t>(st.int64(5));
    m.special_use = static_cast<SpecialUse>(st.int64(6));
    m.subscribed = st.int64(7) != 0;
    m.message_count = static_cast<std::uint32_t>(st.int64(8));
    m.total_size = static_cast<std::uint64_t>(st.int64(9));
    return m;
}

constexpr const char* kMessageColumns =
    "id, mailbox_id, uid, modseq, flags, keywords, internal_date, size, blob_hash";

Message message_from(const Stmt& st) {
    Message m;
    m.id = st.int64(0);
    m.mailbox_id = st.int64(1);
    m.uid = static_cast<std::uint32_t>(st.int64(2));
    m.modseq = static_cast<std::uint64_t>(st.int64(3));
    m.flags = static_cast<std::uint32_t>(st.int64(4));
    m.keywords = split_keywords(st.text(5));
    m.internal_date = st.int64(6);
    m.size = static_cast<std::uint64_t>(st.int64(7));
    m.blob_hash = st.text(8);
    return m;
}

Account account_from(const Stmt& st) {
    Account a;
    a.id = st.int64(0);
    a.address = st.text(1);
    a.password_hash = st.text(2);
    a.quota_bytes = st.int64(3);
    a.created = st.int64(4);
    a.used_bytes = st.int64(5);
    return a;
}

/// Schema 3 added accounts.used_bytes; tests still open version 1 and 2 stores.
std::string account_columns(int schema) {
    return schema >= 3 ? "id, address, password_hash, quota_bytes, created, used_bytes"
                       : "id, address, password_hash, quota_bytes, created, 0";
}

constexpr const char* kQueueColumns =
    "id, blob_hash, size, return_path_length, mail_from, recipient, dsn_ret, dsn_envid, notify, "
    "orcpt, created, next_attempt, attempts, last_error";

QueueEntry queue_entry_from(const Stmt& st) {
    QueueEntry q;
    q.id = st.int64(0);
    q.blob_hash = st.text(1);
    q.size = static_cast<std::uint64_t>(st.int64(2));
    q.return_path_length = static_cast<std::uint32_t>(st.int64(3));
    q.mail_from = st.text(4);
    q.recipient = st.text(5);
    q.dsn_ret = st.text(6);
    q.dsn_envid = st.text(7);
    q.notify = static_cast<std::uint32_t>(st.int64(8));
    q.orcpt = st.text(9);
    q.created = st.int64(10);
    q.next_attempt = st.int64(11);
    q.attempts = static_cast<std::uint32_t>(st.int64(12));
    q.last_error = st.text(13);
    return q;
}

// --- helpers that run inside the writer transaction --------------------------------------

std::optional<Id> domain_id(Db& db, const std::string& name) {
    auto st = db.prepare("SELECT id FROM domains WHERE name=?1");
    st.bind(1, name);
    if (!st.step()) return std::nullopt;
    return st.int64(0);
}

Id require_account(Db& db, const std::string& address) {
    auto st = db.prepare("SELECT id FROM accounts WHERE address=?1");
    st.bind(1, address);
    if (!st.step()) fail(ErrorKind::NotFound, "account " + address + " does not exist");
    return st.int64(0);
}

Id require_list(Db& db, const std::string& address) {
    auto st = db.prepare("SELECT id FROM lists WHERE address=?1");
    st.bind(1, address);
    if (!st.step()) fail(ErrorKind::NotFound, "mailing list " + address + " does not exist");
    return st.int64(0);
}

Mailbox require_mailbox(Db& db, Id mailbox_id) {
    auto st = db.prepare(std::string("SELECT ") + kMailboxColumns + " FROM mailboxes WHERE id=?1");
    st.bind(1, mailbox_id);
    if (!st.step())
        fail(ErrorKind::NotFound, "mailbox " + std::to_string(mailbox_id) + " does not exist");
    return mailbox_from(st);
}

/// A UIDVALIDITY never handed out before in this store (RFC 9051 §2.3.1.1): the clock, or one
/// more than the last one when several mailboxes are created within a second, so a mailbox
/// deleted and re-created under the same name always gets a new value.
std::uint32_t next_uidvalidity(Db& db) {
    std::int64_t last = 0;
    {
        auto st = db.prepare("SELECT value FROM meta WHERE key='last_uidvalidity'");
        if (st.step()) last = st.int64(0);
    }
    std::int64_t next = std::max(now(), last + 1);
    if (next > 0xffffffffLL) next = 1;  // XXX: year 2106; wraps rather than fails
    auto st = db.prepare(
        "INSERT INTO meta(key, value) VALUES('last_uidvalidity', ?1) "
        "ON CONFLICT(key) DO UPDATE SET value=excluded.value");
    st.bind(1, next).run();
    return static_cast<std::uint32_t>(next);
}

Id insert_mailbox(Db& db, Id account_id, const std::string& name, SpecialUse use, bool subscribed) {
    {
        auto st = db.prepare("SELECT 1 FROM mailboxes WHERE account_id=?1 AND name=?2");
        st.bind(1, account_id).bind(2, name);
        if (st.step()) fail(ErrorKind::AlreadyExists, "mailbox " + name + " already exists");
    }
    std::uint32_t uidvalidity = next_uidvalidity(db);
    auto st = db.prepare(
        "INSERT INTO mailboxes(account_id, name, uidvalidity, special_use, subscribed) "
        "VALUES(?1, ?2, ?3, ?4, ?5)");
    st.bind(1, account_id)
        .bind(2, name)
        .bind(3, static_cast<std::int64_t>(uidvalidity))
        .bind(4, static_cast<std::int64_t>(use))
        .bind(5, static_cast<std::int64_t>(subscribed ? 1 : 0))
        .run();
    return db.last_insert_rowid();
}

/// Adds one reference to a staged blob, inserting its row (and inline content, and from schema
/// 4 its MIME structure) on first use: one row per distinct body however many messages and
/// queue entries share it.
void reference_blob(JobCtx& ctx, const StagedBlob& blob) {
    if (ctx.schema >= 6) {
        // The row, then its structure in blob_structures (schema 6) on first use.
        auto ins = ctx.db.prepare(
            "INSERT INTO blobs(hash, size, refcount, data) VALUES(?1, ?2, 1, ?3) "
            "ON CONFLICT(hash) DO UPDATE SET refcount=refcount+1 RETURNING id");
        ins.bind(1, blob.hash).bind(2, static_cast<std::int64_t>(blob.size));
        if (blob.in_file)
            ins.bind_null(3);
        else
            ins.bind_blob(3, blob.inline_data);
        if (!ins.step()) return;
        Id id = ins.int64(0);
        ins.run();
        if (blob.structure.empty()) return;  // not parsed: read_structure computes it
        ctx.db.prepare("INSERT OR IGNORE INTO blob_structures(blob_id, structure) VALUES(?1, ?2)")
            .bind(1, id)
            .bind_blob(2, blob.structure)
            .run();
        return;
    }
    auto ins = ctx.db.prepare(
        ctx.schema >= 4
            ? "INSERT INTO blobs(hash, size, refcount, data, structure) VALUES(?1, ?2, 1, ?3, ?4) "
              "ON CONFLICT(hash) DO UPDATE SET refcount=refcount+1, "
              "structure=coalesce(structure, excluded.structure)"
            : "INSERT INTO blobs(hash, size, refcount, data) VALUES(?1, ?2, 1, ?3) "
              "ON CONFLICT(hash) DO UPDATE SET refcount=refcount+1");
    ins.bind(1, blob.hash).bind(2, static_cast<std::int64_t>(blob.size));
    if (blob.in_file)
        ins.bind_null(3);
    else
        ins.bind_blob(3, blob.inline_data);
    if (ctx.schema >= 4) {
        if (blob.structure.empty())
            ins.bind_null(4);  // not parsed: read_structure computes it on first use
        else
            ins.bind_blob(4, blob.structure);
    }
    ins.run();
}

/// Drops `count` references to a blob; the last one removes the row (and, after commit, the file).
void release_blob(JobCtx& ctx, const std::string& hash, std::int64_t count) {
    bool in_file = false;
    std::int64_t left = 0;
    {
        auto st = ctx.db.prepare(
            "UPDATE blobs SET refcount=refcount-?2 WHERE hash=?1 RETURNING refcount, data IS NULL");
        st.bind(1, hash).bind(2, count);
        if (!st.step()) return;  // unknown: nothing to release
        left = st.int64(0);
        in_file = st.int64(1) != 0;
        st.run();
    }
    if (left > 0) return;
    if (ctx.schema >= 6)
        ctx.db
            .prepare(
                "DELETE FROM blob_structures WHERE blob_id=(SELECT id FROM blobs WHERE hash=?1)")
            .bind(1, hash)
            .run();
    auto st = ctx.db.prepare("DELETE FROM blobs WHERE hash=?1");
    st.bind(1, hash).run();
    if (in_file) ctx.released_files.push_back(hash);
}

void add_change(Db& db, Id mailbox_id, std::uint64_t modseq, std::uint32_t uid, ChangeKind kind) {
    auto st = db.prepare("INSERT INTO changes(mailbox_id, modseq, uid, kind) VALUES(?1,?2,?3,?4)");
    st.bind(1, mailbox_id)
        .bind(2, static_cast<std::int64_t>(modseq))
        .bind(3, static_cast<std::int64_t>(uid))
        .bind(4, static_cast<std::int64_t>(kind))
        .run();
}

/// "[1,2,3]": a UID list as one bound parameter for json_each, however long it is.
std::string json_uids(const std::vector<std::uint32_t>& uids) {
    std::string out = "[";
    out.reserve(uids.size() * 7 + 2);
    for (std::size_t i = 0; i < uids.size(); ++i) {
        if (i) out.push_back(',');
        out += std::to_string(uids[i]);
    }
    out.push_back(']');
    return out;
}

/// The existing messages of `uids` in a mailbox, ascending UID, in one statement: the list is
/// one json_each parameter and each entry one lookup in the (mailbox_id, uid) index, so 10,000
/// UIDs cost 10,000 index probes and no statement per UID.
std::vector<Message> select_messages(Db& db, Id mailbox_id,
                                     const std::vector<std::uint32_t>& uids) {
    std::vector<Message> out;
    if (uids.empty()) return out;
    auto st = db.prepare(std::string("SELECT ") + kMessageColumns +
                         " FROM messages WHERE mailbox_id=?1 AND uid IN "
                         "(SELECT value FROM json_each(?2))");
    st.bind(1, mailbox_id).bind(2, json_uids(uids));
    while (st.step())
        out.push_back(message_from(st));
    // Sorted here rather than by ORDER BY, which could tempt the planner into walking the
    // whole mailbox in UID order.
    std::sort(out.begin(), out.end(),
              [](const Message& a, const Message& b) { return a.uid < b.uid; });
    return out;
}

/// QuotaExceeded unless `bytes` more fit in the account's quota (0 = unlimited).
void check_quota(JobCtx& ctx, Id account_id, std::int64_t bytes) {
    auto st =
        ctx.db.prepare(ctx.schema >= 3 ? "SELECT quota_bytes, address, used_bytes FROM accounts "
                                         "WHERE id=?1"
                                       : "SELECT quota_bytes, address, (SELECT total(total_size) "
                                         "FROM mailboxes WHERE account_id=?1) FROM accounts "
                                         "WHERE id=?1");
    st.bind(1, account_id);
    if (st.step() && st.int64(0) > 0) {
        std::int64_t quota = st.int64(0);
        std::string address = st.text(1);
        std::int64_t in_use = st.int64(2);
        if (in_use + bytes > quota)
            fail(ErrorKind::QuotaExceeded,
                 "mailbox of " + address + " is full (quota " + std::to_string(quota) + " bytes)");
    }
}

/// COPY (`move` false) or MOVE of the existing `uids` of `from_id` into `to_id`, inside the
/// caller's job. A copy inserts new rows and adds blob references; a move re-homes the rows
/// (message id and blob reference kept) and logs their expunge in the source.
CopyResult transfer(JobCtx& ctx, Id from_id, const std::vector<std::uint32_t>& uids, Id to_id,
                    bool move) {
    Mailbox from = require_mailbox(ctx.db, from_id);
    Mailbox to = require_mailbox(ctx.db, to_id);
    CopyResult out;
    std::vector<Message> msgs = select_messages(ctx.db, from_id, uids);
    if (msgs.empty()) return out;
    std::int64_t bytes = 0;
    for (const auto& m : msgs)
        bytes += static_cast<std::int64_t>(m.size);
    // A move within one account leaves its usage unchanged: never refused, so a full account
    // can still move messages to Trash.
    bool usage_moves = !move || from.account_id != to.account_id;
    if (usage_moves) check_quota(ctx, to.account_id, bytes);
    if (static_cast<std::uint64_t>(to.uidnext) + msgs.size() > 0xffffffffull)
        fail(ErrorKind::Invalid, "mailbox " + to.name + " has run out of UIDs");

    std::uint32_t uid = to.uidnext;
    std::uint64_t modseq = to.highestmodseq;
    std::map<std::string, std::int64_t> refs;  // copies per blob
    out.source_uids.reserve(msgs.size());
    out.appended.reserve(msgs.size());
    for (const auto& m : msgs) {
        Appended a;
        a.mailbox_id = to_id;
        a.uid = uid++;
        a.modseq = ++modseq;  // one MODSEQ per new message, as for appends
        if (move) {
            ctx.db.prepare("UPDATE messages SET mailbox_id=?2, uid=?3, modseq=?4 WHERE id=?1")
                .bind(1, m.id)
                .bind(2, to_id)
                .bind(3, static_cast<std::int64_t>(a.uid))
                .bind(4, static_cast<std::int64_t>(a.modseq))
                .run();
            a.message_id = m.id;
        } else {
            ctx.db
                .prepare(
                    "INSERT INTO messages(mailbox_id, uid, modseq, flags, keywords, "
                    "internal_date, size, blob_hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
                .bind(1, to_id)
                .bind(2, static_cast<std::int64_t>(a.uid))
                .bind(3, static_cast<std::int64_t>(a.modseq))
                .bind(4, static_cast<std::int64_t>(m.flags))
                .bind(5, join_keywords(m.keywords))
                .bind(6, m.internal_date)
                .bind(7, static_cast<std::int64_t>(m.size))
                .bind(8, m.blob_hash)
                .run();
            a.message_id = ctx.db.last_insert_rowid();
            ++refs[m.blob_hash];
        }
        add_change(ctx.db, to_id, a.modseq, a.uid, ChangeKind::Appended);
        out.source_uids.push_back(m.uid);
        out.appended.push_back(a);
    }
    for (const auto& [hash, n] : refs)
        ctx.db.prepare("UPDATE blobs SET refcount=refcount+?2 WHERE hash=?1")
            .bind(1, hash)
            .bind(2, n)
            .run();
    auto n = static_cast<std::int64_t>(msgs.size());
    ctx.db
        .prepare(
            "UPDATE mailboxes SET uidnext=?2, highestmodseq=?3, message_count=message_count+?4, "
            "total_size=total_size+?5 WHERE id=?1")
        .bind(1, to_id)
        .bind(2, static_cast<std::int64_t>(uid))
        .bind(3, static_cast<std::int64_t>(modseq))
        .bind(4, n)
        .bind(5, bytes)
        .run();
    ctx.events.push_back(MailboxEvent{to_id, modseq, false});
    if (usage_moves && ctx.schema >= 3) {
        ctx.db.prepare("UPDATE accounts SET used_bytes=used_bytes+?2 WHERE id=?1")
            .bind(1, to.account_id)
            .bind(2, bytes)
            .run();
        if (move)
            ctx.db.prepare("UPDATE accounts SET used_bytes=used_bytes-?2 WHERE id=?1")
                .bind(1, from.account_id)
                .bind(2, bytes)
                .run();
    }
    if (!move) return out;
    // The expunge half, with one MODSEQ (above the appends' when moving within a mailbox).
    std::uint64_t expunged = require_mailbox(ctx.db, from_id).highestmodseq + 1;
    for (const auto& m : msgs)
        add_change(ctx.db, from_id, expunged, m.uid, ChangeKind::Expunged);
    ctx.db
        .prepare(
            "UPDATE mailboxes SET highestmodseq=?2, message_count=message_count-?3, "
            "total_size=total_size-?4 WHERE id=?1")
        .bind(1, from_id)
        .bind(2, static_cast<std::int64_t>(expunged))
        .bind(3, n)
        .bind(4, bytes)
        .run();
    ctx.events.push_back(MailboxEvent{from_id, expunged, false});
    return out;
}

/// Removes a mailbox with its messages, change log and blob references.
void drop_mailbox(JobCtx& ctx, Id mailbox_id) {
    {
        auto st = ctx.db.prepare("SELECT highestmodseq FROM mailboxes WHERE id=?1");
        st.bind(1, mailbox_id);
        if (st.step())
            ctx.events.push_back(
                MailboxEvent{mailbox_id, static_cast<std::uint64_t>(st.int64(0)), true});
    }
    std::vector<std::pair<std::string, std::int64_t>> refs;
    {
        auto st = ctx.db.prepare(
            "SELECT blob_hash, count(*) FROM messages WHERE mailbox_id=?1 GROUP BY blob_hash");
        st.bind(1, mailbox_id);
        while (st.step())
            refs.emplace_back(st.text(0), st.int64(1));
    }
    for (const auto& [hash, n] : refs)
        release_blob(ctx, hash, n);
    if (ctx.schema >= 3)
        ctx.db
            .prepare(
                "UPDATE accounts SET used_bytes = used_bytes - "
                "(SELECT total_size FROM mailboxes WHERE id=?1) "
                "WHERE id=(SELECT account_id FROM mailboxes WHERE id=?1)")
            .bind(1, mailbox_id)
            .run();
    ctx.db.prepare("DELETE FROM messages WHERE mailbox_id=?1").bind(1, mailbox_id).run();
    ctx.db.prepare("DELETE FROM changes WHERE mailbox_id=?1").bind(1, mailbox_id).run();
    ctx.db.prepare("DELETE FROM mailboxes WHERE id=?1").bind(1, mailbox_id).run();
}

// --- the store -----------------------------------------------------------------------------

class SqliteStore final : public Store {
  public:
    SqliteStore(const StoreOptions& options, int version)
        : options_(options),
          schema_(version),
          db_path_(options.data_dir + "/hermod.db"),
          files_(std::make_shared<BlobFiles>(options.data_dir, options.inline_blob_max,
                                             options.mime_depth)) {
        files_->prepare_dirs();
        writer_db_ = std::make_unique<Db>(db_path_, true, false);
        {
            auto st = writer_db_->prepare("PRAGMA journal_mode=WAL");
            if (!st.step() || st.text(0) != "wal")
                fail(ErrorKind::Io, "cannot switch " + db_path_ + " to WAL mode");
        }
        migrate(*writer_db_, version);
        // Checkpoints copy the WAL back into the database and fsync it; run inside a COMMIT
        // (SQLite's default auto-checkpoint) they stall every caller of that batch. A separate
        // connection does them in the background instead; see on_wal_commit().
        checkpoint_db_ = std::make_unique<Db>(db_path_, false, false);
        sqlite3_wal_hook(writer_db_->handle(), &SqliteStore::wal_hook, this);
        checkpointer_ = std::thread([this] { checkpoint_loop(); });
        writer_ = std::thread([this] { writer_loop(); });
        poller_ = std::thread([this] { poll_loop(); });
    }

    ~SqliteStore() override {
        {
            std::lock_guard lock(poll_mutex_);
            poll_stop_ = true;
        }
        poll_cv_.notify_all();
        poller_.join();  // before the writer: it submits jobs
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        cv_.notify_all();
        writer_.join();  // the loop drains the queue before it returns
        {
            std::lock_guard lock(checkpoint_mutex_);
            checkpoint_stop_ = true;
        }
        checkpoint_cv_.notify_all();
        checkpointer_.join();
        checkpoint_db_.reset();
        writer_db_.reset();  // the last connection to close checkpoints and removes the WAL
        std::lock_guard lock(pool_mutex_);
        pool_.clear();
    }

    // --- domains ---------------------------------------------------------------------------

    Domain add_domain(std::string_view name_in) override {
        std::string name = lower_nonempty(name_in, "domain name");
        if (name.back() == '.') name.pop_back();
        return call([name](JobCtx& ctx) {
            if (domain_id(ctx.db, name))
                fail(ErrorKind::AlreadyExists, "domain " + name + " already exists");
            ctx.db.prepare("INSERT INTO domains(name) VALUES(?1)").bind(1, name).run();
            return Domain{ctx.db.last_insert_rowid(), name};
        });
    }

    std::vector<Domain> list_domains() override {
        auto db = lease();
        std::vector<Domain> out;
        auto st = db->prepare("SELECT id, name FROM domains ORDER BY name");
        while (st.step())
            out.push_back(Domain{st.int64(0), st.text(1)});
        return out;
    }

    std::optional<Domain> find_domain(std::string_view name_in) override {
        std::string name = ascii_lower(name_in);
        auto db = lease();
        auto st = db->prepare("SELECT id, name FROM domains WHERE name=?1");
        st.bind(1, name);
        if (!st.step()) return std::nullopt;
        return Domain{st.int64(0), st.text(1)};
    }

    void delete_domain(std::string_view name_in) override {
        std::string name = lower_nonempty(name_in, "domain name");
        call([name](JobCtx& ctx) {
            auto id = domain_id(ctx.db, name);
            if (!id) fail(ErrorKind::NotFound, "domain " + name + " does not exist");
            auto st = ctx.db.prepare("SELECT count(*) FROM accounts WHERE domain_id=?1");
            st.bind(1, *id);
            std::int64_t n = st.step() ? st.int64(0) : 0;
            if (n > 0)
                fail(ErrorKind::Invalid, "domain " + name + " still has " + std::to_string(n) +
                                             (n == 1 ? " account" : " accounts") +
                                             "; delete them first");
            if (ctx.schema >= 3) {
                auto lists = ctx.db.prepare("SELECT count(*) FROM lists WHERE domain_id=?1");
                lists.bind(1, *id);
                std::int64_t l = lists.step() ? lists.int64(0) : 0;
                if (l > 0)
                    fail(ErrorKind::Invalid, "domain " + name + " still has " + std::to_string(l) +
                                                 (l == 1 ? " mailing list" : " mailing lists") +
                                                 "; delete them first");
            }
            // Aliases of the domain would be dangling: it is no longer local.
            ctx.db.prepare("DELETE FROM aliases WHERE substr(source, -length(?1) - 1) = '@' || ?1")
                .bind(1, name)
                .run();
            ctx.db.prepare("DELETE FROM domains WHERE id=?1").bind(1, *id).run();
        });
    }

    // --- accounts --------------------------------------------------------------------------

    Account add_account(std::string_view address_in, std::string_view password_hash,
                        std::int64_t quota_bytes) override {
        std::string address = lower_nonempty(address_in, "address");
        std::string domain = domain_of_address(address);
        if (quota_bytes < 0) fail(ErrorKind::Invalid, "quota must not be negative");
        std::string hash(password_hash);
        return call([=](JobCtx& ctx) {
            auto did = domain_id(ctx.db, domain);
            if (!did) fail(ErrorKind::NotFound, "domain " + domain + " is not a local domain");
            {
                auto st = ctx.db.prepare("SELECT 1 FROM accounts WHERE address=?1");
                st.bind(1, address);
                if (st.step())
                    fail(ErrorKind::AlreadyExists, "account " + address + " already exists");
            }
            if (ctx.schema >= 3) {
                auto st = ctx.db.prepare("SELECT 1 FROM lists WHERE address=?1");
                st.bind(1, address);
                if (st.step()) fail(ErrorKind::AlreadyExists, address + " is a mailing list");
            }
            Account a{0, address, hash, quota_bytes, now(), 0};
            ctx.db
                .prepare(
                    "INSERT INTO accounts(domain_id, address, password_hash, quota_bytes, created) "
                    "VALUES(?1, ?2, ?3, ?4, ?5)")
                .bind(1, *did)
                .bind(2, address)
                .bind(3, hash)
                .bind(4, quota_bytes)
                .bind(5, a.created)
                .run();
            a.id = ctx.db.last_insert_rowid();
            // RFC 6154 special-use mailboxes, so clients find Sent/Trash/... without setup.
            static const std::pair<const char*, SpecialUse> defaults[] = {
                {"INBOX", SpecialUse::None},    {"Sent", SpecialUse::Sent},
                {"Drafts", SpecialUse::Drafts}, {"Trash", SpecialUse::Trash},
                {"Junk", SpecialUse::Junk},     {"Archive", SpecialUse::Archive},
            };
            for (const auto& [name, use] : defaults)
                insert_mailbox(ctx.db, a.id, name, use, true);
            return a;
        });
    }

    std::vector<Account> list_accounts(std::string_view domain_in) override {
        std::string domain = ascii_lower(domain_in);
        auto db = lease();
        std::vector<Account> out;
        if (domain.empty()) {
            auto st = db->prepare("SELECT " + account_columns(schema_) +
                                  " FROM accounts ORDER BY address");
            while (st.step())
                out.push_back(account_from(st));
        } else {
            auto st = db->prepare("SELECT " + account_columns(schema_) +
                                  " FROM accounts WHERE domain_id=(SELECT id FROM domains WHERE "
                                  "name=?1) ORDER BY address");
            st.bind(1, domain);
            while (st.step())
                out.push_back(account_from(st));
        }
        return out;
    }

    std::optional<Account> find_account(std::string_view address_in) override {
        std::string address = ascii_lower(address_in);
        auto db = lease();
        auto st =
            db->prepare("SELECT " + account_columns(schema_) + " FROM accounts WHERE address=?1");
        st.bind(1, address);
        if (!st.step()) return std::nullopt;
        return account_from(st);
    }

    void set_password_hash(std::string_view address_in, std::string_view hash_in) override {
        std::string address = lower_nonempty(address_in, "address");
        std::string hash(hash_in);
        call([=](JobCtx& ctx) {
            ctx.db.prepare("UPDATE accounts SET password_hash=?2 WHERE address=?1")
                .bind(1, address)
                .bind(2, hash)
                .run();
            if (ctx.db.changes() == 0)
                fail(ErrorKind::NotFound, "account " + address + " does not exist");
        });
    }

    void set_quota(std::string_view address_in, std::int64_t quota_bytes) override {
        std::string address = lower_nonempty(address_in, "address");
        if (quota_bytes < 0) fail(ErrorKind::Invalid, "quota must not be negative");
        call([=](JobCtx& ctx) {
            ctx.db.prepare("UPDATE accounts SET quota_bytes=?2 WHERE address=?1")
                .bind(1, address)
                .bind(2, quota_bytes)
                .run();
            if (ctx.db.changes() == 0)
                fail(ErrorKind::NotFound, "account " + address + " does not exist");
        });
    }

    void delete_account(std::string_view address_in) override {
        std::string address = lower_nonempty(address_in, "address");
        call([=](JobCtx& ctx) {
            Id id = require_account(ctx.db, address);
            std::vector<Id> boxes;
            {
                auto st = ctx.db.prepare("SELECT id FROM mailboxes WHERE account_id=?1");
                st.bind(1, id);
                while (st.step())
                    boxes.push_back(st.int64(0));
            }
            for (Id box : boxes)
                drop_mailbox(ctx, box);
            ctx.db.prepare("DELETE FROM accounts WHERE id=?1").bind(1, id).run();
        });
    }

    // --- aliases ---------------------------------------------------------------------------

    void add_alias(std::string_view source_in, std::string_view target_in) override {
        std::string source = lower_nonempty(source_in, "alias source");
        std::string target = lower_nonempty(target_in, "alias target");
        auto at = source.rfind('@');
        if (at == std::string::npos || at + 1 == source.size())
            fail(ErrorKind::Invalid,
                 "invalid alias source " + source + " (expected local@domain or @domain)");
        std::string domain = source.substr(at + 1);
        domain_of_address(target);  // validates
        call([=](JobCtx& ctx) {
            if (!domain_id(ctx.db, domain))
                fail(ErrorKind::NotFound, "domain " + domain + " is not a local domain");
            {
                auto st = ctx.db.prepare("SELECT 1 FROM aliases WHERE source=?1 AND target=?2");
                st.bind(1, source).bind(2, target);
                if (st.step())
                    fail(ErrorKind::AlreadyExists,
                         "alias " + source + " -> " + target + " already exists");
            }
            ctx.db.prepare("INSERT INTO aliases(source, target) VALUES(?1, ?2)")
                .bind(1, source)
                .bind(2, target)
                .run();
        });
    }

    std::vector<Alias> list_aliases(std::string_view source_in) override {
        std::string source = ascii_lower(source_in);
        auto db = lease();
        std::vector<Alias> out;
        if (source.empty()) {
            auto st = db->prepare("SELECT source, target FROM aliases ORDER BY source, target");
            while (st.step())
                out.push_back(Alias{st.text(0), st.text(1)});
        } else {
            auto st =
                db->prepare("SELECT source, target FROM aliases WHERE source=?1 ORDER BY target");
            st.bind(1, source);
            while (st.step())
                out.push_back(Alias{st.text(0), st.text(1)});
        }
        return out;
    }

    void delete_alias(std::string_view source_in, std::string_view target_in) override {
        std::string source = lower_nonempty(source_in, "alias source");
        std::string target = ascii_lower(target_in);
        call([=](JobCtx& ctx) {
            if (target.empty())
                ctx.db.prepare("DELETE FROM aliases WHERE source=?1").bind(1, source).run();
            else
                ctx.db.prepare("DELETE FROM aliases WHERE source=?1 AND target=?2")
                    .bind(1, source)
                    .bind(2, target)
                    .run();
            if (ctx.db.changes() == 0)
                fail(ErrorKind::NotFound,
                     target.empty() ? "alias " + source + " does not exist"
                                    : "alias " + source + " -> " + target + " does not exist");
        });
    }

    // --- mailing lists ---------------------------------------------------------------------

    MailingList add_list(std::string_view address_in) override {
        std::string address = lower_nonempty(address_in, "list address");
        std::string domain = domain_of_address(address);
        return call([=](JobCtx& ctx) {
            auto did = domain_id(ctx.db, domain);
            if (!did) fail(ErrorKind::NotFound, "domain " + domain + " is not a local domain");
            {
                auto st = ctx.db.prepare("SELECT 1 FROM lists WHERE address=?1");
                st.bind(1, address);
                if (st.step())
                    fail(ErrorKind::AlreadyExists, "mailing list " + address + " already exists");
            }
            {
                // One address, one meaning: an account would shadow the list (accounts resolve
                // first), so refuse rather than create a list that never receives mail.
                auto st = ctx.db.prepare("SELECT 1 FROM accounts WHERE address=?1");
                st.bind(1, address);
                if (st.step()) fail(ErrorKind::AlreadyExists, address + " is an account");
            }
            MailingList list{0, address, now()};
            ctx.db.prepare("INSERT INTO lists(domain_id, address, created) VALUES(?1, ?2, ?3)")
                .bind(1, *did)
                .bind(2, address)
                .bind(3, list.created)
                .run();
            list.id = ctx.db.last_insert_rowid();
            return list;
        });
    }

    std::vector<MailingList> list_lists(std::string_view domain_in) override {
        std::string domain = ascii_lower(domain_in);
        auto db = lease();
        std::vector<MailingList> out;
        if (domain.empty()) {
            auto st = db->prepare("SELECT id, address, created FROM lists ORDER BY address");
            while (st.step())
                out.push_back(MailingList{st.int64(0), st.text(1), st.int64(2)});
        } else {
            auto st = db->prepare(
                "SELECT id, address, created FROM lists WHERE domain_id=(SELECT id FROM domains "
                "WHERE name=?1) ORDER BY address");
            st.bind(1, domain);
            while (st.step())
                out.push_back(MailingList{st.int64(0), st.text(1), st.int64(2)});
        }
        return out;
    }

    std::optional<MailingList> find_list(std::string_view address_in) override {
        std::string address = ascii_lower(address_in);
        auto db = lease();
        auto st = db->prepare("SELECT id, address, created FROM lists WHERE address=?1");
        st.bind(1, address);
        if (!st.step()) return std::nullopt;
        return MailingList{st.int64(0), st.text(1), st.int64(2)};
    }

    void delete_list(std::string_view address_in) override {
        std::string address = lower_nonempty(address_in, "list address");
        call([=](JobCtx& ctx) {
            Id id = require_list(ctx.db, address);
            ctx.db.prepare("DELETE FROM list_members WHERE list_id=?1").bind(1, id).run();
            ctx.db.prepare("DELETE FROM lists WHERE id=?1").bind(1, id).run();
        });
    }

    void subscribe(std::string_view list_in, std::string_view member_in) override {
        std::string address = lower_nonempty(list_in, "list address");
        std::string member = lower_nonempty(member_in, "member address");
        domain_of_address(member);  // validates
        call([=](JobCtx& ctx) {
            Id id = require_list(ctx.db, address);
            if (member == address)
                fail(ErrorKind::Invalid, "mailing list " + address + " cannot be its own member");
            {
                auto st =
                    ctx.db.prepare("SELECT 1 FROM list_members WHERE list_id=?1 AND member=?2");
                st.bind(1, id).bind(2, member);
                if (st.step())
                    fail(ErrorKind::AlreadyExists, member + " is already a member of " + address);
            }
            ctx.db.prepare("INSERT INTO list_members(list_id, member) VALUES(?1, ?2)")
                .bind(1, id)
                .bind(2, member)
                .run();
        });
    }

    void unsubscribe(std::string_view list_in, std::string_view member_in) override {
        std::string address = lower_nonempty(list_in, "list address");
        std::string member = lower_nonempty(member_in, "member address");
        call([=](JobCtx& ctx) {
            Id id = require_list(ctx.db, address);
            ctx.db.prepare("DELETE FROM list_members WHERE list_id=?1 AND member=?2")
                .bind(1, id)
                .bind(2, member)
                .run();
            if (ctx.db.changes() == 0)
                fail(ErrorKind::NotFound, member + " is not a member of " + address);
        });
    }

    std::vector<std::string> list_members(std::string_view list_in) override {
        std::string address = ascii_lower(list_in);
        auto db = lease();
        // One read transaction, so a list deleted in between is not reported as empty.
        db->exec("BEGIN");
        std::vector<std::string> out;
        try {
            Id id = require_list(*db, address);
            auto st =
                db->prepare("SELECT member FROM list_members WHERE list_id=?1 ORDER BY member");
            st.bind(1, id);
            while (st.step())
                out.push_back(st.text(0));
        } catch (...) {
            db->exec("ROLLBACK");
            throw;
        }
        db->exec("COMMIT");
        return out;
    }

    // --- mailboxes -------------------------------------------------------------------------

    Mailbox create_mailbox(Id account_id, std::string_view name_in, SpecialUse use) override {
        std::string name = normalize_mailbox_name(name_in);
        return call([=](JobCtx& ctx) {
            {
                auto st = ctx.db.prepare("SELECT 1 FROM accounts WHERE id=?1");
                st.bind(1, account_id);
                if (!st.step())
                    fail(ErrorKind::NotFound,
                         "account " + std::to_string(account_id) + " does not exist");
            }
            Id id = insert_mailbox(ctx.db, account_id, name, use, false);
            return require_mailbox(ctx.db, id);
        });
    }

    std::vector<Mailbox> list_mailboxes(Id account_id) override {
        auto db = lease();
        std::vector<Mailbox> out;
        auto st = db->prepare(std::string("SELECT ") + kMailboxColumns +
                              " FROM mailboxes WHERE account_id=?1 ORDER BY name<>'INBOX', name");
        st.bind(1, account_id);
        while (st.step())
            out.push_back(mailbox_from(st));
        return out;
    }

    std::optional<Mailbox> find_mailbox(Id account_id, std::string_view name_in) override {
        if (name_in.empty()) return std::nullopt;
        std::string name = normalize_mailbox_name(name_in);
        auto db = lease();
        auto st = db->prepare(std::string("SELECT ") + kMailboxColumns +
                              " FROM mailboxes WHERE account_id=?1 AND name=?2");
        st.bind(1, account_id).bind(2, name);
        if (!st.step()) return std::nullopt;
        return mailbox_from(st);
    }

    std::optional<Mailbox> get_mailbox(Id mailbox_id) override {
        auto db = lease();
        auto st =
            db->prepare(std::string("SELECT ") + kMailboxColumns + " FROM mailboxes WHERE id=?1");
        st.bind(1, mailbox_id);
        if (!st.step()) return std::nullopt;
        return mailbox_from(st);
    }

    MailboxCounts counts(Id mailbox_id) override {
        auto db = lease();
        // One statement, one snapshot. The flag terms repeat the WHERE clauses of the partial
        // indexes messages_unseen and messages_deleted (schema.cpp, step 5) word for word, so
        // only the unseen (or deleted) entries are read; min(uid) is one index probe.
        auto st = db->prepare(
            "SELECT message_count, total_size, "
            "(SELECT count(*) FROM messages WHERE mailbox_id=?1 AND (flags & 1) = 0), "
            "(SELECT count(*) FROM messages WHERE mailbox_id=?1 AND (flags & 8) <> 0), "
            "(SELECT min(uid) FROM messages WHERE mailbox_id=?1 AND (flags & 1) = 0) "
            "FROM mailboxes WHERE id=?1");
        static_assert(kSeen == 1 && kDeleted == 8, "the partial indexes of schema 5 use these");
        st.bind(1, mailbox_id);
        if (!st.step())
            fail(ErrorKind::NotFound, "mailbox " + std::to_string(mailbox_id) + " does not exist");
        MailboxCounts c;
        c.messages = static_cast<std::uint32_t>(st.int64(0));
        c.size = static_cast<std::uint64_t>(st.int64(1));
        c.unseen = static_cast<std::uint32_t>(st.int64(2));
        c.deleted = static_cast<std::uint32_t>(st.int64(3));
        c.first_unseen_uid = st.is_null(4) ? 0 : static_cast<std::uint32_t>(st.int64(4));
        return c;
    }

    void rename_mailbox(Id mailbox_id, std::string_view new_name_in) override {
        std::string new_name = normalize_mailbox_name(new_name_in);
        call([=](JobCtx& ctx) {
            Mailbox box = require_mailbox(ctx.db, mailbox_id);
            if (new_name == "INBOX") fail(ErrorKind::AlreadyExists, "mailbox INBOX already exists");
            if (new_name == box.name) return;
            if (box.name == "INBOX") {
                // RFC 9051 §6.3.6: a new mailbox takes all of INBOX's messages; INBOX stays,
                // and so do its inferiors.
                Id to = insert_mailbox(ctx.db, box.account_id, new_name, SpecialUse::None, false);
                std::vector<std::uint32_t> uids;
                {
                    auto st = ctx.db.prepare("SELECT uid FROM messages WHERE mailbox_id=?1");
                    st.bind(1, mailbox_id);
                    while (st.step())
                        uids.push_back(static_cast<std::uint32_t>(st.int64(0)));
                }
                transfer(ctx, mailbox_id, uids, to, true);
                return;
            }
            std::string prefix = box.name + "/";
            if (new_name.starts_with(prefix))
                fail(ErrorKind::Invalid,
                     "mailbox " + box.name + " cannot be renamed into its own hierarchy");
            // The mailbox and its inferiors ('/' is the hierarchy separator) get their new
            // names; none may collide with a mailbox outside that set.
            struct Renamed {
                Id id;
                std::string old_name, new_name;
                std::uint64_t modseq;
            };
            std::vector<Renamed> set;
            std::set<std::string> others;
            {
                auto st = ctx.db.prepare(
                    "SELECT id, name, highestmodseq FROM mailboxes WHERE account_id=?1");
                st.bind(1, box.account_id);
                while (st.step()) {
                    std::string name = st.text(1);
                    if (st.int64(0) == mailbox_id || name.starts_with(prefix))
                        set.push_back(Renamed{st.int64(0), name,
                                              new_name + name.substr(box.name.size()),
                                              static_cast<std::uint64_t>(st.int64(2))});
                    else
                        others.insert(std::move(name));
                }
            }
            for (const auto& r : set)
                if (others.count(r.new_name))
                    fail(ErrorKind::AlreadyExists, "mailbox " + r.new_name + " already exists");
            // Renamed one row at a time under UNIQUE(account_id, name): a new name may be the
            // old name of another row of the set ("a/b" -> "a" turns "a/b/b" into "a/b").
            // Such a row's old name is shorter than ours when the new prefix is shorter (and
            // longer when it is longer), so renaming in that order never collides midway.
            bool shorter = new_name.size() < box.name.size();
            std::sort(set.begin(), set.end(), [shorter](const Renamed& a, const Renamed& b) {
                return shorter ? a.old_name.size() < b.old_name.size()
                               : a.old_name.size() > b.old_name.size();
            });
            for (const auto& r : set) {
                ctx.db.prepare("UPDATE mailboxes SET name=?2 WHERE id=?1")
                    .bind(1, r.id)
                    .bind(2, r.new_name)
                    .run();
                ctx.events.push_back(MailboxEvent{r.id, r.modseq, true});
            }
        });
    }

    void delete_mailbox(Id mailbox_id) override {
        call([=](JobCtx& ctx) {
            Mailbox box = require_mailbox(ctx.db, mailbox_id);
            if (box.name == "INBOX") fail(ErrorKind::Invalid, "INBOX cannot be deleted");
            drop_mailbox(ctx, mailbox_id);
        });
    }

    void set_subscribed(Id mailbox_id, bool subscribed) override {
        call([=](JobCtx& ctx) {
            ctx.db.prepare("UPDATE mailboxes SET subscribed=?2 WHERE id=?1")
                .bind(1, mailbox_id)
                .bind(2, static_cast<std::int64_t>(subscribed ? 1 : 0))
                .run();
            if (ctx.db.changes() == 0)
                fail(ErrorKind::NotFound,
                     "mailbox " + std::to_string(mailbox_id) + " does not exist");
        });
    }

    // --- messages --------------------------------------------------------------------------

    void append_async(std::vector<NewMessage> messages, AppendCallback done) override {
        auto msgs = std::make_shared<std::vector<NewMessage>>(std::move(messages));
        auto result = std::make_shared<std::vector<Appended>>();
        Job job;
        job.run = [msgs, result](JobCtx& ctx) {
            result->clear();
            for (const auto& m : *msgs)
                result->push_back(append_one(ctx, m));
        };
        job.done = [msgs, result, done = std::move(done)](std::exception_ptr error) {
            if (error) result->clear();
            done(error, std::move(*result));
        };
        submit(std::move(job));
    }

    void deliver_async(std::vector<NewMessage> local, std::vector<NewQueueEntry> remote,
                       DeliveredCallback done) override {
        auto msgs = std::make_shared<std::vector<NewMessage>>(std::move(local));
        auto queue = std::make_shared<std::vector<NewQueueEntry>>(std::move(remote));
        auto result = std::make_shared<Delivered>();
        Job job;
        job.run = [msgs, queue, result](JobCtx& ctx) {
            *result = Delivered{};
            for (const auto& m : *msgs) {
                try {
                    result->local.emplace_back(append_one(ctx, m));
                    result->local_errors.emplace_back();
                } catch (const StoreError& e) {
                    // append_one checks the quota before it writes anything, so refusing this
                    // one message leaves nothing of it behind; any other error fails the job.
                    if (e.kind() != ErrorKind::QuotaExceeded) throw;
                    result->local.emplace_back(std::nullopt);
                    result->local_errors.emplace_back(e.what());
                }
            }
            for (const auto& q : *queue)
                result->queued.push_back(enqueue_one(ctx, q));
        };
        job.done = [msgs, queue, result, done = std::move(done)](std::exception_ptr error) {
            if (error) *result = Delivered{};
            done(error, std::move(*result));
        };
        submit(std::move(job));
    }

    std::vector<Message> list_messages(Id mailbox_id) override {
        auto db = lease();
        std::vector<Message> out;
        auto st = db->prepare(std::string("SELECT ") + kMessageColumns +
                              " FROM messages WHERE mailbox_id=?1 ORDER BY uid");
        st.bind(1, mailbox_id);
        while (st.step())
            out.push_back(message_from(st));
        return out;
    }

    std::optional<Message> find_message(Id mailbox_id, std::uint32_t uid) override {
        auto db = lease();
        auto st = db->prepare(std::string("SELECT ") + kMessageColumns +
                              " FROM messages WHERE mailbox_id=?1 AND uid=?2");
        st.bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(uid));
        if (!st.step()) return std::nullopt;
        return message_from(st);
    }

    std::vector<Message> find_messages(Id mailbox_id,
                                       const std::vector<std::uint32_t>& uids) override {
        auto db = lease();
        return select_messages(*db, mailbox_id, uids);
    }

    CopyResult copy_messages(Id from_mailbox, const std::vector<std::uint32_t>& uids,
                             Id to_mailbox) override {
        return call(
            [=](JobCtx& ctx) { return transfer(ctx, from_mailbox, uids, to_mailbox, false); });
    }

    CopyResult move_messages(Id from_mailbox, const std::vector<std::uint32_t>& uids,
                             Id to_mailbox) override {
        return call(
            [=](JobCtx& ctx) { return transfer(ctx, from_mailbox, uids, to_mailbox, true); });
    }

    std::uint64_t store_flags(Id mailbox_id, const std::vector<std::uint32_t>& uids,
                              std::uint32_t flags, const std::vector<std::string>& keywords,
                              FlagMode mode) override {
        return call([=](JobCtx& ctx) {
            Mailbox box = require_mailbox(ctx.db, mailbox_id);
            // One MODSEQ for the whole command (RFC 7162 §3.2), and only if something changed.
            std::uint64_t modseq = box.highestmodseq + 1;
            bool changed = false;
            std::set<std::string> kw(keywords.begin(), keywords.end());
            kw.erase("");
            for (std::uint32_t uid : uids) {
                std::uint32_t old_flags = 0;
                std::string old_kw;
                {
                    auto st = ctx.db.prepare(
                        "SELECT flags, keywords FROM messages WHERE mailbox_id=?1 AND uid=?2");
                    st.bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(uid));
                    if (!st.step()) continue;  // expunged meanwhile: nothing to change
                    old_flags = static_cast<std::uint32_t>(st.int64(0));
                    old_kw = st.text(1);
                }
                auto cur = split_keywords(old_kw);
                std::set<std::string> new_kw(cur.begin(), cur.end());
                std::uint32_t new_flags = old_flags;
                switch (mode) {
                    case FlagMode::Replace:
                        new_flags = flags;
                        new_kw = kw;
                        break;
                    case FlagMode::Add:
                        new_flags |= flags;
                        new_kw.insert(kw.begin(), kw.end());
                        break;
                    case FlagMode::Remove:
                        new_flags &= ~flags;
                        for (const auto& k : kw)
                            new_kw.erase(k);
                        break;
                }
                std::string joined = join_keywords({new_kw.begin(), new_kw.end()});
                if (new_flags == old_flags && joined == old_kw) continue;
                ctx.db
                    .prepare(
                        "UPDATE messages SET flags=?3, keywords=?4, modseq=?5 "
                        "WHERE mailbox_id=?1 AND uid=?2")
                    .bind(1, mailbox_id)
                    .bind(2, static_cast<std::int64_t>(uid))
                    .bind(3, static_cast<std::int64_t>(new_flags))
                    .bind(4, joined)
                    .bind(5, static_cast<std::int64_t>(modseq))
                    .run();
                add_change(ctx.db, mailbox_id, modseq, uid, ChangeKind::FlagsChanged);
                changed = true;
            }
            if (!changed) return box.highestmodseq;
            ctx.db.prepare("UPDATE mailboxes SET highestmodseq=?2 WHERE id=?1")
                .bind(1, mailbox_id)
                .bind(2, static_cast<std::int64_t>(modseq))
                .run();
            ctx.events.push_back(MailboxEvent{mailbox_id, modseq, false});
            return modseq;
        });
    }

    std::uint64_t expunge(Id mailbox_id, const std::vector<std::uint32_t>& uids) override {
        return call([=](JobCtx& ctx) {
            Mailbox box = require_mailbox(ctx.db, mailbox_id);
            std::uint64_t modseq = box.highestmodseq + 1;
            std::int64_t removed = 0, bytes = 0;
            for (std::uint32_t uid : uids) {
                std::string hash;
                std::int64_t size = 0;
                {
                    auto st = ctx.db.prepare(
                        "DELETE FROM messages WHERE mailbox_id=?1 AND uid=?2 "
                        "RETURNING blob_hash, size");
                    st.bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(uid));
                    if (!st.step()) continue;
                    hash = st.text(0);
                    size = st.int64(1);
                    st.run();
                }
                release_blob(ctx, hash, 1);
                add_change(ctx.db, mailbox_id, modseq, uid, ChangeKind::Expunged);
                ++removed;
                bytes += size;
            }
            if (removed == 0) return box.highestmodseq;
            if (ctx.schema >= 3)
                ctx.db.prepare("UPDATE accounts SET used_bytes=used_bytes-?2 WHERE id=?1")
                    .bind(1, box.account_id)
                    .bind(2, bytes)
                    .run();
            ctx.db
                .prepare(
                    "UPDATE mailboxes SET highestmodseq=?2, message_count=message_count-?3, "
                    "total_size=total_size-?4 WHERE id=?1")
                .bind(1, mailbox_id)
                .bind(2, static_cast<std::int64_t>(modseq))
                .bind(3, removed)
                .bind(4, bytes)
                .run();
            ctx.events.push_back(MailboxEvent{mailbox_id, modseq, false});
            return modseq;
        });
    }

    std::vector<Change> changes_since(Id mailbox_id, std::uint64_t since) override {
        auto db = lease();
        std::vector<Change> out;
        auto st = db->prepare(
            "SELECT modseq, uid, kind FROM changes WHERE mailbox_id=?1 AND modseq>?2 "
            "ORDER BY modseq, uid");
        st.bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(since));
        while (st.step())
            out.push_back(Change{static_cast<std::uint64_t>(st.int64(0)),
                                 static_cast<std::uint32_t>(st.int64(1)),
                                 static_cast<ChangeKind>(st.int64(2))});
        return out;
    }

    // --- change notifications --------------------------------------------------------------

    std::unique_ptr<MailboxWatch> watch(Id mailbox_id, ChangeCallback on_change) override {
        std::uint64_t modseq = 0;
        {
            auto db = lease();
            auto st = db->prepare("SELECT highestmodseq FROM mailboxes WHERE id=?1");
            st.bind(1, mailbox_id);
            if (!st.step())
                fail(ErrorKind::NotFound,
                     "mailbox " + std::to_string(mailbox_id) + " does not exist");
            modseq = static_cast<std::uint64_t>(st.int64(0));
        }
        // Only changes committed after the read above are reported (baseline), whether by our
        // writer or, through the poller, by another process.
        auto watch = notifier_->subscribe(mailbox_id, modseq, std::move(on_change));
        {
            std::lock_guard lock(poll_mutex_);
            poll_known_.try_emplace(mailbox_id, modseq);
        }
        poll_cv_.notify_all();
        return watch;
    }

    // --- blobs -----------------------------------------------------------------------------

    std::unique_ptr<BlobWriter> new_blob() override { return files_->new_writer(); }

    std::string read_blob(std::string_view hash) override {
        return read_blob_range(hash, 0, UINT64_MAX);
    }

    std::vector<std::optional<std::string>> read_small_blobs(const std::vector<std::string>& hashes,
                                                             std::uint64_t max_size) override {
        std::vector<std::optional<std::string>> out(hashes.size());
        if (hashes.empty()) return out;
        // The hashes go in as one JSON array (hex only, nothing to escape), as find_messages
        // passes its UIDs; json_each's key is the position in it.
        std::string list = "[";
        for (std::size_t i = 0; i < hashes.size(); ++i)
            list += (i ? ",\"" : "\"") + ascii_lower(hashes[i]) + "\"";
        list += "]";
        auto db = lease();
        auto st = db->prepare(
            "SELECT j.key, b.data FROM json_each(?1) j JOIN blobs b ON b.hash = j.value "
            "WHERE b.size <= ?2 AND b.data IS NOT NULL");
        st.bind(1, list).bind(
            2, static_cast<std::int64_t>(std::min<std::uint64_t>(max_size, INT64_MAX)));
        while (st.step()) {
            auto i = static_cast<std::size_t>(st.int64(0));
            if (i < out.size()) out[i] = st.text(1);
        }
        return out;
    }

    std::string read_blob_range(std::string_view hash_in, std::uint64_t offset,
                                std::uint64_t length) override {
        std::string hash = ascii_lower(hash_in);
        auto db = lease();
        Id rowid = 0;
        std::uint64_t size = 0;
        bool in_file = false;
        {
            // A small body comes with its row in the same statement: one read transaction
            // (and its WAL lock round trip) per read instead of two, which is most of the cost
            // of a POP3 RETR or IMAP FETCH of a typical message.
            constexpr std::int64_t kOneStatement = 256 * 1024;
            auto st = db->prepare(
                "SELECT id, size, data IS NULL, CASE WHEN size <= ?4 THEN substr(data, ?2, ?3) "
                "END FROM blobs WHERE hash=?1");
            st.bind(1, hash);
            // substr() takes 32-bit positions; the bodies it serves here are far smaller.
            constexpr std::uint64_t kMax = INT32_MAX - 1;
            st.bind(2, static_cast<std::int64_t>(std::min(offset, kMax) + 1));
            st.bind(3, static_cast<std::int64_t>(std::min(length, kMax)));
            st.bind(4, kOneStatement);
            if (!st.step()) fail(ErrorKind::NotFound, "blob " + hash + " does not exist");
            rowid = st.int64(0);
            size = static_cast<std::uint64_t>(st.int64(1));
            in_file = st.int64(2) != 0;
            if (!in_file && !st.is_null(3)) return st.text(3);
        }
        if (in_file) return files_->read_range(hash, offset, length);
        if (offset >= size) return {};
        std::uint64_t n = std::min(length, size - offset);
        // Incremental blob I/O: only the requested pages are read, never the whole body.
        sqlite3_blob* blob = nullptr;
        if (sqlite3_blob_open(db->handle(), "main", "blobs", "data", rowid, 0, &blob) !=
            SQLITE_OK) {
            sqlite3_blob_close(blob);
            // Released between the two steps: report it as gone.
            fail(ErrorKind::NotFound, "blob " + hash + " does not exist");
        }
        std::string out(static_cast<std::size_t>(n), '\0');
        int rc = sqlite3_blob_read(blob, out.data(), static_cast<int>(n), static_cast<int>(offset));
        sqlite3_blob_close(blob);
        if (rc != SQLITE_OK) fail(ErrorKind::Io, "cannot read blob " + hash);
        return out;
    }

    std::string read_staged_blob(const StagedBlob& blob, std::uint64_t offset,
                                 std::uint64_t length) override {
        if (blob.in_file) return files_->read_range(blob.hash, offset, length);
        if (offset >= blob.inline_data.size()) return {};
        return blob.inline_data.substr(static_cast<std::size_t>(offset),
                                       static_cast<std::size_t>(std::min<std::uint64_t>(
                                           length, blob.inline_data.size() - offset)));
    }

    std::string read_structure(std::string_view hash_in) override {
        std::string hash = ascii_lower(hash_in);
        bool in_file = false;
        {
            auto db = lease();
            auto st = db->prepare(schema_ >= 6 ? "SELECT s.structure, b.data IS NULL FROM blobs b "
                                                 "LEFT JOIN blob_structures s ON s.blob_id=b.id "
                                                 "WHERE b.hash=?1"
                                  : schema_ >= 4
                                      ? "SELECT structure, data IS NULL FROM blobs WHERE hash=?1"
                                      : "SELECT NULL, data IS NULL FROM blobs WHERE hash=?1");
            st.bind(1, hash);
            if (!st.step()) fail(ErrorKind::NotFound, "blob " + hash + " does not exist");
            if (!st.is_null(0)) {
                std::string stored = st.text(0);
                if (!stored.empty()) return stored;
            }
            in_file = st.int64(1) != 0;
        }
        // Stored before schema 4 (or its parse failed at delivery): parse it now, and store it
        // back through the writer without waiting for that commit.
        std::string structure = in_file
                                    ? files_->structure_of_file(hash)
                                    : parse_structure(read_blob(hash), hash, files_->mime_depth());
        if (!structure.empty() && schema_ >= 4) {
            auto data = std::make_shared<std::pair<std::string, std::string>>(hash, structure);
            Job job;
            job.run = [data](JobCtx& ctx) {
                ctx.db
                    .prepare(
                        ctx.schema >= 6
                            ? "INSERT OR IGNORE INTO blob_structures(blob_id, structure) "
                              "SELECT id, ?2 FROM blobs WHERE hash=?1"
                            : "UPDATE blobs SET structure=?2 WHERE hash=?1 AND structure IS NULL")
                    .bind(1, data->first)
                    .bind_blob(2, data->second)
                    .run();
            };
            job.done = [data](std::exception_ptr error) {
                if (!error) return;
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    spdlog::warn("store: cannot store the MIME structure of blob {}: {}",
                                 data->first, e.what());
                } catch (...) {
                }
            };
            submit(std::move(job));
        }
        return structure;
    }

    // --- outbound queue --------------------------------------------------------------------

    std::vector<QueueEntry> list_queue() override {
        auto db = lease();
        std::vector<QueueEntry> out;
        auto st = db->prepare(std::string("SELECT ") + kQueueColumns +
                              " FROM queue ORDER BY next_attempt, id");
        while (st.step())
            out.push_back(queue_entry_from(st));
        return out;
    }

    void delete_queue_entry(Id id) override {
        call([=](JobCtx& ctx) {
            std::string hash;
            {
                auto st = ctx.db.prepare("DELETE FROM queue WHERE id=?1 RETURNING blob_hash");
                st.bind(1, id);
                if (!st.step())
                    fail(ErrorKind::NotFound,
                         "queue entry " + std::to_string(id) + " does not exist");
                hash = st.text(0);
                st.run();
            }
            release_blob(ctx, hash, 1);
        });
    }

    int schema_version() override {
        auto db = lease();
        return sqlite::schema_version(*db);
    }

    void limit_growth(int extra_pages) {
        call([extra_pages](JobCtx& ctx) {
            std::int64_t limit = 2147483646;
            if (extra_pages > 0) {
                auto st = ctx.db.prepare("PRAGMA page_count");
                limit = (st.step() ? st.int64(0) : 0) + extra_pages;
            }
            ctx.db.exec("PRAGMA max_page_count=" + std::to_string(limit));
        });
    }

  private:
    // --- appends (writer thread) -------------------------------------------------------------

    static Appended append_one(JobCtx& ctx, const NewMessage& m) {
        if (!m.blob) fail(ErrorKind::Invalid, "message without a body");
        const StagedBlob& blob = *m.blob;
        Mailbox box = require_mailbox(ctx.db, m.mailbox_id);
        // The quota check comes before any write of this message: deliver_async relies on it to
        // refuse one over-quota message without a savepoint of its own.
        if (!m.ignore_quota) check_quota(ctx, box.account_id, static_cast<std::int64_t>(blob.size));
        if (box.uidnext == 0xffffffffu)
            fail(ErrorKind::Invalid, "mailbox " + box.name + " has run out of UIDs");

        // One row per distinct body: a second recipient only bumps the refcount.
        reference_blob(ctx, blob);

        Appended out;
        out.mailbox_id = m.mailbox_id;
        out.uid = box.uidnext;
        out.modseq = box.highestmodseq + 1;
        ctx.db
            .prepare(
                "INSERT INTO messages(mailbox_id, uid, modseq, flags, keywords, internal_date, "
                "size, blob_hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .bind(1, m.mailbox_id)
            .bind(2, static_cast<std::int64_t>(out.uid))
            .bind(3, static_cast<std::int64_t>(out.modseq))
            .bind(4, static_cast<std::int64_t>(m.flags))
            .bind(5, join_keywords(m.keywords))
            .bind(6, m.internal_date ? m.internal_date : now())
            .bind(7, static_cast<std::int64_t>(blob.size))
            .bind(8, blob.hash)
            .run();
        out.message_id = ctx.db.last_insert_rowid();
        add_change(ctx.db, m.mailbox_id, out.modseq, out.uid, ChangeKind::Appended);
        ctx.events.push_back(MailboxEvent{m.mailbox_id, out.modseq, false});
        ctx.db
            .prepare(
                "UPDATE mailboxes SET uidnext=?2, highestmodseq=?3, message_count=message_count+1, "
                "total_size=total_size+?4 WHERE id=?1")
            .bind(1, m.mailbox_id)
            .bind(2, static_cast<std::int64_t>(out.uid) + 1)
            .bind(3, static_cast<std::int64_t>(out.modseq))
            .bind(4, static_cast<std::int64_t>(blob.size))
            .run();
        if (ctx.schema >= 3)
            ctx.db.prepare("UPDATE accounts SET used_bytes=used_bytes+?2 WHERE id=?1")
                .bind(1, box.account_id)
                .bind(2, static_cast<std::int64_t>(blob.size))
                .run();
        return out;
    }

    static Id enqueue_one(JobCtx& ctx, const NewQueueEntry& q) {
        if (!q.blob) fail(ErrorKind::Invalid, "queue entry without a body");
        if (q.recipient.empty()) fail(ErrorKind::Invalid, "queue entry without a recipient");
        if (q.return_path_length > q.blob->size)
            fail(ErrorKind::Invalid, "queue entry's Return-Path is longer than its message");
        reference_blob(ctx, *q.blob);
        std::int64_t created = now();
        ctx.db
            .prepare(
                "INSERT INTO queue(blob_hash, size, return_path_length, mail_from, recipient, "
                "dsn_ret, dsn_envid, notify, orcpt, created, next_attempt) "
                "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
            .bind(1, q.blob->hash)
            .bind(2, static_cast<std::int64_t>(q.blob->size))
            .bind(3, static_cast<std::int64_t>(q.return_path_length))
            .bind(4, q.mail_from)
            .bind(5, q.recipient)
            .bind(6, q.dsn_ret)
            .bind(7, q.dsn_envid)
            .bind(8, static_cast<std::int64_t>(q.notify))
            .bind(9, q.orcpt)
            .bind(10, created)
            .bind(11, q.next_attempt ? q.next_attempt : created)
            .run();
        return ctx.db.last_insert_rowid();
    }

    // --- the writer ------------------------------------------------------------------------

    void submit(Job job) {
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(job));
        }
        cv_.notify_one();
    }

    /// Runs `f` on the writer thread inside the group-commit transaction and waits for the
    /// commit; rethrows the job's error.
    template <class F>
    auto call(F f) -> std::invoke_result_t<F, JobCtx&> {
        using R = std::invoke_result_t<F, JobCtx&>;
        if (std::this_thread::get_id() == writer_.get_id())
            fail(ErrorKind::Invalid,
                 "blocking store call from a write completion (would deadlock)");
        auto promise = std::make_shared<std::promise<R>>();
        auto future = promise->get_future();
        Job job;
        if constexpr (std::is_void_v<R>) {
            job.run = [f = std::move(f)](JobCtx& ctx) { f(ctx); };
            job.done = [promise](std::exception_ptr e) {
                if (e)
                    promise->set_exception(e);
                else
                    promise->set_value();
            };
        } else {
            auto value = std::make_shared<std::optional<R>>();
            job.run = [f = std::move(f), value](JobCtx& ctx) { value->emplace(f(ctx)); };
            job.done = [promise, value](std::exception_ptr e) {
                if (e)
                    promise->set_exception(e);
                else
                    promise->set_value(std::move(**value));
            };
        }
        submit(std::move(job));
        return future.get();
    }

    void writer_loop() {
        std::size_t max_batch =
            options_.group_commit ? std::max<std::size_t>(1, options_.max_batch) : 1;
        for (;;) {
            std::vector<Job> batch;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;  // stopping, and drained
                while (!queue_.empty() && batch.size() < max_batch) {
                    batch.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                }
            }
            run_batch(batch);
        }
    }

    void run_batch(std::vector<Job>& batch) {
        Db& db = *writer_db_;
        std::vector<std::exception_ptr> errors(batch.size());
        std::vector<std::string> released;
        std::vector<MailboxEvent> events;
        std::exception_ptr txn_error;
        std::optional<std::size_t> culprit;  // the job whose error aborted the whole transaction
        bool writes = std::any_of(batch.begin(), batch.end(), [](const Job& j) { return !!j.run; });
        if (writes) {
            try {
                db.prepare("BEGIN IMMEDIATE").run();
            } catch (...) {
                txn_error = std::current_exception();
            }
        }
        for (std::size_t i = 0; i < batch.size() && writes && !txn_error; ++i) {
            if (!batch[i].run) continue;
            JobCtx ctx{db, {}, schema_, {}};
            try {
                // Prepared once: statements the writer runs for every job stay cheap.
                db.prepare("SAVEPOINT job").run();
                batch[i].run(ctx);
                db.prepare("RELEASE job").run();
                released.insert(released.end(), ctx.released_files.begin(),
                                ctx.released_files.end());
                events.insert(events.end(), ctx.events.begin(), ctx.events.end());
            } catch (...) {
                errors[i] = std::current_exception();
                // Some errors (disk full, I/O) make SQLite roll back the whole transaction; then
                // nothing of the batch survives and every job must hear about it.
                if (sqlite3_get_autocommit(db.handle())) {
                    txn_error = errors[i];
                    culprit = i;
                    break;
                }
                try {
                    db.prepare("ROLLBACK TO job").run();
                    db.prepare("RELEASE job").run();
                } catch (...) {
                    txn_error = std::current_exception();
                }
            }
        }
        if (writes && !txn_error) {
            try {
                db.prepare("COMMIT").run();  // the one fsync of the batch
            } catch (...) {
                txn_error = std::current_exception();
            }
        }
        if (culprit && batch.size() > 1) {
            // The others did nothing wrong: the culprit gets its error, the rest run again in a
            // fresh transaction (each retry drops one job, so this ends).
            try {
                batch[*culprit].done(errors[*culprit]);
            } catch (...) {
            }
            std::vector<Job> rest;
            for (std::size_t i = 0; i < batch.size(); ++i)
                if (i != *culprit) rest.push_back(std::move(batch[i]));
            run_batch(rest);
            return;
        }
        if (txn_error) {
            if (!sqlite3_get_autocommit(db.handle())) {
                try {
                    db.exec("ROLLBACK");
                } catch (...) {
                }
            }
            for (auto& e : errors)
                if (!e) e = txn_error;
        } else {
            for (const auto& hash : released)
                files_->unlink_if_unused(hash);
        }
        // Watchers hear of the batch's changes only now that they are durable, and before the
        // writers' completions: once a client has its OK, every other session already knows
        // (an IMAP NOOP sent after that OK reports the change, RFC 9051 §7.5.1).
        if (!txn_error) notifier_->publish(events);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            try {
                batch[i].done(errors[i]);
            } catch (...) {
                // A completion must not kill the writer; the write itself is already settled.
            }
        }
    }

    // --- checkpoints -----------------------------------------------------------------------

    /// WAL size (pages) that wakes the background checkpointer, and the size at which the writer
    /// checkpoints itself: under a steady write load a concurrent checkpoint never catches up
    /// with the last frame, so the WAL would never restart and would grow without bound.
    static constexpr int kCheckpointPages = 1000;
    static constexpr int kWriterCheckpointPages = 4000;

    /// Called on the writer thread after each COMMIT, outside any transaction.
    static int wal_hook(void* self, sqlite3* db, const char* name, int pages) {
        auto* store = static_cast<SqliteStore*>(self);
        if (pages >= kWriterCheckpointPages) {
            sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        } else if (pages >= kCheckpointPages) {
            {
                std::lock_guard lock(store->checkpoint_mutex_);
                store->checkpoint_wanted_ = true;
            }
            store->checkpoint_cv_.notify_one();
        }
        return SQLITE_OK;
    }

    void checkpoint_loop() {
        for (;;) {
            {
                std::unique_lock lock(checkpoint_mutex_);
                checkpoint_cv_.wait(lock, [&] { return checkpoint_stop_ || checkpoint_wanted_; });
                if (checkpoint_stop_) return;
                checkpoint_wanted_ = false;
            }
            // PASSIVE: never waits for (or blocks) the writer or the readers.
            sqlite3_wal_checkpoint_v2(checkpoint_db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                      nullptr, nullptr);
        }
    }

    // --- changes by other processes ---------------------------------------------------------

    /// While any watch exists, checks about once a second whether another connection (the admin
    /// CLI, a second Store) committed (PRAGMA data_version), and if so reads the watched
    /// mailboxes' HIGHESTMODSEQ; rises and deletions are published from the writer thread, in
    /// order with its own commits (the notifier drops values a watcher has already seen).
    static constexpr auto kPollInterval = std::chrono::seconds(1);

    void poll_loop() {
        std::unique_ptr<Db> db;
        std::int64_t last_version = -1;
        for (;;) {
            {
                std::unique_lock lock(poll_mutex_);
                poll_cv_.wait(lock, [&] { return poll_stop_ || !notifier_->empty(); });
                if (poll_stop_) return;
                poll_cv_.wait_for(lock, kPollInterval, [&] { return poll_stop_; });
                if (poll_stop_) return;
            }
            try {
                poll_once(db, last_version);
            } catch (const std::exception& e) {
                spdlog::debug("store: change poll failed: {}", e.what());
                db.reset();  // start afresh next time
                last_version = -1;
            }
        }
    }

    void poll_once(std::unique_ptr<Db>& db, std::int64_t& last_version) {
        std::vector<Id> ids = notifier_->watched();
        if (ids.empty()) return;
        if (!db) {
            db = std::make_unique<Db>(db_path_, false, false);
            db->exec("PRAGMA query_only=1");
        }
        std::int64_t version = 0;
        {
            auto st = db->prepare("PRAGMA data_version");
            if (st.step()) version = st.int64(0);
        }
        if (version == last_version) return;
        last_version = version;
        std::vector<MailboxEvent> events;
        std::map<Id, std::uint64_t> now_known;
        std::set<Id> gone;
        std::map<Id, std::uint64_t> known;
        {
            std::lock_guard lock(poll_mutex_);
            known = poll_known_;
        }
        db->exec("BEGIN");  // one snapshot for all mailboxes
        try {
            for (Id id : ids) {
                auto st = db->prepare("SELECT highestmodseq FROM mailboxes WHERE id=?1");
                st.bind(1, id);
                bool exists = st.step();
                std::uint64_t modseq = exists ? static_cast<std::uint64_t>(st.int64(0)) : 0;
                auto it = known.find(id);
                if (exists) {
                    if (it != known.end() && modseq > it->second)
                        events.push_back(MailboxEvent{id, modseq, false});
                    now_known[id] = modseq;
                } else {
                    if (it != known.end())
                        events.push_back(MailboxEvent{id, it->second, true});  // deleted
                    gone.insert(id);
                }
            }
        } catch (...) {
            db->exec("ROLLBACK");
            throw;
        }
        db->exec("COMMIT");
        {
            std::lock_guard lock(poll_mutex_);
            // Unwatched mailboxes are forgotten; watches added meanwhile keep their baseline.
            for (auto& [id, modseq] : poll_known_)
                if (!gone.count(id)) now_known.try_emplace(id, modseq);
            std::vector<Id> watched = notifier_->watched();
            std::map<Id, std::uint64_t> next;
            for (Id id : watched) {
                auto it = now_known.find(id);
                if (it != now_known.end()) next.emplace(id, it->second);
            }
            poll_known_ = std::move(next);
        }
        if (events.empty()) return;
        Job job;
        job.done = [notifier = notifier_, events = std::move(events)](std::exception_ptr) {
            notifier->publish(events);
        };
        submit(std::move(job));
    }

    // --- readers ---------------------------------------------------------------------------

    struct Lease {
        SqliteStore* store;
        std::unique_ptr<Db> db;
        Lease(SqliteStore* s, std::unique_ptr<Db> d) : store(s), db(std::move(d)) {}
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() {
            std::lock_guard lock(store->pool_mutex_);
            store->pool_.push_back(std::move(db));
        }
        Db* operator->() { return db.get(); }
        Db& operator*() { return *db; }
    };

    Lease lease() {
        {
            std::lock_guard lock(pool_mutex_);
            if (!pool_.empty()) {
                auto db = std::move(pool_.back());
                pool_.pop_back();
                return Lease(this, std::move(db));
            }
        }
        auto db = std::make_unique<Db>(db_path_, false, false);
        db->exec("PRAGMA query_only=1");  // a reader must never write behind the writer's back
        // No mmap: SQLite unmaps a connection's whole window at the start of every read
        // transaction that follows a write (pagerBeginReadTransaction), so under mail traffic,
        // which writes all the time, each read paid an munmap and fresh page faults (~15 % of
        // the server's CPU under the IMAP command mix). Reads go through the page cache.
        db->exec("PRAGMA cache_size=-8192");  // 8 MiB per reader
        return Lease(this, std::move(db));
    }

    StoreOptions options_;
    int schema_;  // the version this store was opened at (kLatestVersion but in tests)
    std::string db_path_;
    std::shared_ptr<BlobFiles> files_;
    std::unique_ptr<Db> writer_db_;

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Job> queue_;
    bool stopping_ = false;
    std::thread writer_;

    std::unique_ptr<Db> checkpoint_db_;
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_cv_;
    bool checkpoint_wanted_ = false;
    bool checkpoint_stop_ = false;
    std::thread checkpointer_;

    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<Db>> pool_;

    std::shared_ptr<Notifier> notifier_ = std::make_shared<Notifier>();
    std::mutex poll_mutex_;
    std::condition_variable poll_cv_;
    bool poll_stop_ = false;
    std::map<Id, std::uint64_t> poll_known_;  // watched mailbox -> last modseq the poller saw
    std::thread poller_;
};

}  // namespace

void limit_growth_for_test(Store& store, int extra_pages) {
    dynamic_cast<SqliteStore&>(store).limit_growth(extra_pages);
}

std::unique_ptr<Store> open_sqlite_store(const StoreOptions& options, int schema_version) {
    if (schema_version < 1 || schema_version > kLatestVersion)
        throw StoreError(ErrorKind::Invalid,
                         "unknown schema version " + std::to_string(schema_version));
    return std::make_unique<SqliteStore>(options, schema_version);
}

}  // namespace hermod::store::sqlite
