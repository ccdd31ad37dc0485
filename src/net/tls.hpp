// tls.hpp - the OpenSSL 3 server context shared by every TLS listener and STARTTLS upgrade.
//
// Policy (RFC 8996, RFC 9325): TLS 1.2 or 1.3 only, ECDHE + AEAD ciphers, server cipher order,
// no compression (CRIME), no renegotiation. Without a configured certificate a self-signed one
// is generated once under <data>/tls/ so STARTTLS works out of the box (RFC 7435 opportunistic
// security); its key file is created 0600.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "config/config.hpp"

namespace boost::asio::ssl {
class context;
}
struct ssl_ctx_st;

namespace hermod::net {

/// One human-readable line, e.g. "TLS key /etc/k.pem does not match certificate /etc/c.pem".
class TlsError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class TlsContext {
  public:
    /// Loads a PEM certificate chain and its private key. `min_version` is "1.2" or "1.3".
    /// Throws TlsError on an unreadable file, bad PEM, or a key that does not match.
    static std::shared_ptr<TlsContext> load(const std::filesystem::path& cert_file,
                                            const std::filesystem::path& key_file,
                                            const std::string& min_version = "1.2");
    /// The configured certificate, or, when cfg.cert_file is empty, the self-signed one in
    /// `data_dir`/tls/ (generated for `hostname` on first use).
    static std::shared_ptr<TlsContext> from_config(const config::TlsConfig& cfg,
                                                   const std::string& hostname,
                                                   const std::filesystem::path& data_dir = ".");
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    boost::asio::ssl::context& asio_context();
    ssl_ctx_st* native_handle();
    const std::filesystem::path& cert_file() const;

  private:
    struct Impl;
    explicit TlsContext(std::unique_ptr<Impl>);
    std::unique_ptr<Impl> impl_;
};

/// Writes a new self-signed certificate (EC P-256, SHA-256, ~10 years, CN = hostname,
/// subjectAltName DNS:hostname, DNS:localhost, IP:127.0.0.1, IP:::1) and its key (mode 0600).
/// Files are written under temporary names and renamed, so a crash leaves no half pair.
void generate_self_signed(const std::string& hostname, const std::filesystem::path& cert_file,
                          const std::filesystem::path& key_file);

/// Generates `dir`/cert.pem + key.pem unless both exist. Returns true when it generated them.
bool ensure_self_signed(const std::filesystem::path& dir, const std::string& hostname);

}  // namespace hermod::net
