// message_cache.hpp - parsed structures and top-level headers of stored messages, shared by all
// IMAP sessions of the process. FETCH ENVELOPE/BODYSTRUCTURE and SEARCH on header fields need
// only these; without the cache each message cost a store read and a deserialization per
// command (most of the server's CPU under the benchmark's command mix). Blobs are named by
// their content's hash and never change, so an entry is never stale; the cache is bounded by
// an approximate byte budget and forgets the least recently used entries first.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "mime/structure.hpp"

namespace hermod::store {
class Store;
}

namespace hermod::imap {

struct CachedMessage {
    mime::Structure structure;
    /// The top-level header block (up to kMaxCachedHeader octets; longer ones are read from
    /// the store when needed and `header_complete` is false).
    std::string header;
    bool header_complete = false;
};

class MessageCache {
  public:
    /// Headers above this are not kept (they are read from the store on demand).
    static constexpr std::size_t kMaxCachedHeader = 16 * 1024;

    explicit MessageCache(std::size_t budget_bytes);
    ~MessageCache();
    MessageCache(const MessageCache&) = delete;
    MessageCache& operator=(const MessageCache&) = delete;

    /// The entry for `blob_hash`, loading it from `store` on a miss (a structure read and,
    /// for the header, one range read). Thread-safe. Store errors propagate.
    std::shared_ptr<const CachedMessage> get(store::Store& store, const std::string& blob_hash);

    /// The process-wide cache (64 MiB).
    static MessageCache& shared();

    std::size_t size_bytes() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hermod::imap
