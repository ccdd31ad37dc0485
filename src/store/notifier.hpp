// notifier.hpp - in-process fan-out of mailbox changes to Store::watch subscribers.
//
// Backend independent: a backend publishes (mailbox, modseq) events after its commits, all from
// one thread (the writer), and the notifier calls the subscribers of those mailboxes. Each
// subscriber sees strictly increasing modseqs (stale or repeated values are dropped) except for
// forced events (rename, delete). Unsubscribing waits for a callback in progress, unless it is
// done from inside a callback.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace hermod::store {

struct MailboxEvent {
    Id mailbox_id = 0;
    std::uint64_t modseq = 0;
    bool force = false;  // deliver even if modseq is not higher (rename, delete)
};

class Notifier : public std::enable_shared_from_this<Notifier> {
  public:
    /// `baseline`: the mailbox's modseq when subscribing; only higher values are reported.
    std::unique_ptr<MailboxWatch> subscribe(Id mailbox_id, std::uint64_t baseline,
                                            ChangeCallback on_change);
    /// Calls the subscribers of the events' mailboxes, in order. Never throws.
    void publish(const std::vector<MailboxEvent>& events) noexcept;
    /// The mailboxes with at least one subscriber.
    std::vector<Id> watched() const;
    bool empty() const;

  private:
    struct Sub {
        Id mailbox_id = 0;
        ChangeCallback on_change;
        std::uint64_t last = 0;  // under dispatch_mutex_
        bool active = true;      // under dispatch_mutex_
    };
    void cancel(const std::shared_ptr<Sub>& sub);

    mutable std::mutex subs_mutex_;
    std::multimap<Id, std::shared_ptr<Sub>> subs_;
    std::mutex dispatch_mutex_;  // held while callbacks run
    std::atomic<std::thread::id> dispatcher_{};
};

}  // namespace hermod::store
