// selected.cpp - the selected mailbox's sequence-number view (RFC 9051 §2.3.1.2, §7.5.1).
#include "imap/server/selected.hpp"

#include <algorithm>

namespace hermod::imap {

SelectedMailbox::SelectedMailbox(store::Mailbox mailbox, std::vector<store::Message> messages,
                                 bool read_only)
    : mailbox_(std::move(mailbox)), read_only_(read_only) {
    messages_.reserve(messages.size());
    for (const auto& m : messages)
        messages_.push_back(ViewMessage{m.uid, m.flags, intern(m.keywords), false});
    known_modseq = mailbox_.highestmodseq;
    latest_modseq->store(known_modseq);
}

std::uint32_t SelectedMailbox::seq_of(std::uint32_t uid) const {
    auto it = std::lower_bound(messages_.begin(), messages_.end(), uid,
                               [](const ViewMessage& m, std::uint32_t u) { return m.uid < u; });
    if (it == messages_.end() || it->uid != uid) return 0;
    return static_cast<std::uint32_t>(it - messages_.begin()) + 1;
}

std::vector<std::uint32_t> SelectedMailbox::resolve(const proto::SequenceSet& set, bool uid,
                                                    const std::vector<std::uint32_t>& saved,
                                                    bool& ok) const {
    ok = true;
    std::vector<std::uint32_t> seqs;
    if (set.saved) {
        // RFC 5182 §2.1: "$" is the saved UIDs, for UID and sequence commands alike; those
        // expunged since simply drop out.
        for (auto u : saved)
            if (auto n = seq_of(u)) seqs.push_back(n);
        std::sort(seqs.begin(), seqs.end());
        return seqs;
    }
    if (uid) {
        for (const auto& r : set.resolve(largest_uid())) {
            auto lo =
                std::lower_bound(messages_.begin(), messages_.end(), r.first,
                                 [](const ViewMessage& m, std::uint32_t u) { return m.uid < u; });
            for (auto it = lo; it != messages_.end() && it->uid <= r.last; ++it)
                seqs.push_back(static_cast<std::uint32_t>(it - messages_.begin()) + 1);
        }
        return seqs;
    }
    std::uint32_t n = exists();
    if (set.max_number(n) > n) {
        ok = false;
        return {};
    }
    for (const auto& r : set.resolve(n))
        for (std::uint32_t i = r.first; i <= r.last && i <= n; ++i)
            seqs.push_back(i);
    return seqs;
}

SelectedMailbox::Update SelectedMailbox::apply(const std::vector<std::uint32_t>& expunged,
                                               const std::vector<store::Message>& current,
                                               bool allow_expunge) {
    Update u;
    // Expunges first: the client learns of removals before the new EXISTS count.
    for (auto uid : expunged) {
        auto seq = seq_of(uid);
        if (seq && !messages_[seq - 1].expunged) {
            messages_[seq - 1].expunged = true;
            ++pending_expunges;
        }
    }
    if (allow_expunge && pending_expunges) {
        pending_expunges = 0;
        // Highest first, so every number sent is still valid when the client reads it.
        for (std::uint32_t seq = exists(); seq >= 1; --seq) {
            if (!messages_[seq - 1].expunged) continue;
            u.expunged_seqs.push_back(seq);
            messages_.erase(messages_.begin() + (seq - 1));
        }
    }
    bool appended = false;
    for (const auto& m : current) {
        if (m.uid > largest_uid()) {
            messages_.push_back(ViewMessage{m.uid, m.flags, intern(m.keywords), false});
            appended = true;
            continue;
        }
        auto seq = seq_of(m.uid);
        if (!seq) continue;  // expunged and already announced
        auto& v = messages_[seq - 1];
        if (v.expunged) continue;
        std::uint16_t k = intern(m.keywords);
        bool changed = v.flags != m.flags || v.keywords != k;
        v.flags = m.flags;
        v.keywords = k;
        if (changed) u.flag_seqs.push_back(seq);
    }
    // Sent even when expunges left the count unchanged: the client decremented for each.
    if (appended) u.exists = exists();
    return u;
}

std::uint16_t SelectedMailbox::intern(const std::vector<std::string>& keywords) {
    if (keywords.empty()) return 0;
    for (std::size_t i = 1; i < keyword_sets_.size(); ++i)
        if (keyword_sets_[i] == keywords) return static_cast<std::uint16_t>(i);
    if (keyword_sets_.size() < 0xFFFF) {
        keyword_sets_.push_back(keywords);
        return static_cast<std::uint16_t>(keyword_sets_.size() - 1);
    }
    // 65535 distinct sets: reuse the last slot. Messages pointing at it show this set until
    // their next change; flags themselves are never wrong.
    keyword_sets_.back() = keywords;
    return static_cast<std::uint16_t>(keyword_sets_.size() - 1);
}

void SelectedMailbox::erase(std::uint32_t seq) {
    if (messages_[seq - 1].expunged && pending_expunges) --pending_expunges;
    messages_.erase(messages_.begin() + (seq - 1));
}

}  // namespace hermod::imap
