// notifier.cpp - in-process fan-out of mailbox changes (notifier.hpp).
#include "store/notifier.hpp"

#include <algorithm>

namespace hermod::store {

std::unique_ptr<MailboxWatch> Notifier::subscribe(Id mailbox_id, std::uint64_t baseline,
                                                  ChangeCallback on_change) {
    auto sub = std::make_shared<Sub>();
    sub->mailbox_id = mailbox_id;
    sub->on_change = std::move(on_change);
    sub->last = baseline;
    {
        std::lock_guard lock(subs_mutex_);
        subs_.emplace(mailbox_id, sub);
    }
    std::weak_ptr<Notifier> weak = weak_from_this();
    return std::make_unique<MailboxWatch>([weak, sub] {
        if (auto self = weak.lock()) self->cancel(sub);
    });
}

void Notifier::cancel(const std::shared_ptr<Sub>& sub) {
    {
        std::lock_guard lock(subs_mutex_);
        auto [first, last] = subs_.equal_range(sub->mailbox_id);
        for (auto it = first; it != last; ++it)
            if (it->second == sub) {
                subs_.erase(it);
                break;
            }
    }
    if (dispatcher_.load() == std::this_thread::get_id()) {
        // From inside a callback: this thread holds dispatch_mutex_ already.
        sub->active = false;
        return;
    }
    std::lock_guard lock(dispatch_mutex_);  // waits for a callback in progress
    sub->active = false;
}

void Notifier::publish(const std::vector<MailboxEvent>& events) noexcept {
    if (events.empty()) return;
    std::lock_guard dispatch(dispatch_mutex_);
    dispatcher_.store(std::this_thread::get_id());
    std::vector<std::shared_ptr<Sub>> targets;
    for (const auto& event : events) {
        targets.clear();
        {
            std::lock_guard lock(subs_mutex_);
            auto [first, last] = subs_.equal_range(event.mailbox_id);
            for (auto it = first; it != last; ++it)
                targets.push_back(it->second);
        }
        for (const auto& sub : targets) {
            if (!sub->active) continue;  // cancelled by an earlier callback of this round
            if (!event.force && event.modseq <= sub->last) continue;
            sub->last = std::max(sub->last, event.modseq);
            try {
                sub->on_change(event.modseq);
            } catch (...) {
                // A subscriber's failure must not reach the writer or starve the others.
            }
        }
    }
    dispatcher_.store(std::thread::id{});
}

std::vector<Id> Notifier::watched() const {
    std::lock_guard lock(subs_mutex_);
    std::vector<Id> out;
    for (auto it = subs_.begin(); it != subs_.end(); it = subs_.upper_bound(it->first))
        out.push_back(it->first);
    return out;
}

bool Notifier::empty() const {
    std::lock_guard lock(subs_mutex_);
    return subs_.empty();
}

}  // namespace hermod::store
