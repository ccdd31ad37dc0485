// blob_files.cpp - streaming, hashing blob writer and the per-file blob layout (blob_files.hpp).
//
// Security: file names come only from our own hex digests, never from message content.
#include "store/blob_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "common/log.hpp"
#include "common/sha256.hpp"
#include "mime/parser.hpp"
#include "mime/serialize.hpp"
#include "store/store.hpp"

namespace hermod::store {

namespace {

[[noreturn]] void io_fail(const std::string& what, const std::string& path) {
    throw StoreError(ErrorKind::Io, what + " " + path + ": " + std::strerror(errno));
}

void make_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0750) != 0 && errno != EEXIST) io_fail("cannot create folder", path);
}

void write_all(int fd, std::string_view bytes, const std::string& path) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            io_fail("cannot write", path);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

/// Parses `size` bytes of an open file over a read-only mapping, unmapped before returning.
std::string structure_of_fd(int fd, std::uint64_t size, std::string_view hash,
                            std::size_t mime_depth) noexcept {
    if (size == 0) return parse_structure({}, hash, mime_depth);
    void* map = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        spdlog::warn("store: cannot map blob {} to parse its MIME structure: {}", hash,
                     std::strerror(errno));
        return {};
    }
    std::string out = parse_structure(
        std::string_view(static_cast<const char*>(map), static_cast<std::size_t>(size)), hash,
        mime_depth);
    ::munmap(map, static_cast<std::size_t>(size));
    return out;
}

/// A StagedBlob whose file is pinned against deletion for as long as it lives.
struct PinnedBlob : StagedBlob {
    std::shared_ptr<BlobFiles> files;
    ~PinnedBlob() {
        if (files) files->unpin(hash);
    }
};

class StreamingBlobWriter : public BlobWriter {
  public:
    explicit StreamingBlobWriter(std::shared_ptr<BlobFiles> files, std::string tmp_dir)
        : files_(std::move(files)), tmp_dir_(std::move(tmp_dir)) {}

    ~StreamingBlobWriter() override {
        if (fd_ >= 0) ::close(fd_);
        if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
    }

    void write(std::string_view bytes) override {
        if (finished_) throw StoreError(ErrorKind::Invalid, "blob writer already finished");
        hash_.update(bytes);
        size_ += bytes.size();
        if (fd_ < 0 && size_ <= files_->inline_max()) {
            buffer_.append(bytes);
            return;
        }
        if (fd_ < 0) spill();
        write_all(fd_, bytes, tmp_path_);
    }

    std::uint64_t size() const override { return size_; }

    std::shared_ptr<const StagedBlob> finish() override {
        if (finished_) throw StoreError(ErrorKind::Invalid, "blob writer already finished");
        finished_ = true;
        std::string hash = hash_.hex_digest();
        if (fd_ < 0) {
            auto blob = std::make_shared<StagedBlob>();
            blob->hash = std::move(hash);
            blob->size = size_;
            blob->inline_data = std::move(buffer_);
            blob->structure = parse_structure(blob->inline_data, blob->hash, files_->mime_depth());
            return blob;
        }
        if (::fsync(fd_) != 0) io_fail("cannot fsync", tmp_path_);
        // Parsed over a mapping of the (now durable) content, never held in memory whole.
        std::string structure = structure_of_fd(fd_, size_, hash, files_->mime_depth());
        ::close(fd_);
        fd_ = -1;

        auto blob = std::make_shared<PinnedBlob>();
        blob->hash = hash;
        blob->size = size_;
        blob->in_file = true;
        blob->structure = std::move(structure);
        // Pin before the file appears, so a concurrent release of the same content cannot
        // unlink it between our rename and the commit that references it.
        files_->pin(hash);
        blob->files = files_;

        std::string final_path = files_->path_for(hash);
        std::string dir = final_path.substr(0, final_path.rfind('/'));
        struct stat st {};
        if (::stat(final_path.c_str(), &st) == 0 &&
            static_cast<std::uint64_t>(st.st_size) == size_) {
            // Single instance: the same body is already on disk (and durable).
            ::unlink(tmp_path_.c_str());
            tmp_path_.clear();
            return blob;
        }
        bool new_dir = ::mkdir(dir.c_str(), 0750) == 0;
        if (!new_dir && errno != EEXIST) io_fail("cannot create folder", dir);
        if (new_dir) fsync_dir(dir.substr(0, dir.rfind('/')));
        if (::rename(tmp_path_.c_str(), final_path.c_str()) != 0)
            io_fail("cannot rename blob into", final_path);
        tmp_path_.clear();
        fsync_dir(dir);
        return blob;
    }

  private:
    void spill() {
        tmp_path_ = tmp_dir_ + "/blob-XXXXXX";
        std::vector<char> name(tmp_path_.begin(), tmp_path_.end());
        name.push_back('\0');
        fd_ = ::mkstemp(name.data());
        if (fd_ < 0) {
            std::string path = tmp_path_;
            tmp_path_.clear();
            io_fail("cannot create temporary blob in", path);
        }
        tmp_path_ = name.data();
        write_all(fd_, buffer_, tmp_path_);
        // The body now streams to disk: keep memory bounded by the inline limit.
        std::string().swap(buffer_);
    }

    std::shared_ptr<BlobFiles> files_;
    std::string tmp_dir_;
    Sha256 hash_;
    std::string buffer_;
    std::uint64_t size_ = 0;
    int fd_ = -1;
    std::string tmp_path_;
    bool finished_ = false;
};

}  // namespace

std::string parse_structure(std::string_view content, std::string_view hash,
                            std::size_t mime_depth) noexcept {
    try {
        mime::Limits limits;
        limits.max_depth = mime_depth;
        return mime::serialize(mime::parse(content, limits));
    } catch (const std::exception& e) {
        try {
            spdlog::warn("store: cannot parse the MIME structure of blob {}: {}", hash, e.what());
        } catch (...) {
        }
    } catch (...) {
    }
    return {};
}

void fsync_dir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) io_fail("cannot open folder", dir);
    int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) io_fail("cannot fsync folder", dir);
}

BlobFiles::BlobFiles(std::string data_dir, std::uint64_t inline_max, std::size_t mime_depth)
    : data_dir_(std::move(data_dir)), inline_max_(inline_max), mime_depth_(mime_depth) {}

void BlobFiles::prepare_dirs() {
    make_dir(data_dir_ + "/blobs");
    std::string tmp = data_dir_ + "/blobs/tmp";
    make_dir(tmp);
    // Temporaries of a crashed process are garbage, but another live process (the admin CLI
    // beside the server) may be streaming a body right now: only remove old ones.
    if (DIR* dir = ::opendir(tmp.c_str())) {
        auto cutoff = std::time(nullptr) - 24 * 3600;
        while (dirent* entry = ::readdir(dir)) {
            if (std::strncmp(entry->d_name, "blob-", 5) != 0) continue;
            std::string path = tmp + "/" + entry->d_name;
            struct stat st {};
            if (::stat(path.c_str(), &st) == 0 && st.st_mtime < cutoff) ::unlink(path.c_str());
        }
        ::closedir(dir);
    }
}

std::string BlobFiles::path_for(std::string_view hash) const {
    if (hash.size() < 3) throw StoreError(ErrorKind::Invalid, "invalid blob hash");
    std::string path = data_dir_ + "/blobs/";
    path.append(hash.substr(0, 2));
    path.push_back('/');
    path.append(hash.substr(2));
    return path;
}

std::unique_ptr<BlobWriter> BlobFiles::new_writer() {
    return std::make_unique<StreamingBlobWriter>(shared_from_this(), data_dir_ + "/blobs/tmp");
}

std::string BlobFiles::read_range(std::string_view hash, std::uint64_t offset,
                                  std::uint64_t length) const {
    std::string path = path_for(hash);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            throw StoreError(ErrorKind::NotFound, "blob " + std::string(hash) + " is missing");
        io_fail("cannot open", path);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        io_fail("cannot stat", path);
    }
    auto size = static_cast<std::uint64_t>(st.st_size);
    std::string out;
    if (offset < size) {
        out.resize(static_cast<std::size_t>(std::min(length, size - offset)));
        std::size_t done = 0;
        while (done < out.size()) {
            ssize_t n = ::pread(fd, out.data() + done, out.size() - done,
                                static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::close(fd);
                io_fail("cannot read", path);
            }
            done += static_cast<std::size_t>(n);
        }
    }
    ::close(fd);
    return out;
}

std::string BlobFiles::structure_of_file(std::string_view hash) const {
    std::string path = path_for(hash);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            throw StoreError(ErrorKind::NotFound, "blob " + std::string(hash) + " is missing");
        io_fail("cannot open", path);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        io_fail("cannot stat", path);
    }
    std::string out =
        structure_of_fd(fd, static_cast<std::uint64_t>(st.st_size), hash, mime_depth_);
    ::close(fd);
    return out;
}

void BlobFiles::pin(const std::string& hash) {
    std::lock_guard lock(mutex_);
    ++pinned_[hash];
}

void BlobFiles::unpin(const std::string& hash) {
    std::lock_guard lock(mutex_);
    auto it = pinned_.find(hash);
    if (it != pinned_.end() && --it->second == 0) pinned_.erase(it);
}

void BlobFiles::unlink_if_unused(const std::string& hash) {
    // XXX: pins are per process; a release by the admin CLI racing a server append of the very
    // same large body could still unlink it. Rare (identical > inline-limit content) but real.
    std::lock_guard lock(mutex_);
    if (pinned_.count(hash)) return;
    std::string path = path_for(hash);
    ::unlink(path.c_str());
}

}  // namespace hermod::store
