// line_client.hpp - a blocking line-oriented test client over TCP, with optional TLS (client side
// of STARTTLS or implicit TLS), for tests that drive a real listener on 127.0.0.1.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

namespace hermod::testing {

class LineClient {
  public:
    explicit LineClient(std::uint16_t port, const std::string& ip = "127.0.0.1",
                        int timeout_s = 5) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{timeout_s, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        ::inet_pton(AF_INET, ip.c_str(), &sa.sin_addr);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    }
    ~LineClient() {
        if (ssl_) SSL_free(ssl_);
        if (ctx_) SSL_CTX_free(ctx_);
        ::close(fd_);
    }
    bool connected() const { return connected_; }
    bool start_tls() {
        buf_.clear();
        ctx_ = SSL_CTX_new(TLS_client_method());
        ssl_ = SSL_new(ctx_);
        SSL_set_fd(ssl_, fd_);
        SSL_set_tlsext_host_name(ssl_, "localhost");
        return SSL_connect(ssl_) == 1;
    }
    void send(const std::string& s) {
        if (s.empty()) return;
        if (ssl_)
            SSL_write(ssl_, s.data(), static_cast<int>(s.size()));
        else
            (void)!::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
    }
    /// True when data arrives (or is buffered) within `ms` milliseconds.
    bool readable(int ms) {
        if (!buf_.empty() || (ssl_ && SSL_pending(ssl_) > 0)) return true;
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, ms) > 0;
    }
    std::string tls_version() const { return ssl_ ? SSL_get_version(ssl_) : ""; }

    /// The next line without CRLF, or nullopt on EOF/error/timeout.
    std::optional<std::string> line() {
        for (;;) {
            auto lf = buf_.find('\n');
            if (lf != std::string::npos) {
                std::string l = buf_.substr(0, lf);
                buf_.erase(0, lf + 1);
                if (!l.empty() && l.back() == '\r') l.pop_back();
                return l;
            }
            if (!fill()) return std::nullopt;
        }
    }
    /// True when the server closes the connection (EOF or reset) before the timeout, with no
    /// further data.
    bool closed_by_server() {
        if (!buf_.empty()) return false;
        char c;
        int n = ssl_ ? SSL_read(ssl_, &c, 1) : static_cast<int>(::recv(fd_, &c, 1, 0));
        if (n > 0) return false;
        if (ssl_) return true;
        return n == 0 || errno == ECONNRESET;
    }

  private:
    bool fill() {
        char tmp[4096];
        int n = ssl_ ? SSL_read(ssl_, tmp, sizeof tmp)
                     : static_cast<int>(::recv(fd_, tmp, sizeof tmp, 0));
        if (n <= 0) return false;
        buf_.append(tmp, static_cast<std::size_t>(n));
        return true;
    }
    int fd_ = -1;
    bool connected_ = false;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    std::string buf_;
};

}  // namespace hermod::testing
