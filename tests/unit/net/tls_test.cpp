// tls_test.cpp - self-signed generation, loading, and clear errors for bad cert/key files.
#include "net/tls.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace hermod::net {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "hermod-tls-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() { fs::remove_all(path); }
};

TEST(TlsContext, GeneratesSelfSignedOnFirstUseAndReusesIt) {
    TempDir dir;
    config::TlsConfig cfg;
    auto ctx = TlsContext::from_config(cfg, "mail.example.test", dir.path);
    ASSERT_TRUE(ctx);
    fs::path cert = dir.path / "tls" / "cert.pem", key = dir.path / "tls" / "key.pem";
    ASSERT_TRUE(fs::exists(cert));
    ASSERT_TRUE(fs::exists(key));
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    // The certificate names the host and the loopback names.
    X509* x = SSL_CTX_get0_certificate(ctx->native_handle());
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(X509_check_host(x, "mail.example.test", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_host(x, "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(x, "::1", 0), 1);
    EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx->native_handle()), TLS1_2_VERSION);

    auto before = fs::last_write_time(cert);
    EXPECT_FALSE(ensure_self_signed(dir.path / "tls", "other"));
    EXPECT_EQ(fs::last_write_time(cert), before);
}

TEST(TlsContext, MinVersion13) {
    TempDir dir;
    generate_self_signed("h", dir.path / "c.pem", dir.path / "k.pem");
    auto ctx = TlsContext::load(dir.path / "c.pem", dir.path / "k.pem", "1.3");
    EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx->native_handle()), TLS1_3_VERSION);
    EXPECT_THROW(TlsContext::load(dir.path / "c.pem", dir.path / "k.pem", "1.0"), TlsError);
}

TEST(TlsContext, KeyMismatchIsOneClearLine) {
    TempDir dir;
    generate_self_signed("a", dir.path / "a.pem", dir.path / "a.key");
    generate_self_signed("b", dir.path / "b.pem", dir.path / "b.key");
    try {
        TlsContext::load(dir.path / "a.pem", dir.path / "b.key");
        FAIL() << "mismatch not detected";
    } catch (const TlsError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("does not match"), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos);
    }
}

TEST(TlsContext, MissingAndGarbageFiles) {
    TempDir dir;
    try {
        TlsContext::load(dir.path / "none.pem", dir.path / "none.key");
        FAIL();
    } catch (const TlsError& e) {
        EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
    }
    std::ofstream(dir.path / "junk.pem") << "not a certificate\n";
    generate_self_signed("a", dir.path / "a.pem", dir.path / "a.key");
    try {
        TlsContext::load(dir.path / "junk.pem", dir.path / "a.key");
        FAIL();
    } catch (const TlsError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot load TLS certificate"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace hermod::net
