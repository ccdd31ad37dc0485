// schema.cpp - schema version 1 and the forward migrations after it.
//
// Rules (Dovecot mail-index style): never edit a released step, only append new ones; each step
// runs inside BEGIN IMMEDIATE and re-reads user_version, so two processes opening an old store at
// once (server and admin CLI) migrate it exactly once.
#include "store/sqlite/schema.hpp"

#include <string>
#include <vector>

#include "store/sqlite/db.hpp"
#include "store/store.hpp"

namespace hermod::store::sqlite {

namespace {

// Version 1: the base schema.
constexpr const char* kStep1 = R"sql(
CREATE TABLE domains (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    domain_id     INTEGER NOT NULL REFERENCES domains(id),
    address       TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    quota_bytes   INTEGER NOT NULL DEFAULT 0,
    created       INTEGER NOT NULL
);
CREATE INDEX accounts_by_domain ON accounts(domain_id);
CREATE TABLE aliases (
    source TEXT NOT NULL,   -- local@domain, or @domain for a catch-all
    target TEXT NOT NULL,
    PRIMARY KEY (source, target)
) WITHOUT ROWID;
CREATE TABLE mailboxes (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    name          TEXT NOT NULL,
    uidvalidity   INTEGER NOT NULL,
    uidnext       INTEGER NOT NULL DEFAULT 1,
    highestmodseq INTEGER NOT NULL DEFAULT 0,
    special_use   INTEGER NOT NULL DEFAULT 0,  -- 0 none, 1 Sent, 2 Drafts, 3 Trash, 4 Junk, 5 Archive
    subscribed    INTEGER NOT NULL DEFAULT 0,
    message_count INTEGER NOT NULL DEFAULT 0,
    total_size    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, name)
);
-- One row per distinct body. data is NULL when the body lives in its own file
-- (<data>/blobs/ab/cdef...); refcount counts the messages pointing at it.
CREATE TABLE blobs (
    id       INTEGER PRIMARY KEY,
    hash     TEXT NOT NULL UNIQUE,
    size     INTEGER NOT NULL,
    refcount INTEGER NOT NULL,
    data     BLOB
);
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    mailbox_id    INTEGER NOT NULL REFERENCES mailboxes(id),
    uid           INTEGER NOT NULL,
    modseq        INTEGER NOT NULL,
    flags         INTEGER NOT NULL DEFAULT 0,
    keywords      TEXT NOT NULL DEFAULT '',   -- space-separated, sorted
    internal_date INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    blob_hash     TEXT NOT NULL,
    UNIQUE (mailbox_id, uid)
);
-- Append-only log of what changed, for CONDSTORE/QRESYNC, JMAP states and IDLE.
CREATE TABLE changes (
    mailbox_id INTEGER NOT NULL,
    modseq     INTEGER NOT NULL,
    uid        INTEGER NOT NULL,
    kind       INTEGER NOT NULL   -- 0 appended, 1 flags changed, 2 expunged
);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Version 2: indexes for the CONDSTORE paths (changes_since, FETCH ... CHANGEDSINCE), which
// otherwise scan a whole mailbox's log.
constexpr const char* kStep2 = R"sql(
CREATE INDEX changes_by_modseq ON changes(mailbox_id, modseq);
CREATE INDEX messages_by_modseq ON messages(mailbox_id, modseq);
)sql";

// Version 3: final delivery. The outbound queue (one row per remote recipient, sharing the
// message's blob through its refcount, RFC 5321 §4.5.4 retry state and RFC 3461 DSN
// parameters), mailing lists (RFC 5321 §3.9.2) and a per-account usage counter for quota
// checks at RCPT time, initialised from the mailboxes' sizes.
constexpr const char* kStep3 = R"sql(
CREATE TABLE queue (
    id                 INTEGER PRIMARY KEY,
    blob_hash          TEXT NOT NULL,
    size               INTEGER NOT NULL,
    return_path_length INTEGER NOT NULL DEFAULT 0,
    mail_from          TEXT NOT NULL,
    recipient          TEXT NOT NULL,
    dsn_ret            TEXT NOT NULL DEFAULT '',
    dsn_envid          TEXT NOT NULL DEFAULT '',
    notify             INTEGER NOT NULL DEFAULT 0,
    orcpt              TEXT NOT NULL DEFAULT '',
    created            INTEGER NOT NULL,
    next_attempt       INTEGER NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX queue_by_next_attempt ON queue(next_attempt, id);
CREATE TABLE lists (
    id        INTEGER PRIMARY KEY,
    domain_id INTEGER NOT NULL REFERENCES domains(id),
    address   TEXT NOT NULL UNIQUE,
    created   INTEGER NOT NULL
);
CREATE TABLE list_members (
    list_id INTEGER NOT NULL REFERENCES lists(id),
    member  TEXT NOT NULL,
    PRIMARY KEY (list_id, member)
) WITHOUT ROWID;
ALTER TABLE accounts ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET used_bytes =
    (SELECT coalesce(sum(total_size), 0) FROM mailboxes WHERE account_id = accounts.id);
)sql";

// Version 4: the parsed MIME structure of each body (mime::serialize), written with the blob's
// row at delivery so IMAP FETCH never re-parses. NULL for bodies stored before this version;
// Store::read_structure computes those on first use and stores them back.
constexpr const char* kStep4 = R"sql(
ALTER TABLE blobs ADD COLUMN structure BLOB;
)sql";

// Version 5: partial indexes of the unseen and of the \Deleted messages, so Store::counts
// (IMAP STATUS UNSEEN/DELETED, SELECT's first unseen) reads only those entries instead of a
// whole mailbox. `flags` is in the key because SQLite re-checks the term on each entry: so the
// index covers the query and no table row is read. The WHERE terms must stay word for word
// those of SqliteStore::counts: SQLite uses a partial index only for a query repeating them.
constexpr const char* kStep5 = R"sql(
CREATE INDEX messages_unseen ON messages(mailbox_id, uid, flags) WHERE (flags & 1) = 0;
CREATE INDEX messages_deleted ON messages(mailbox_id, uid, flags) WHERE (flags & 8) <> 0;
)sql";

// Version 6: the structures move to a table of their own. As a column after `data` in blobs,
// reading one made SQLite walk the body's overflow pages to reach it (a 20 KiB body: five pages
// per FETCH ENVELOPE or SEARCH SUBJECT of one message; 35 % of the server's CPU under the IMAP
// command mix). blobs.structure stays, always NULL, so no table is rewritten.
constexpr const char* kStep6 = R"sql(
CREATE TABLE blob_structures (
    blob_id   INTEGER PRIMARY KEY,
    structure BLOB NOT NULL
);
INSERT INTO blob_structures(blob_id, structure)
    SELECT id, structure FROM blobs WHERE structure IS NOT NULL;
UPDATE blobs SET structure = NULL WHERE structure IS NOT NULL;
)sql";

const std::vector<const char*>& steps() {
    static const std::vector<const char*> all = {kStep1, kStep2, kStep3, kStep4, kStep5, kStep6};
    return all;
}

}  // namespace

int schema_version(Db& db) {
    auto st = db.prepare("PRAGMA user_version");
    return st.step() ? static_cast<int>(st.int64(0)) : 0;
}

void migrate(Db& db, int target) {
    static_assert(kLatestVersion >= 1);
    int current = schema_version(db);
    if (current > kLatestVersion)
        throw StoreError(ErrorKind::Invalid,
                         "store " + db.path() + " has schema version " + std::to_string(current) +
                             " but this Hermod only knows up to version " +
                             std::to_string(kLatestVersion) + "; upgrade Hermod");
    for (int version = current + 1; version <= target; ++version) {
        db.exec("BEGIN IMMEDIATE");
        try {
            // Another process may have applied this step while we waited for the lock.
            if (schema_version(db) < version) {
                db.exec(steps()[static_cast<std::size_t>(version - 1)]);
                db.exec("PRAGMA user_version=" + std::to_string(version));
            }
            db.exec("COMMIT");
        } catch (...) {
            db.exec("ROLLBACK");
            throw;
        }
    }
}

}  // namespace hermod::store::sqlite
