// pop3_load.cpp - POP3 session load generator (bench_pop3). Loopback only, bounded in time and
// sessions. Each client thread loops complete sessions on its own maildrop:
//
//   connect, greeting, USER/PASS (or AUTH PLAIN), STAT, LIST, UIDL, RETR 1..n with up to
//   --pipeline RETRs outstanding, QUIT
//
// Client i always uses user (i % users) + 1, so two concurrent sessions never share a maildrop
// (POP3 locks it: [IN-USE]). Every RETR is checked against LIST: the unstuffed octets must equal
// the listed size. Prints one line with sessions/s, MB/s of message octets, messages/s, errors,
// session latency p50/p99 and the generator's own CPU time (getrusage), so it can be shown next
// to the server's.
//
//   bench_pop3 --port 110 --user-fmt u%d@bench.test --users 50 --password benchpass
//              --clients 10 --secs 10
//
// Plain POSIX sockets and threads: one blocking socket per client thread, one read buffer per
// thread, multi-line responses framed in place by one SSE2 scan for "\n." (no per-line copies,
// no unstuffing).

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string host = "127.0.0.1";
    int port = 110;
    std::string user_fmt = "u%d@bench.test";
    int users = 50;
    std::string password = "benchpass";
    int clients = 10;
    double secs = 10;
    long max_sessions = 1000000;  // per client
    int pipeline = 16;
    long retr_max = -1;  // RETR only the first K messages (-1: all)
    bool auth_plain = false;
    int io_timeout = 30;
    bool quiet_errors = false;
};

[[noreturn]] void usage(const char* msg) {
    if (msg) std::fprintf(stderr, "bench_pop3: %s\n", msg);
    std::fprintf(
        stderr,
        "usage: bench_pop3 [--host 127.0.0.1] [--port 110] [--user-fmt u%%d@bench.test]\n"
        "                  [--users 50] [--password benchpass] [--clients 10] [--secs 10]\n"
        "                  [--max-sessions M (per client)] [--pipeline 16]\n"
        "                  [--retr-max K (first K messages only; default all)]\n"
        "                  [--auth user|plain] [--io-timeout 30]\n");
    std::exit(2);
}

struct Stats {
    long sessions = 0;
    long messages = 0;
    uint64_t octets = 0;  // message octets (unstuffed, as LIST counts them)
    long errors = 0;      // failed sessions
    long size_mismatch = 0;
    std::vector<double> latency_ms;
    std::string first_error;
};

class SessionError : public std::exception {
  public:
    explicit SessionError(std::string m) : msg_(std::move(m)) {}
    const char* what() const noexcept override { return msg_.c_str(); }

  private:
    std::string msg_;
};

std::string base64(std::string_view in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
        out += t[v >> 18];
        out += t[(v >> 12) & 63];
        out += t[(v >> 6) & 63];
        out += t[v & 63];
    }
    if (i + 1 == in.size()) {
        uint32_t v = uint8_t(in[i]) << 16;
        out += t[v >> 18];
        out += t[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
        out += t[v >> 18];
        out += t[(v >> 12) & 63];
        out += t[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

/// The first "\n." in [p, p + len) (like memmem(p, len, "\n.", 2), which glibc runs byte by
/// byte for a 2-octet needle and which cost 40 % of this program's CPU): 16 positions per step,
/// comparing the block with '\n' and the block one octet further with '.'.
const char* find_nl_dot(const char* p, size_t len) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i dot = _mm_set1_epi8('.');
    for (; i + 17 <= len; i += 16) {
        __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
        int m = _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, nl), _mm_cmpeq_epi8(b, dot)));
        if (m) return p + i + unsigned(__builtin_ctz(unsigned(m)));
    }
#endif
    while (i + 1 < len) {
        const void* q = std::memchr(p + i, '\n', len - i - 1);
        if (!q) return nullptr;
        size_t k = size_t(static_cast<const char*>(q) - p);
        if (p[k + 1] == '.') return p + k;
        i = k + 1;
    }
    return nullptr;
}

/// One POP3 connection: blocking socket, one growing read buffer, a write buffer for pipelining.
class Conn {
  public:
    Conn(const sockaddr_storage& addr, socklen_t len, int timeout_s) {
        fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw SessionError(std::string("socket: ") + std::strerror(errno));
        timeval tv{timeout_s, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), len) != 0)
            throw SessionError(std::string("connect: ") + std::strerror(errno));
    }
    ~Conn() {
        if (fd_ >= 0) ::close(fd_);
    }
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;

    void queue(std::string_view s) { out_.append(s); }
    void flush() {
        size_t off = 0;
        while (off < out_.size()) {
            ssize_t n = ::send(fd_, out_.data() + off, out_.size() - off, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw SessionError(std::string("send: ") + std::strerror(errno));
            }
            off += size_t(n);
        }
        out_.clear();
    }

    /// Reads one single-line response; returns it without CRLF. Throws on -ERR.
    std::string_view line(const char* what) {
        size_t scanned = 0;
        for (;;) {
            const char* b = buf_.data() + start_;
            size_t avail = end_ - start_;
            if (const void* nl = std::memchr(b + scanned, '\n', avail - scanned)) {
                size_t len = size_t(static_cast<const char*>(nl) - b) + 1;
                start_ += len;
                std::string_view l(b, len);
                while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
                    l.remove_suffix(1);
                if (l.substr(0, 3) != "+OK")
                    throw SessionError(std::string(what) + ": " + std::string(l.substr(0, 200)));
                return l;
            }
            scanned = avail;
            fill();
        }
    }

    /// Reads one multi-line response (+OK line, data, "." line). Returns the data between the
    /// status line and the terminating line, still dot-stuffed, and the number of stuffed lines
    /// (lines that start with '.'), so that unstuffed size = data.size() - stuffed.
    /// One scan for "\n." (find_nl_dot) finds both: every line that starts with '.' is either the
    /// terminator ".\r\n" or a stuffed line (".."). The view is valid until the next read.
    std::string_view multi(const char* what, size_t* stuffed) {
        line(what);     // status line; start_ is now at the first data line (a line start)
        size_t n = 0;   // stuffed lines so far
        size_t at = 0;  // offset from start_: where the scan goes on
        bool at_line_start = true;  // `at` is the start of a line not yet classified
        for (;;) {
            const char* b = buf_.data() + start_;
            size_t avail = end_ - start_;
            for (;;) {
                if (at_line_start) {
                    if (at >= avail) break;  // need more data
                    if (b[at] != '.') {
                        at_line_start = false;
                        continue;
                    }
                    if (at + 3 > avail) break;  // ".\r\n" or "..": need more data
                    if (b[at + 1] == '\r' && b[at + 2] == '\n') {
                        *stuffed = n;
                        std::string_view data(b, at);
                        start_ += at + 3;
                        return data;
                    }
                    ++n;
                    ++at;
                    at_line_start = false;
                    continue;
                }
                if (avail - at < 2) break;
                const char* q = find_nl_dot(b + at, avail - at);
                if (!q) {
                    at = avail - 1;  // the last octet may be the '\n' of a "\n." to come
                    break;
                }
                at = size_t(q - b) + 1;
                at_line_start = true;
            }
            fill();
        }
    }

  private:
    void fill() {
        if (start_ == end_) {
            start_ = end_ = 0;
        } else if (start_ > 0 && (buf_.size() - end_ < kChunk)) {
            std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
            end_ -= start_;
            start_ = 0;
        }
        if (buf_.size() - end_ < kChunk) buf_.resize(std::max(buf_.size() * 2, end_ + kChunk));
        for (;;) {
            ssize_t n = ::recv(fd_, buf_.data() + end_, buf_.size() - end_, 0);
            if (n > 0) {
                end_ += size_t(n);
                return;
            }
            if (n == 0) throw SessionError("connection closed by server");
            if (errno == EINTR) continue;
            throw SessionError(std::string("recv: ") + std::strerror(errno));
        }
    }

    static constexpr size_t kChunk = 64 * 1024;
    int fd_ = -1;
    std::vector<char> buf_ = std::vector<char>(256 * 1024);
    size_t start_ = 0, end_ = 0;
    std::string out_;
};

long to_long(std::string_view s) {
    long v = 0;
    bool any = false;
    for (char c : s) {
        if (c < '0' || c > '9') break;
        v = v * 10 + (c - '0');
        any = true;
    }
    if (!any) throw SessionError("number expected: " + std::string(s.substr(0, 60)));
    return v;
}

/// Parses LIST data ("n size\r\n" lines) into sizes[n-1].
std::vector<long> parse_list(std::string_view d, long count) {
    std::vector<long> sizes(size_t(std::max(0L, count)), -1);
    while (!d.empty()) {
        size_t nl = d.find('\n');
        std::string_view l = d.substr(0, nl);
        d = nl == std::string_view::npos ? std::string_view() : d.substr(nl + 1);
        size_t sp = l.find(' ');
        if (sp == std::string_view::npos) throw SessionError("bad LIST line");
        long n = to_long(l), sz = to_long(l.substr(sp + 1));
        if (n < 1 || n > count) throw SessionError("LIST number out of range");
        sizes[size_t(n - 1)] = sz;
    }
    for (long s : sizes)
        if (s < 0) throw SessionError("LIST misses a message");
    return sizes;
}

long count_lines(std::string_view d) {
    long n = 0;
    const char* p = d.data();
    const char* e = p + d.size();
    while (p < e) {
        const void* q = std::memchr(p, '\n', size_t(e - p));
        if (!q) break;
        ++n;
        p = static_cast<const char*>(q) + 1;
    }
    return n;
}

void session(const Options& o, const sockaddr_storage& addr, socklen_t alen,
             const std::string& user, Stats& st) {
    Conn c(addr, alen, o.io_timeout);
    c.line("greeting");
    if (o.auth_plain) {
        std::string cred;
        cred += '\0';
        cred += user;
        cred += '\0';
        cred += o.password;
        c.queue("AUTH PLAIN " + base64(cred) + "\r\n");
        c.flush();
        c.line("AUTH PLAIN");
    } else {
        c.queue("USER " + user + "\r\n");
        c.flush();
        c.line("USER");
        c.queue("PASS " + o.password + "\r\n");
        c.flush();
        c.line("PASS");
    }
    c.queue("STAT\r\n");
    c.flush();
    std::string_view stat = c.line("STAT");
    long count = to_long(stat.substr(std::min<size_t>(4, stat.size())));

    size_t stuffed = 0;
    c.queue("LIST\r\n");
    c.flush();
    std::vector<long> sizes = parse_list(c.multi("LIST", &stuffed), count);

    c.queue("UIDL\r\n");
    c.flush();
    if (count_lines(c.multi("UIDL", &stuffed)) != count) throw SessionError("UIDL count != STAT");

    long n = o.retr_max >= 0 ? std::min(count, o.retr_max) : count;
    long sent = 0, done = 0;
    char cmd[32];
    while (done < n) {
        // Top the window up in batches: once half of it has been answered (or all, with a
        // window of 1), queue RETRs until it is full again and send them in one write.
        if (sent - done <= o.pipeline / 2)
            while (sent < n && sent - done < o.pipeline) {
                int len = std::snprintf(cmd, sizeof cmd, "RETR %ld\r\n", sent + 1);
                c.queue(std::string_view(cmd, size_t(len)));
                ++sent;
            }
        c.flush();  // no-op when nothing was queued
        std::string_view body = c.multi("RETR", &stuffed);
        long got = long(body.size() - stuffed);
        if (got != sizes[size_t(done)]) {
            if (st.size_mismatch++ == 0 && st.first_error.empty())
                st.first_error = "RETR " + std::to_string(done + 1) + ": " + std::to_string(got) +
                                 " octets, LIST said " + std::to_string(sizes[size_t(done)]);
        }
        st.octets += uint64_t(got);
        ++st.messages;
        ++done;
    }
    c.queue("QUIT\r\n");
    c.flush();
    c.line("QUIT");
}

bool loopback(const sockaddr_storage& a) {
    if (a.ss_family == AF_INET) {
        auto* s = reinterpret_cast<const sockaddr_in*>(&a);
        return (ntohl(s->sin_addr.s_addr) >> 24) == 127;
    }
    if (a.ss_family == AF_INET6) {
        auto* s = reinterpret_cast<const sockaddr_in6*>(&a);
        return IN6_IS_ADDR_LOOPBACK(&s->sin6_addr);
    }
    return false;
}

double pct(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    size_t i = std::min(v.size() - 1, size_t(double(v.size()) * p));
    std::nth_element(v.begin(), v.begin() + long(i), v.end());
    return v[i];
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) usage(("missing value for " + a).c_str());
            return argv[++i];
        };
        if (a == "--host")
            o.host = val();
        else if (a == "--port")
            o.port = std::atoi(val().c_str());
        else if (a == "--user-fmt")
            o.user_fmt = val();
        else if (a == "--users")
            o.users = std::atoi(val().c_str());
        else if (a == "--password")
            o.password = val();
        else if (a == "--clients")
            o.clients = std::atoi(val().c_str());
        else if (a == "--secs")
            o.secs = std::atof(val().c_str());
        else if (a == "--max-sessions")
            o.max_sessions = std::atol(val().c_str());
        else if (a == "--pipeline")
            o.pipeline = std::atoi(val().c_str());
        else if (a == "--retr-max")
            o.retr_max = std::atol(val().c_str());
        else if (a == "--io-timeout")
            o.io_timeout = std::atoi(val().c_str());
        else if (a == "--auth") {
            std::string m = val();
            if (m == "plain")
                o.auth_plain = true;
            else if (m != "user")
                usage("--auth is user or plain");
        } else if (a == "-h" || a == "--help")
            usage(nullptr);
        else
            usage(("unknown option " + a).c_str());
    }
    if (o.port <= 0 || o.port > 65535) usage("bad --port");
    if (o.users < 1 || o.clients < 1 || o.pipeline < 1 || o.max_sessions < 1 || o.io_timeout < 1)
        usage("--users, --clients, --pipeline, --max-sessions, --io-timeout must be >= 1");
    // Bounded: at most 10 minutes and 1000 clients.
    if (o.secs <= 0 || o.secs > 600 || o.clients > 1000)
        usage("bounded: 0 < secs <= 600, clients <= 1000");
    if (o.user_fmt.find("%d") == std::string::npos) usage("--user-fmt needs %d");
    if (o.clients > o.users)
        std::fprintf(stderr,
                     "bench_pop3: warning: %d clients share %d maildrops: expect [IN-USE]\n",
                     o.clients, o.users);

    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &res);
        rc != 0) {
        std::fprintf(stderr, "bench_pop3: %s: %s\n", o.host.c_str(), gai_strerror(rc));
        return 2;
    }
    sockaddr_storage addr{};
    std::memcpy(&addr, res->ai_addr, res->ai_addrlen);
    socklen_t alen = res->ai_addrlen;
    for (addrinfo* r = res; r; r = r->ai_next) {  // every address must be loopback
        sockaddr_storage s{};
        std::memcpy(&s, r->ai_addr, r->ai_addrlen);
        if (!loopback(s)) {
            std::fprintf(stderr, "bench_pop3: refusing non-loopback target %s\n", o.host.c_str());
            return 2;
        }
    }
    ::freeaddrinfo(res);

    std::vector<Stats> stats(size_t(o.clients));
    std::atomic<long> live_errors{0};
    auto start_at = Clock::now() + std::chrono::milliseconds(100 + 2 * o.clients);
    auto deadline = start_at + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(o.secs));
    std::vector<Clock::time_point> ended(size_t(o.clients));
    std::vector<std::thread> threads;
    threads.reserve(size_t(o.clients));
    for (int i = 0; i < o.clients; ++i) {
        threads.emplace_back([&, i] {
            Stats& st = stats[size_t(i)];
            char user[256];
            std::snprintf(user, sizeof user, o.user_fmt.c_str(), (i % o.users) + 1);
            std::this_thread::sleep_until(start_at);
            for (long s = 0; s < o.max_sessions && Clock::now() < deadline; ++s) {
                auto t0 = Clock::now();
                try {
                    session(o, addr, alen, user, st);
                    ++st.sessions;
                    st.latency_ms.push_back(
                        std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                } catch (const std::exception& e) {
                    ++st.errors;
                    if (live_errors.fetch_add(1) < 3)
                        std::fprintf(stderr, "bench_pop3: client %d (%s): %s\n", i, user, e.what());
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
            }
            ended[size_t(i)] = Clock::now();
        });
    }
    for (auto& t : threads)
        t.join();
    auto end = *std::max_element(ended.begin(), ended.end());
    double el = std::chrono::duration<double>(end - start_at).count();

    Stats total;
    for (auto& s : stats) {
        total.sessions += s.sessions;
        total.messages += s.messages;
        total.octets += s.octets;
        total.errors += s.errors;
        total.size_mismatch += s.size_mismatch;
        total.latency_ms.insert(total.latency_ms.end(), s.latency_ms.begin(), s.latency_ms.end());
        if (total.first_error.empty()) total.first_error = s.first_error;
    }
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    double cpu = double(ru.ru_utime.tv_sec) + double(ru.ru_utime.tv_usec) / 1e6 +
                 double(ru.ru_stime.tv_sec) + double(ru.ru_stime.tv_usec) / 1e6;
    double p50 = pct(total.latency_ms, 0.50), p99 = pct(total.latency_ms, 0.99);
    if (!total.first_error.empty())
        std::fprintf(stderr, "bench_pop3: first size mismatch: %s\n", total.first_error.c_str());
    std::printf(
        "pop3_load clients=%d pipeline=%d secs=%.2f sessions=%ld sess_s=%.1f MB_s=%.2f "
        "msgs_s=%.0f messages=%ld octets=%llu errors=%ld size_mismatch=%ld p50_ms=%.1f "
        "p99_ms=%.1f client_cpu_s=%.2f client_cores=%.2f\n",
        o.clients, o.pipeline, el, total.sessions, double(total.sessions) / el,
        double(total.octets) / el / 1e6, double(total.messages) / el, total.messages,
        static_cast<unsigned long long>(total.octets), total.errors, total.size_mismatch, p50, p99,
        cpu, cpu / el);
    return (total.errors || total.size_mismatch) ? 1 : 0;
}
