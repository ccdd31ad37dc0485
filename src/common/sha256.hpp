// sha256.hpp - incremental SHA-256 (OpenSSL EVP), hex output. Names blobs in the store.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace hermod {

class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view bytes);
    /// Lower-case hex digest; the object must not be updated afterwards.
    std::string hex_digest();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// One-shot convenience.
std::string sha256_hex(std::string_view bytes);

}  // namespace hermod
