// message_cache.cpp - an LRU of parsed message structures and headers (see message_cache.hpp).
#include "imap/server/message_cache.hpp"

#include <list>
#include <mutex>
#include <unordered_map>

#include "mime/serialize.hpp"
#include "store/store.hpp"

namespace hermod::imap {

namespace {

/// Rough memory of a parsed part tree: the strings and vectors it holds, plus node overhead.
std::size_t approx_size(const mime::Part& p) {
    std::size_t n = sizeof(mime::Part) + p.type.size() + p.subtype.size();
    for (const auto& prm : p.params)
        n += sizeof(prm) + prm.name.size() + prm.value.size() + prm.decoded.size();
    for (const auto& prm : p.disposition_params)
        n += sizeof(prm) + prm.name.size() + prm.value.size() + prm.decoded.size();
    for (const auto* o :
         {&p.id, &p.description, &p.encoding, &p.md5, &p.location, &p.language, &p.disposition})
        if (*o) n += o->value().size();
    if (p.envelope) {
        const auto& e = *p.envelope;
        n += sizeof(e) + e.subject_utf8.size();
        for (const auto* o : {&e.date, &e.subject, &e.in_reply_to, &e.message_id})
            if (*o) n += o->value().size();
        for (const auto* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc})
            for (const auto& a : *list)
                n += sizeof(a) + a.name.size() + a.adl.size() + a.mailbox.size() + a.host.size();
    }
    for (const auto& c : p.children)
        n += approx_size(c);
    return n;
}

}  // namespace

struct MessageCache::Impl {
    struct Entry {
        std::string hash;
        std::shared_ptr<const CachedMessage> value;
        std::size_t bytes = 0;
    };
    std::size_t budget;
    std::size_t used = 0;
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;

    void insert(const std::string& hash, std::shared_ptr<const CachedMessage> value,
                std::size_t bytes) {
        if (bytes > budget) return;
        if (index.count(hash)) return;  // another thread loaded it meanwhile
        lru.push_front(Entry{hash, std::move(value), bytes});
        index.emplace(lru.front().hash, lru.begin());
        used += bytes;
        while (used > budget && !lru.empty()) {
            auto& last = lru.back();
            used -= last.bytes;
            index.erase(last.hash);
            lru.pop_back();
        }
    }
};

MessageCache::MessageCache(std::size_t budget_bytes) : impl_(std::make_unique<Impl>()) {
    impl_->budget = budget_bytes;
}

MessageCache::~MessageCache() = default;

std::shared_ptr<const CachedMessage> MessageCache::get(store::Store& store,
                                                       const std::string& blob_hash) {
    {
        std::lock_guard lock(impl_->mu);
        auto it = impl_->index.find(blob_hash);
        if (it != impl_->index.end()) {
            impl_->lru.splice(impl_->lru.begin(), impl_->lru, it->second);
            return it->second->value;
        }
    }
    // Loaded outside the lock: two sessions missing at once both read, one result is kept.
    auto entry = std::make_shared<CachedMessage>();
    auto parsed = mime::deserialize(store.read_structure(blob_hash));
    if (parsed) entry->structure = std::move(*parsed);
    std::uint64_t header_size = entry->structure.root.header_size;
    if (header_size <= kMaxCachedHeader) {
        entry->header = header_size ? store.read_blob_range(blob_hash, 0, header_size) : "";
        entry->header_complete = true;
    }
    std::size_t bytes = sizeof(CachedMessage) + blob_hash.size() * 2 + entry->header.size() +
                        approx_size(entry->structure.root) + 64;
    std::shared_ptr<const CachedMessage> value = std::move(entry);
    std::lock_guard lock(impl_->mu);
    impl_->insert(blob_hash, value, bytes);
    return value;
}

MessageCache& MessageCache::shared() {
    static MessageCache cache(64u << 20);
    return cache;
}

std::size_t MessageCache::size_bytes() const {
    std::lock_guard lock(impl_->mu);
    return impl_->used;
}

}  // namespace hermod::imap
