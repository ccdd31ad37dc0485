// blob.hpp - message bodies, named by their SHA-256 and stored once for every recipient.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hermod::store {

/// A body that is ready to be referenced by a transaction: hashed, and (for large bodies)
/// already written and fsynced to its final file. Small bodies are carried inline and written
/// inside the group-commit transaction, so one fsync covers many of them.
struct StagedBlob {
    std::string hash;  // lower-case hex SHA-256 of the content
    std::uint64_t size = 0;
    std::string inline_data;  // the content, when it is stored inside the database
    bool in_file = false;     // true: the content is in its own durable file, inline_data empty
    /// The parsed MIME structure (mime::serialize of mime::parse of the content), computed once
    /// by BlobWriter::finish() and stored with the blob so FETCH never re-parses. Empty when it
    /// could not be computed (it is then computed again on the first Store::read_structure).
    std::string structure;
};

/// Streams a body in, hashing as it goes; never holds more than the inline limit in memory.
class BlobWriter {
  public:
    virtual ~BlobWriter() = default;
    virtual void write(std::string_view bytes) = 0;
    virtual std::uint64_t size() const = 0;
    /// Completes the blob. Large bodies are fsynced and renamed into place here (on the
    /// caller's thread, so many can sync in parallel); small ones are kept inline. The MIME
    /// structure is parsed here too (StagedBlob::structure); a parse problem never throws.
    virtual std::shared_ptr<const StagedBlob> finish() = 0;
};

}  // namespace hermod::store
