// maildrop.cpp - the POP3 maildrop snapshot (RFC 1939 §5), its UPDATE-state commit (§6), the
// per-account lock (§8) and the LOGIN-DELAY memory (RFC 2449 §6.8).
// Security: message numbers are checked against the snapshot before any use, so a client can
// only reach the messages of the account it logged in as.
#include "pop3/server/maildrop.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

namespace hermod::pop3 {

Maildrop Maildrop::load(store::Store& store, store::Id account_id,
                        const std::vector<std::string>& mailboxes) {
    struct Loaded {
        MaildropEntry entry;
        std::int64_t internal_date = 0;
    };
    std::vector<Loaded> loaded;
    std::vector<store::Id> seen_boxes;
    for (const auto& name : mailboxes) {
        auto box = store.find_mailbox(account_id, name);
        if (!box) continue;
        // The same mailbox named twice ("INBOX", "inbox") is one source, not two copies.
        if (std::find(seen_boxes.begin(), seen_boxes.end(), box->id) != seen_boxes.end()) continue;
        seen_boxes.push_back(box->id);
        for (auto& m : store.list_messages(box->id)) {
            if (m.flags & store::kDeleted) continue;  // IMAP \Deleted, not yet expunged
            Loaded l;
            l.entry.mailbox_id = box->id;
            l.entry.uid = m.uid;
            l.entry.size = m.size;
            l.entry.blob_hash = std::move(m.blob_hash);
            l.entry.uidl = fmt::format("{:08x}{:08x}", box->uidvalidity, m.uid);
            l.entry.flags = m.flags;
            l.internal_date = m.internal_date;
            loaded.push_back(std::move(l));
        }
    }
    // Mailbox order then UID is the order they were appended in; stable keeps it for ties.
    std::stable_sort(loaded.begin(), loaded.end(), [](const Loaded& a, const Loaded& b) {
        return a.internal_date < b.internal_date;
    });
    Maildrop drop;
    drop.entries_.reserve(loaded.size());
    for (auto& l : loaded)
        drop.entries_.push_back(std::move(l.entry));
    return drop;
}

std::uint32_t Maildrop::count() const {
    return static_cast<std::uint32_t>(
        std::count_if(entries_.begin(), entries_.end(), [](const auto& e) { return !e.deleted; }));
}

std::uint64_t Maildrop::total_size() const {
    std::uint64_t total = 0;
    for (const auto& e : entries_)
        if (!e.deleted) total += e.size;
    return total;
}

const MaildropEntry* Maildrop::find(std::uint32_t number) const {
    if (number == 0 || number > entries_.size()) return nullptr;
    const auto& e = entries_[number - 1];
    return e.deleted ? nullptr : &e;
}

bool Maildrop::is_deleted(std::uint32_t number) const {
    return number != 0 && number <= entries_.size() && entries_[number - 1].deleted;
}

bool Maildrop::mark_deleted(std::uint32_t number) {
    if (!find(number)) return false;
    entries_[number - 1].deleted = true;
    return true;
}

void Maildrop::mark_retrieved(std::uint32_t number) {
    if (number != 0 && number <= entries_.size()) entries_[number - 1].retrieved = true;
}

void Maildrop::reset() {
    for (auto& e : entries_)
        e.deleted = false;
}

void Maildrop::commit(store::Store& store, bool expire_retrieved) const {
    struct Changes {
        std::vector<std::uint32_t> expunge;
        std::vector<std::uint32_t> seen;
    };
    std::map<store::Id, Changes> boxes;
    for (const auto& e : entries_) {
        if (e.deleted || (e.retrieved && expire_retrieved))
            boxes[e.mailbox_id].expunge.push_back(e.uid);
        else if (e.retrieved && !(e.flags & store::kSeen))
            boxes[e.mailbox_id].seen.push_back(e.uid);
    }
    for (auto& [box, changes] : boxes) {
        // Messages expunged by IMAP meanwhile are skipped by the store, not an error.
        if (!changes.seen.empty())
            store.store_flags(box, changes.seen, store::kSeen, {}, store::FlagMode::Add);
        if (!changes.expunge.empty()) store.expunge(box, changes.expunge);
    }
}

// --- MaildropLocks -------------------------------------------------------------------------

MaildropLocks& MaildropLocks::instance() {
    static MaildropLocks locks;
    return locks;
}

MaildropLocks::Lock::Lock(Lock&& other) noexcept
    : locks_(std::exchange(other.locks_, nullptr)), account_(other.account_) {}

MaildropLocks::Lock& MaildropLocks::Lock::operator=(Lock&& other) noexcept {
    if (this != &other) {
        if (locks_) locks_->unlock(account_);
        locks_ = std::exchange(other.locks_, nullptr);
        account_ = other.account_;
    }
    return *this;
}

MaildropLocks::Lock::~Lock() {
    if (locks_) locks_->unlock(account_);
}

MaildropLocks::Lock MaildropLocks::try_lock(store::Id account_id) {
    std::lock_guard guard(mutex_);
    if (!locked_.insert(account_id).second) return {};
    return Lock(this, account_id);
}

void MaildropLocks::unlock(store::Id account_id) {
    std::lock_guard guard(mutex_);
    locked_.erase(account_id);
}

// --- LoginDelays ---------------------------------------------------------------------------

LoginDelays& LoginDelays::instance() {
    static LoginDelays delays;
    return delays;
}

bool LoginDelays::allow(store::Id account_id, std::uint32_t seconds) {
    if (seconds == 0) return true;
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
                   .count();
    std::lock_guard guard(mutex_);
    auto it = std::lower_bound(last_.begin(), last_.end(), account_id,
                               [](const auto& p, store::Id id) { return p.first < id; });
    if (it != last_.end() && it->first == account_id) {
        if (now - it->second < static_cast<std::int64_t>(seconds)) return false;
        it->second = now;
        return true;
    }
    last_.insert(it, {account_id, now});
    return true;
}

}  // namespace hermod::pop3
