// selected.hpp - the selected mailbox as one session sees it (RFC 9051 §2.3.1): the message
// sequence numbers it has announced, mapped to UIDs, with each message's flags as last sent.
// The store is the truth; this view moves towards it only when the session may tell the client
// (sync_selected, RFC 9051 §7.5.1), so sequence numbers never shift under a client's feet.
// Pure bookkeeping over store::Message rows: no I/O here, testable without sockets.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "imap/proto/sequence_set.hpp"
#include "store/store.hpp"

namespace hermod::imap {

/// Wakes an IDLE command when a watch reports a change (called on the store's writer thread).
class Waker {
  public:
    void set(std::function<void()> fn) {
        std::lock_guard lock(mu_);
        fn_ = std::move(fn);
    }
    void fire() {
        std::lock_guard lock(mu_);
        if (fn_) fn_();
    }

  private:
    std::mutex mu_;
    std::function<void()> fn_;
};

/// One message as the session last told the client: 12 octets, so ten thousand sessions idling
/// on large mailboxes stay small. Size, date and body are read from the store when a command
/// needs them (store::Store::find_messages).
struct ViewMessage {
    std::uint32_t uid = 0;
    std::uint32_t flags = 0;  ///< store::Flag bits
    /// Index into the view's keyword sets (0 = none): messages share a few distinct sets.
    std::uint16_t keywords = 0;
    /// Expunged in the store, EXPUNGE not yet sent (RFC 9051 §7.5.1 forbids it during FETCH,
    /// STORE and SEARCH): still holds its sequence number, FETCH skips it.
    bool expunged = false;
};

class SelectedMailbox {
  public:
    SelectedMailbox(store::Mailbox mailbox, std::vector<store::Message> messages, bool read_only);

    const store::Mailbox& mailbox() const { return mailbox_; }
    store::Id id() const { return mailbox_.id; }
    bool read_only() const { return read_only_; }

    std::uint32_t exists() const { return static_cast<std::uint32_t>(messages_.size()); }
    /// Sequence number n (1-based) -> message. Precondition 1 <= n <= exists().
    ViewMessage& at(std::uint32_t seq) { return messages_[seq - 1]; }
    const std::vector<ViewMessage>& messages() const { return messages_; }
    std::vector<ViewMessage>& messages() { return messages_; }
    /// Sequence number of `uid`, 0 when not in the view.
    std::uint32_t seq_of(std::uint32_t uid) const;
    std::uint32_t largest_uid() const { return messages_.empty() ? 0 : messages_.back().uid; }
    /// The keywords of a message (sorted, as the store keeps them).
    const std::vector<std::string>& keywords(const ViewMessage& m) const {
        return keyword_sets_[m.keywords];
    }
    /// Sets a message's keywords (sorted).
    void set_keywords(ViewMessage& m, const std::vector<std::string>& keywords) {
        m.keywords = intern(keywords);
    }

    /// The sequence numbers a set names, ascending. For a UID set (`uid` true) numbers outside
    /// the view are ignored (RFC 9051 §6.4.9); for sequence numbers `ok` is false when one is
    /// past exists() (the caller answers BAD, RFC 9051 §9 seq-number). "$" uses `saved` UIDs.
    std::vector<std::uint32_t> resolve(const proto::SequenceSet& set, bool uid,
                                       const std::vector<std::uint32_t>& saved, bool& ok) const;

    /// The modseq up to which the store's changes are reflected in this view.
    std::uint64_t known_modseq = 0;
    /// Newest modseq a watch reported (written by the store's writer thread). The store
    /// reports a write before it completes, so the session's own writes are here by the time
    /// their store call returns.
    std::shared_ptr<std::atomic<std::uint64_t>> latest_modseq =
        std::make_shared<std::atomic<std::uint64_t>>(0);
    /// Keeps the store watch alive while selected (nullptr in tests).
    std::unique_ptr<store::MailboxWatch> watch;
    /// Fired by the watch (writer thread) when something changed: IDLE's wake-up.
    std::shared_ptr<Waker> waker = std::make_shared<Waker>();
    /// Messages marked expunged whose EXPUNGE is still owed.
    std::uint32_t pending_expunges = 0;

    /// What a sync must announce, in order: removed sequence numbers (each valid at the time
    /// it is sent), then the new EXISTS (0 = unchanged), then changed flags by sequence number.
    struct Update {
        std::vector<std::uint32_t> expunged_seqs;
        std::uint32_t exists = 0;
        std::vector<std::uint32_t> flag_seqs;
    };
    /// Applies store facts: `expunged` UIDs, `current` rows of changed or new UIDs (ascending
    /// UID). Expunges are applied only with `allow_expunge`, otherwise marked and kept.
    Update apply(const std::vector<std::uint32_t>& expunged,
                 const std::vector<store::Message>& current, bool allow_expunge);
    /// Removes sequence number `seq` (after sending its EXPUNGE).
    void erase(std::uint32_t seq);

  private:
    std::uint16_t intern(const std::vector<std::string>& keywords);

    /// Distinct keyword sets in use; [0] is the empty set. Bounded by the 16-bit index: past
    /// it new sets replace the last slot's users' view lazily (the next sync corrects them).
    std::vector<std::vector<std::string>> keyword_sets_{1};
    store::Mailbox mailbox_;
    std::vector<ViewMessage> messages_;
    bool read_only_ = false;
};

}  // namespace hermod::imap
