// blob_files.hpp - where large bodies live on disk, and the streaming BlobWriter.
//
// Layout: <data>/blobs/ab/cdef... (the hex SHA-256 split after two digits), temporaries in
// <data>/blobs/tmp/. A file is written to tmp, fsynced, renamed into place and its directory
// fsynced before the StagedBlob is handed out, so a committed row never points at a lost file.
// Paths stay relative when data_dir is (the server chdirs into its data folder).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "store/blob.hpp"

namespace hermod::store {

class BlobFiles : public std::enable_shared_from_this<BlobFiles> {
  public:
    /// `mime_depth`: nesting limit when parsing bodies (config limits.mime_depth).
    BlobFiles(std::string data_dir, std::uint64_t inline_max, std::size_t mime_depth = 64);

    /// Creates <data>/blobs and <data>/blobs/tmp if missing.
    void prepare_dirs();
    std::string path_for(std::string_view hash) const;
    std::unique_ptr<BlobWriter> new_writer();

    /// Reads [offset, offset+length) of a blob file (clipped to its end) without loading the
    /// rest. Throws StoreError(NotFound) when the file is missing.
    std::string read_range(std::string_view hash, std::uint64_t offset, std::uint64_t length) const;

    /// The serialized MIME structure of a blob file, parsed over a read-only mapping (never
    /// loaded whole). Throws StoreError(NotFound) when the file is missing; "" if parsing failed.
    std::string structure_of_file(std::string_view hash) const;

    /// Removes the file of a blob whose last reference went away, unless a StagedBlob for the
    /// same hash is alive in this process (a writer may have just renamed it into place and be
    /// about to reference it). Called after the releasing transaction committed.
    void unlink_if_unused(const std::string& hash);

    std::uint64_t inline_max() const { return inline_max_; }
    std::size_t mime_depth() const { return mime_depth_; }

    // Used by the writer implementation: marks a staged file hash as in use / no longer in use.
    void pin(const std::string& hash);
    void unpin(const std::string& hash);

  private:
    std::string data_dir_;
    std::uint64_t inline_max_;
    std::size_t mime_depth_;
    std::mutex mutex_;
    std::map<std::string, int, std::less<>> pinned_;
};

/// mime::serialize(mime::parse(content)) with at most `mime_depth` nested parts; "" (and a
/// warning in the log) if that fails. Never throws.
std::string parse_structure(std::string_view content, std::string_view hash,
                            std::size_t mime_depth) noexcept;

/// Best-effort fsync of a directory (after a rename or create inside it). Throws on failure.
void fsync_dir(const std::string& dir);

}  // namespace hermod::store
