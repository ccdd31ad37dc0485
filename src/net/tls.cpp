// tls.cpp - see tls.hpp. OpenSSL is configured through its C API on the SSL_CTX that the Asio
// context owns, so every option is visible here in one place.
#include "net/tls.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace hermod::net {

namespace fs = std::filesystem;

namespace {

// The reason of the most recent OpenSSL error, then the queue is cleared so it cannot leak
// into an unrelated later message.
std::string openssl_reason() {
    unsigned long e = ERR_peek_last_error();
    std::string out;
    if (e != 0) {
        const char* r = ERR_reason_error_string(e);
        out = r ? r : "unknown OpenSSL error";
    } else {
        out = "unknown error";
    }
    ERR_clear_error();
    return out;
}

// Checks readability first so the common mistakes (missing file, wrong permissions) get the
// operating system's words rather than an OpenSSL "system lib" code.
void check_readable(const fs::path& path, const char* what) {
    std::ifstream in(path);
    if (!in) {
        int err = errno;
        throw TlsError(std::string("cannot read TLS ") + what + " " + path.string() + ": " +
                       std::strerror(err));
    }
}

template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;

void add_dns(GENERAL_NAMES* names, const std::string& dns) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    ASN1_STRING_set(s, dns.data(), static_cast<int>(dns.size()));
    GENERAL_NAME_set0_value(gn, GEN_DNS, s);
    sk_GENERAL_NAME_push(names, gn);
}

void add_ip(GENERAL_NAMES* names, const char* ip) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_OCTET_STRING* s = a2i_IPADDRESS(ip);
    GENERAL_NAME_set0_value(gn, GEN_IPADD, s);
    sk_GENERAL_NAME_push(names, gn);
}

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) return false;
    bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

// Writes `data` to `path` via a temporary file created with `mode`, then renames it.
void write_file(const fs::path& path, const std::string& data, mode_t mode) {
    fs::path tmp = path;
    tmp += ".tmp";
    ::unlink(tmp.c_str());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) throw TlsError("cannot write " + tmp.string() + ": " + std::strerror(errno));
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            throw TlsError("cannot write " + tmp.string() + ": " + std::strerror(err));
        }
        off += static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0)
        throw TlsError("cannot rename " + tmp.string() + ": " + std::strerror(errno));
}

std::string bio_string(BIO* bio) {
    char* p = nullptr;
    long n = BIO_get_mem_data(bio, &p);
    return std::string(p, static_cast<std::size_t>(n));
}

}  // namespace

struct TlsContext::Impl {
    boost::asio::ssl::context ctx{boost::asio::ssl::context::tls_server};
    fs::path cert_file;
};

TlsContext::TlsContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsContext::~TlsContext() = default;

boost::asio::ssl::context& TlsContext::asio_context() {
    return impl_->ctx;
}
ssl_ctx_st* TlsContext::native_handle() {
    return impl_->ctx.native_handle();
}
const fs::path& TlsContext::cert_file() const {
    return impl_->cert_file;
}

std::shared_ptr<TlsContext> TlsContext::load(const fs::path& cert_file, const fs::path& key_file,
                                             const std::string& min_version) {
    int min_proto = 0;
    if (min_version == "1.2")
        min_proto = TLS1_2_VERSION;
    else if (min_version == "1.3")
        min_proto = TLS1_3_VERSION;
    else
        throw TlsError("TLS min_version must be \"1.2\" or \"1.3\", not \"" + min_version + "\"");

    check_readable(cert_file, "certificate");
    check_readable(key_file, "key");

    auto impl = std::make_unique<Impl>();
    impl->cert_file = cert_file;
    SSL_CTX* ctx = impl->ctx.native_handle();
    ERR_clear_error();

    SSL_CTX_set_min_proto_version(ctx, min_proto);
    SSL_CTX_set_max_proto_version(ctx, 0);  // highest the library knows
    // Client-initiated renegotiation is already off in OpenSSL 3 unless
    // SSL_OP_ALLOW_CLIENT_RENEGOTIATION is set; NO_RENEGOTIATION also refuses the rest.
    SSL_CTX_set_options(
        ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_clear_options(ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
    // TLS 1.2: forward-secret ECDHE with AEAD only (RFC 9325 §4.2). TLS 1.3 suites are all AEAD
    // and keep OpenSSL's defaults.
    if (SSL_CTX_set_cipher_list(ctx,
                                "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1)
        throw TlsError("cannot set TLS ciphers: " + openssl_reason());
    if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1)
        throw TlsError("cannot set TLS groups: " + openssl_reason());
    static const unsigned char kSidCtx[] = "hermod";
    SSL_CTX_set_session_id_context(ctx, kSidCtx, sizeof kSidCtx - 1);

    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
        throw TlsError("cannot load TLS certificate " + cert_file.string() + ": " +
                       openssl_reason());
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        // OpenSSL reports a mismatch found while loading the key as a load error; name it.
        unsigned long e = ERR_peek_last_error();
        if (ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH ||
            ERR_GET_REASON(e) == X509_R_KEY_TYPE_MISMATCH) {
            ERR_clear_error();
            throw TlsError("TLS key " + key_file.string() + " does not match certificate " +
                           cert_file.string());
        }
        throw TlsError("cannot load TLS key " + key_file.string() + ": " + openssl_reason());
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        throw TlsError("TLS key " + key_file.string() + " does not match certificate " +
                       cert_file.string());
    }
    return std::shared_ptr<TlsContext>(new TlsContext(std::move(impl)));
}

std::shared_ptr<TlsContext> TlsContext::from_config(const config::TlsConfig& cfg,
                                                    const std::string& hostname,
                                                    const fs::path& data_dir) {
    if (!cfg.cert_file.empty()) {
        fs::path key = cfg.key_file.empty() ? fs::path(cfg.cert_file) : fs::path(cfg.key_file);
        return load(cfg.cert_file, key, cfg.min_version);
    }
    fs::path dir = data_dir / "tls";
    ensure_self_signed(dir, hostname);
    return load(dir / "cert.pem", dir / "key.pem", cfg.min_version);
}

void generate_self_signed(const std::string& hostname, const fs::path& cert_file,
                          const fs::path& key_file) {
    ERR_clear_error();
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) throw TlsError("cannot generate TLS key: " + openssl_reason());

    X509Ptr cert(X509_new());
    X509* x = cert.get();
    X509_set_version(x, X509_VERSION_3);
    // A random positive 64-bit serial, as CAs do (RFC 5280 §4.1.2.2).
    unsigned char serial[8];
    if (RAND_bytes(serial, sizeof serial) != 1) throw TlsError("no randomness for TLS serial");
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);  // tolerate a client clock slightly behind
    X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600);
    X509_set_pubkey(x, key.get());

    X509_NAME* name = X509_get_subject_name(x);
    std::string cn = hostname.empty() ? "localhost" : hostname.substr(0, 64);  // ub-common-name
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(x, name);

    add_ext(x, x, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(x, x, NID_key_usage, "critical,digitalSignature");
    add_ext(x, x, NID_ext_key_usage, "serverAuth");
    add_ext(x, x, NID_subject_key_identifier, "hash");
    // Built as structures, not a config string, so a hostname cannot inject extra names.
    NamesPtr names(sk_GENERAL_NAME_new_null());
    add_dns(names.get(), cn);
    if (cn != "localhost") add_dns(names.get(), "localhost");
    add_ip(names.get(), "127.0.0.1");
    add_ip(names.get(), "::1");
    X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT);

    if (X509_sign(x, key.get(), EVP_sha256()) <= 0)
        throw TlsError("cannot sign TLS certificate: " + openssl_reason());

    std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>> kb(BIO_new(BIO_s_mem()));
    std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>> cb(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        PEM_write_bio_X509(cb.get(), x) != 1)
        throw TlsError("cannot encode TLS certificate: " + openssl_reason());

    if (!key_file.parent_path().empty()) {
        std::error_code ec;
        fs::create_directories(key_file.parent_path(), ec);
        if (ec)
            throw TlsError("cannot create " + key_file.parent_path().string() + ": " +
                           ec.message());
    }
    write_file(key_file, bio_string(kb.get()), 0600);
    write_file(cert_file, bio_string(cb.get()), 0644);
}

bool ensure_self_signed(const fs::path& dir, const std::string& hostname) {
    fs::path cert = dir / "cert.pem", key = dir / "key.pem";
    if (fs::exists(cert) && fs::exists(key)) return false;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw TlsError("cannot create " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
    generate_self_signed(hostname, cert, key);
    return true;
}

}  // namespace hermod::net
