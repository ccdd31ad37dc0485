// bench_imap.cpp - IMAP load generator (bench_imap). Loopback only, bounded in time and count.
//
//   sessions  every client loops complete sessions: connect, greeting, LOGIN, SELECT INBOX,
//             FETCH 1:* (FLAGS ENVELOPE), --bodies x FETCH n BODY.PEEK[] (random n), LOGOUT.
//             Reports sessions/s and commands/s.
//   commands  every client logs in once (LOGIN, CAPABILITY, SELECT INBOX, UID SEARCH ALL: not
//             counted), then loops a fixed cycle of commands on the kept connection:
//               FETCH a:b (FLAGS ENVELOPE) (a window of --window messages), UID FETCH u
//               BODY.PEEK[], STORE n +FLAGS (\Seen), UID SEARCH UNSEEN | FROM x | SUBJECT y,
//               UID FETCH u BODY.PEEK[], STORE n -FLAGS (\Seen), NOOP, IDLE + DONE,
//               APPEND of a 4 KiB message, UID STORE u +FLAGS.SILENT (\Deleted), UID EXPUNGE u
//             Reports commands/s. The mailbox is left as it was found (appended messages are
//             expunged, \Seen is set and cleared again). --mix read leaves out the writes
//             (STORE, APPEND and its group); --mix search,noop,... runs only the kinds named.
//
// Client i always uses user (i % users) + 1, so with clients <= users no two clients share a
// mailbox. Any NO or BAD, I/O error, timeout, unexpected BYE or malformed response is counted as
// an error (a valid run has 0); the exit status is 1 if there was any. Prints one line:
//
//   imap_load mode=... clients=... ops=... ops_s=... sess_s=... rx_MB_s=... body_MB_s=...
//             errors=... p50_ms=... p99_ms=... client_cpu_s=... client_cores=...
//
// and one `kinds` line with the count and mean latency of every command kind.
//
// Event loop: --threads threads (default: one per core), each with an epoll set over its share
// of the clients (non-blocking sockets, one command outstanding per connection). Responses are
// framed by response unit: a line, and if it ends in a literal {n}, n octets and the rest of the
// response after them (ENVELOPE and BODY[] data come as literals). FETCH responses are walked
// token by token (quoted strings, literals, parentheses) to check their structure.

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

enum class Mode { Sessions, Commands };

struct Options {
    Mode mode = Mode::Sessions;
    std::string host = "127.0.0.1";
    int port = 143;
    std::string user_fmt = "u%d@bench.test";
    int users = 50;
    std::string password = "benchpass";
    int clients = 10;
    int threads = 0;  // 0: one per core
    double secs = 10;
    long max_ops = 10'000'000;  // per client: sessions (sessions mode) or commands
    int bodies = 5;
    int window = 20;
    int io_timeout = 30;
    // --mix: which kinds of the commands cycle run (bit per Kind); all by default
    uint32_t mix = ~0u;
};

[[noreturn]] void usage(const char* msg) {
    if (msg) std::fprintf(stderr, "bench_imap: %s\n", msg);
    std::fprintf(
        stderr,
        "usage: bench_imap sessions|commands [--host 127.0.0.1] [--port 143]\n"
        "                  [--user-fmt u%%d@bench.test] [--users 50] [--password benchpass]\n"
        "                  [--clients 10] [--threads 0 (one per core)] [--seconds 10]\n"
        "                  [--max-ops N (per client: sessions or commands)]\n"
        "                  [--bodies 5 (sessions)] [--window 20 (commands)]\n"
        "                  [--mix all|read|KIND,... (commands: read = no STORE/APPEND/EXPUNGE;\n"
        "                   kinds fetch_env,uid_fetch_body,store,search,noop,idle,append)]\n"
        "                  [--io-timeout 30]\n");
    std::exit(2);
}

// Command kinds; the order is the order of the `kinds` report line.
enum Kind : int {
    kLogin,
    kCapability,
    kSelect,
    kUidSearchAll,
    kFetchAllEnvelope,
    kFetchBody,
    kFetchWindowEnvelope,
    kUidFetchBody,
    kStoreSeen,
    kSearch,
    kStoreUnseen,
    kNoop,
    kIdle,
    kAppend,
    kAppendFind,
    kUidStoreDeleted,
    kExpunge,
    kLogout,
    kKinds
};
constexpr std::array<const char*, kKinds> kKindName = {"login",
                                                       "capability",
                                                       "select",
                                                       "uid_search_all",
                                                       "fetch_all_envelope",
                                                       "fetch_body",
                                                       "fetch_env",
                                                       "uid_fetch_body",
                                                       "store_seen",
                                                       "search",
                                                       "store_unseen",
                                                       "noop",
                                                       "idle",
                                                       "append",
                                                       "append_find",
                                                       "uid_store_deleted",
                                                       "expunge",
                                                       "logout"};

// The commands-mode cycle. APPEND is followed by its own STORE \Deleted and EXPUNGE (and, without
// APPENDUID, a search for the appended message), which are not in this list.
constexpr std::array<Kind, 9> kCycle = {
    kFetchWindowEnvelope, kUidFetchBody, kStoreSeen, kSearch, kUidFetchBody,
    kStoreUnseen,         kNoop,         kIdle,      kAppend};

constexpr std::array<const char*, 8> kSubjectWords = {"lorem",  "dolor",  "tempor", "magna",
                                                      "veniam", "labore", "minim",  "commodo"};

struct KindStats {
    long count = 0;
    double total_ms = 0;
};

struct Stats {
    long ops = 0;       // commands completed OK inside the window
    long sessions = 0;  // sessions completed inside the window
    long no = 0, bad = 0, io_errors = 0, malformed = 0;
    uint64_t rx_bytes = 0;    // every octet received inside the window
    uint64_t body_bytes = 0;  // BODY[] literal octets received inside the window
    std::vector<float> latency_ms;
    std::array<KindStats, kKinds> kinds{};
};

std::atomic<int> g_reported{0};

void report_error(int client, const std::string& what) {
    if (g_reported.fetch_add(1) < 5)
        std::fprintf(stderr, "bench_imap: client %d: %s\n", client, what.c_str());
}

bool starts_with_ci(std::string_view s, std::string_view p) {
    if (s.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
        char a = s[i], b = p[i];
        if (a >= 'a' && a <= 'z') a = char(a - 32);
        if (b >= 'a' && b <= 'z') b = char(b - 32);
        if (a != b) return false;
    }
    return true;
}

bool contains_ci(std::string_view s, std::string_view p) {
    for (size_t i = 0; i + p.size() <= s.size(); ++i)
        if (starts_with_ci(s.substr(i), p)) return true;
    return false;
}

/// Reads a decimal number at s[*i], advancing *i; false if there is none.
bool read_number(std::string_view s, size_t* i, uint64_t* v) {
    size_t j = *i;
    uint64_t n = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9' && j - *i < 19)
        n = n * 10 + uint64_t(s[j++] - '0');
    if (j == *i) return false;
    *i = j;
    *v = n;
    return true;
}

/// If `line` (without CRLF) ends with a literal announcement {n} or {n+}, its size.
bool literal_at_end(std::string_view line, uint64_t* n) {
    if (line.empty() || line.back() != '}') return false;
    size_t open = line.rfind('{');
    if (open == std::string_view::npos) return false;
    size_t i = open + 1;
    if (!read_number(line, &i, n)) return false;
    if (i < line.size() && line[i] == '+') ++i;
    return i + 1 == line.size();
}

/// What a walk over one "* n FETCH (...)" response found.
struct FetchInfo {
    bool envelope = false, flags = false, body = false;
    uint64_t body_octets = 0;
};

/// Walks the parenthesised data of a FETCH response (`p` starts at its '('), honouring quoted
/// strings and literals so that parentheses inside them do not count; checks that the list is
/// balanced and records which data items came and the size of BODY[].
bool walk_fetch(std::string_view p, FetchInfo* fi) {
    size_t i = 0;
    int depth = 0;
    bool expect_body_value = false;
    while (i < p.size()) {
        char c = p[i];
        if (c == '(') {
            ++depth;
            ++i;
            expect_body_value = false;
        } else if (c == ')') {
            if (--depth < 0) return false;
            ++i;
            if (depth == 0) {
                // only CRLF may follow the outermost list
                std::string_view rest = p.substr(i);
                return rest == "\r\n" || rest == "\n";
            }
        } else if (c == '"') {
            ++i;
            while (i < p.size() && p[i] != '"') {
                if (p[i] == '\\') ++i;
                if (i < p.size() && (p[i] == '\r' || p[i] == '\n')) return false;
                ++i;
            }
            if (i >= p.size()) return false;
            ++i;
            expect_body_value = false;
        } else if (c == '{') {
            ++i;
            uint64_t n = 0;
            if (!read_number(p, &i, &n)) return false;
            if (i < p.size() && p[i] == '+') ++i;
            if (p.substr(i, 3) != "}\r\n") return false;
            i += 3;
            if (n > p.size() - i) return false;
            i += size_t(n);
            if (expect_body_value) fi->body_octets = n;
            expect_body_value = false;
        } else if (c == ' ' || c == '\r' || c == '\n') {
            ++i;
        } else {
            // atom, number, NIL, or a section like BODY[] / BODY[HEADER.FIELDS (A B)]
            size_t start = i;
            int brackets = 0;
            while (i < p.size()) {
                char d = p[i];
                if (d == '[') ++brackets;
                if (d == ']') --brackets;
                if (brackets == 0 && (d == ' ' || d == '(' || d == ')' || d == '\r' || d == '"'))
                    break;
                ++i;
            }
            std::string_view atom = p.substr(start, i - start);
            if (depth == 1) {
                if (starts_with_ci(atom, "ENVELOPE")) fi->envelope = true;
                if (starts_with_ci(atom, "FLAGS")) fi->flags = true;
                if (starts_with_ci(atom, "BODY[]")) {
                    fi->body = true;
                    expect_body_value = true;
                    continue;
                }
            }
            expect_body_value = false;
        }
    }
    return false;  // unbalanced
}

bool loopback(const sockaddr_storage& a) {
    if (a.ss_family == AF_INET)
        return (ntohl(reinterpret_cast<const sockaddr_in*>(&a)->sin_addr.s_addr) >> 24) == 127;
    if (a.ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(&a)->sin6_addr);
    return false;
}

/// Measurement window shared by all threads; set once every commands-mode client is logged in.
struct Window {
    std::atomic<bool> started{false};
    Clock::time_point start, deadline;
};

class Worker;

/// One IMAP connection and the state of what it is doing.
struct Client {
    enum class Phase { Down, Connecting, Greeting, Running, Ready, LoggingOut, Done };

    int id = 0;
    std::string user;
    int fd = -1;
    unsigned gen = 0;  // bumped when the socket is closed: stale input is not handled
    Phase phase = Phase::Down;
    Clock::time_point retry_at{};  // Down: when to connect again

    // input: [rs, re) unread; `scan` = where the next line of the unit being framed starts
    std::vector<char> in = std::vector<char>(64 * 1024);
    size_t rs = 0, re = 0, scan = 0;
    std::string out;
    size_t out_off = 0;
    bool epollout = false;

    // the command in flight
    Kind kind = kNoop;
    char tag[16] = {};
    size_t tag_len = 0;
    unsigned tag_no = 0;
    Clock::time_point sent_at{}, session_at{};
    const std::string* continuation = nullptr;  // sent after "+" (APPEND message, IDLE's DONE)
    bool plus_seen = false;
    long fetches = 0;
    uint64_t body_octets = 0;
    bool bad_fetch = false;
    std::vector<uint32_t> search;
    uint32_t appenduid = 0;

    // mailbox and loop state
    bool uidplus = false;
    uint32_t exists = 0;
    uint32_t base = 0;  // messages present at SELECT; only these are picked
    std::vector<uint32_t> uids;
    int bodies_left = 0;
    size_t cycle = 0;
    uint32_t seen_seq = 0;
    bool seen_set = false;  // \Seen was added and not yet removed again
    uint32_t appended_uid = 0;
    bool append_ok = false;
    unsigned search_no = 0;
    uint64_t append_no = 0;
    std::string append_msg;
    long done_ops = 0;
    std::mt19937_64 rng;
};

const std::string kDone = "DONE\r\n";

class Worker {
  public:
    Worker(const Options& o, const sockaddr_storage& addr, socklen_t alen, Window& w,
           std::atomic<int>& ready)
        : o_(o), addr_(addr), alen_(alen), w_(w), ready_(ready) {}

    void add(int id) {
        auto c = std::make_unique<Client>();
        c->id = id;
        char user[256];
        std::snprintf(user, sizeof user, o_.user_fmt.c_str(), (id % o_.users) + 1);
        c->user = user;
        c->rng.seed(0x9e3779b97f4a7c15ULL * uint64_t(id + 1));
        clients_.push_back(std::move(c));
    }

    void run() {
        ep_ = ::epoll_create1(EPOLL_CLOEXEC);
        if (ep_ < 0) {
            std::perror("epoll_create1");
            std::exit(2);
        }
        for (auto& c : clients_)
            connect(*c);
        std::array<epoll_event, 256> evs{};
        for (;;) {
            size_t live = 0;
            for (auto& c : clients_)
                live += c->phase != Client::Phase::Done;
            if (live == 0) break;
            int n = ::epoll_wait(ep_, evs.data(), int(evs.size()), w_.started ? 50 : 5);
            for (int i = 0; i < n; ++i) {
                auto* c = static_cast<Client*>(evs[size_t(i)].data.ptr);
                uint32_t e = evs[size_t(i)].events;
                if (c->fd < 0) continue;
                if (c->phase == Client::Phase::Connecting) {
                    connected(*c);
                    continue;
                }
                if (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) readable(*c);
                if (c->fd >= 0 && (e & EPOLLOUT)) flush(*c);
            }
            tick();
        }
        ::close(ep_);
    }

    Stats stats;

  private:
    bool measuring(Clock::time_point t) const {
        return w_.started && t >= w_.start && t <= w_.deadline;
    }
    bool past_deadline(Clock::time_point t) const { return w_.started && t > w_.deadline; }

    void connect(Client& c) {
        c.rs = c.re = c.scan = 0;
        c.out.clear();
        c.out_off = 0;
        c.tag_no = 0;
        c.tag_len = 0;
        c.kind = kNoop;
        c.exists = 0;
        c.appended_uid = 0;
        c.fd = ::socket(addr_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c.fd < 0) return fail(c, std::string("socket: ") + std::strerror(errno), true);
        int one = 1;
        ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c.phase = Client::Phase::Connecting;
        c.sent_at = c.session_at = Clock::now();
        if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&addr_), alen_) != 0 &&
            errno != EINPROGRESS)
            return fail(c, std::string("connect: ") + std::strerror(errno), true);
        epoll_event ev{};
        ev.events = EPOLLOUT;
        ev.data.ptr = &c;
        ::epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
        c.epollout = true;
    }

    void connected(Client& c) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) return fail(c, std::string("connect: ") + std::strerror(err), true);
        c.phase = Client::Phase::Greeting;
        set_out(c, false);
    }

    void set_out(Client& c, bool want) {
        epoll_event ev{};
        ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
        ev.data.ptr = &c;
        ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
        c.epollout = want;
    }

    void close_fd(Client& c) {
        if (c.fd >= 0) {
            ::epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
            ::close(c.fd);
        }
        c.fd = -1;
        ++c.gen;
    }

    /// An I/O error, timeout or broken session: counted, the connection dropped, a new one made
    /// after a pause (unless the run is over).
    void fail(Client& c, const std::string& why, bool io) {
        if (io)
            ++stats.io_errors;
        else
            ++stats.malformed;
        report_error(c.id, why);
        close_fd(c);
        auto now = Clock::now();
        c.phase = (past_deadline(now) || c.done_ops >= o_.max_ops) ? Client::Phase::Done
                                                                   : Client::Phase::Down;
        c.retry_at = now + std::chrono::milliseconds(50);
    }

    void flush(Client& c) {
        while (c.out_off < c.out.size()) {
            ssize_t n =
                ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    if (!c.epollout) set_out(c, true);
                    return;
                }
                return fail(c, std::string("send: ") + std::strerror(errno), true);
            }
            c.out_off += size_t(n);
        }
        c.out.clear();
        c.out_off = 0;
        if (c.epollout) set_out(c, false);
    }

    void send_raw(Client& c, std::string_view s) {
        c.out.append(s);
        flush(c);
    }

    /// Sends "<tag> <text>\r\n"; `literal` (if any) goes after the server's "+".
    void command(Client& c, Kind k, std::string_view text, const std::string* literal = nullptr) {
        c.kind = k;
        c.tag_len = size_t(std::snprintf(c.tag, sizeof c.tag, "a%u", ++c.tag_no));
        c.continuation = literal;
        c.plus_seen = false;
        c.fetches = 0;
        c.body_octets = 0;
        c.bad_fetch = false;
        c.search.clear();
        c.appenduid = 0;
        c.sent_at = Clock::now();
        c.out.append(c.tag, c.tag_len);
        c.out += ' ';
        c.out.append(text);
        c.out += "\r\n";
        flush(c);
    }

    void readable(Client& c) {
        for (;;) {
            if (c.in.size() - c.re < 16 * 1024) {
                if (c.rs > 0) {
                    std::memmove(c.in.data(), c.in.data() + c.rs, c.re - c.rs);
                    c.re -= c.rs;
                    c.rs = 0;
                }
                if (c.in.size() - c.re < 16 * 1024) {
                    if (c.in.size() >= (64u << 20)) return fail(c, "response over 64 MiB", false);
                    c.in.resize(c.in.size() * 2);
                }
            }
            ssize_t n = ::recv(c.fd, c.in.data() + c.re, c.in.size() - c.re, 0);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) return;
                return fail(c, std::string("recv: ") + std::strerror(errno), true);
            }
            if (n == 0) {
                if (c.phase == Client::Phase::LoggingOut) return finished(c);
                return fail(c, "connection closed by server", true);
            }
            if (measuring(Clock::now())) stats.rx_bytes += uint64_t(n);
            bool filled = size_t(n) == c.in.size() - c.re;
            c.re += size_t(n);
            if (!frame(c)) return;  // the client was closed or reset
            if (!filled) return;
        }
    }

    /// Cuts complete response units out of the input and handles them. False if the
    /// connection was closed meanwhile.
    bool frame(Client& c) {
        for (;;) {
            const char* b = c.in.data() + c.rs;
            size_t avail = c.re - c.rs;
            if (c.scan >= avail) return true;
            const void* nlp = std::memchr(b + c.scan, '\n', avail - c.scan);
            if (!nlp) return true;
            size_t nl = size_t(static_cast<const char*>(nlp) - b);
            std::string_view line(b + c.scan, nl - c.scan);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            uint64_t lit = 0;
            if (literal_at_end(line, &lit)) {
                if (avail - (nl + 1) < lit) return true;  // wait for the whole literal
                c.scan = nl + 1 + size_t(lit);
                continue;
            }
            std::string_view unit(b, nl + 1);
            c.rs += nl + 1;
            c.scan = 0;
            unsigned gen = c.gen;
            handle(c, unit);
            if (c.gen != gen) return false;
        }
    }

    void handle(Client& c, std::string_view u) {
        if (u.size() >= 2 && u[0] == '*' && u[1] == ' ') return untagged(c, u.substr(2));
        if (!u.empty() && u[0] == '+') {
            if (!c.continuation || c.plus_seen)
                return fail(c, "unexpected continuation: " + std::string(u.substr(0, 100)), false);
            c.plus_seen = true;
            return send_raw(c, *c.continuation);  // APPEND: message + the command's final CRLF
        }
        if (c.tag_len && u.size() > c.tag_len &&
            std::string_view(u.data(), c.tag_len) == std::string_view(c.tag, c.tag_len) &&
            u[c.tag_len] == ' ')
            return tagged(c, u.substr(c.tag_len + 1));
        fail(c, "unexpected response: " + std::string(u.substr(0, 100)), false);
    }

    void parse_capabilities(Client& c, std::string_view s) {
        if (contains_ci(s, " UIDPLUS")) c.uidplus = true;
    }

    void untagged(Client& c, std::string_view u) {
        if (c.phase == Client::Phase::Greeting) {
            if (!starts_with_ci(u, "OK"))
                return fail(c, "greeting: * " + std::string(u.substr(0, 120)), true);
            parse_capabilities(c, u);
            c.phase = Client::Phase::Running;
            return next(c);
        }
        if (starts_with_ci(u, "BYE")) {
            if (c.kind == kLogout) return;
            return fail(c, "unexpected * " + std::string(u.substr(0, 120)), true);
        }
        if (starts_with_ci(u, "CAPABILITY") || starts_with_ci(u, "OK [CAPABILITY"))
            return parse_capabilities(c, u);
        if (starts_with_ci(u, "SEARCH")) {
            size_t i = 6;
            uint64_t v;
            while (i < u.size()) {
                if (u[i] == ' ') {
                    ++i;
                    continue;
                }
                if (!read_number(u, &i, &v)) break;
                c.search.push_back(uint32_t(v));
            }
            return;
        }
        size_t i = 0;
        uint64_t n = 0;
        if (!read_number(u, &i, &n) || i >= u.size() || u[i] != ' ') return;  // OK/FLAGS/LIST...
        std::string_view what = u.substr(i + 1);
        if (starts_with_ci(what, "EXISTS")) {
            c.exists = uint32_t(n);
        } else if (starts_with_ci(what, "EXPUNGE")) {
            if (c.exists) --c.exists;
        } else if (starts_with_ci(what, "FETCH (")) {
            FetchInfo fi;
            if (!walk_fetch(what.substr(6), &fi)) {
                c.bad_fetch = true;
                return;
            }
            // Only responses with the requested items count: a server may add unsolicited
            // FETCH (FLAGS ...) updates (RFC 9051 §7.5.2).
            bool want_env = c.kind == kFetchAllEnvelope || c.kind == kFetchWindowEnvelope;
            bool want_body = c.kind == kFetchBody || c.kind == kUidFetchBody;
            if (want_env && fi.envelope && !fi.flags) c.bad_fetch = true;
            if ((!want_env && !want_body) || (want_env && fi.envelope) || (want_body && fi.body))
                ++c.fetches;
            c.body_octets += fi.body_octets;
        }
    }

    void tagged(Client& c, std::string_view u) {
        auto now = Clock::now();
        Kind k = c.kind;
        bool ok = starts_with_ci(u, "OK");
        if (!ok) {
            if (starts_with_ci(u, "NO"))
                ++stats.no;
            else
                ++stats.bad;
            report_error(c.id, std::string(kKindName[k]) + ": " +
                                   std::string(u.substr(0, std::min<size_t>(u.size(), 160))));
        }
        if (ok && c.bad_fetch) {
            ++stats.malformed;
            report_error(c.id, std::string(kKindName[k]) + ": malformed or incomplete FETCH");
            ok = false;
        }
        if (ok) {
            // the FETCH response counts this command must have produced
            long want = -1;
            if (k == kFetchAllEnvelope) want = c.exists;
            if (k == kFetchBody || k == kUidFetchBody) want = 1;
            if (k == kFetchWindowEnvelope) want = std::min<long>(o_.window, c.base);
            if (want >= 0 && c.fetches != want) {
                ++stats.malformed;
                report_error(c.id, std::string(kKindName[k]) + ": " + std::to_string(c.fetches) +
                                       " FETCH responses, expected " + std::to_string(want));
                ok = false;
            }
        }
        if (ok && contains_ci(u, "[CAPABILITY ")) parse_capabilities(c, u);
        if (ok && k == kAppend) {
            size_t p = u.find("[APPENDUID ");
            if (p != std::string_view::npos) {
                size_t i = p + 11;
                uint64_t v = 0, uid = 0;
                if (read_number(u, &i, &v) && i < u.size() && u[i] == ' ' &&
                    read_number(u, &++i, &uid))
                    c.appenduid = uint32_t(uid);
            }
        }
        // sessions: every command counts; commands: the cycle only, not setup and LOGOUT
        bool counted = o_.mode == Mode::Sessions ||
                       (c.phase == Client::Phase::Running && k != kLogin && k != kCapability &&
                        k != kSelect && k != kUidSearchAll && k != kLogout);
        if (ok && counted && measuring(now)) {
            ++stats.ops;
            double ms = std::chrono::duration<double, std::milli>(now - c.sent_at).count();
            auto& ks = stats.kinds[k];
            ++ks.count;
            ks.total_ms += ms;
            if (o_.mode == Mode::Commands) stats.latency_ms.push_back(float(ms));
            stats.body_bytes += c.body_octets;
        }
        if (o_.mode == Mode::Commands && counted) ++c.done_ops;
        c.tag_len = 0;
        if (k == kLogout) {
            if (o_.mode == Mode::Sessions && ok && measuring(now)) {
                ++stats.sessions;
                stats.latency_ms.push_back(
                    float(std::chrono::duration<double, std::milli>(now - c.session_at).count()));
            }
            return finished(c);
        }
        if (!ok) {
            // A failed login or select breaks the session; anything else is only counted.
            if (k == kLogin || k == kSelect || k == kCapability || k == kUidSearchAll) {
                close_fd(c);
                c.phase = past_deadline(now) ? Client::Phase::Done : Client::Phase::Down;
                c.retry_at = now + std::chrono::milliseconds(100);
                return;
            }
            if (k == kAppend || k == kAppendFind) c.appended_uid = 0;
        }
        after(c, k, ok);
    }

    /// A LOGOUT answered (or the server closed after it).
    void finished(Client& c) {
        close_fd(c);
        auto now = Clock::now();
        if (o_.mode == Mode::Sessions) {
            ++c.done_ops;
            if (!past_deadline(now) && c.done_ops < o_.max_ops) return connect(c);
        }
        c.phase = Client::Phase::Done;
    }

    /// Bookkeeping after a command, then the next command.
    void after(Client& c, Kind k, bool ok) {
        switch (k) {
            case kSelect:
                c.base = c.exists;
                break;
            case kUidSearchAll:
                c.uids = c.search;
                std::sort(c.uids.begin(), c.uids.end());
                c.base = std::min<uint32_t>(c.base, uint32_t(c.uids.size()));
                break;
            case kAppend:
                c.append_ok = ok;
                c.appended_uid = c.appenduid;
                break;
            case kAppendFind:
                c.appended_uid = (ok && c.search.size() == 1) ? c.search[0] : 0;
                if (ok && c.search.size() != 1) {
                    ++stats.malformed;
                    report_error(c.id, "appended message found " + std::to_string(c.search.size()) +
                                           " times");
                }
                break;
            default:
                break;
        }
        next(c);
    }

    uint32_t pick_seq(Client& c) { return uint32_t(c.rng() % c.base) + 1; }

    /// Chooses and sends the next command.
    void next(Client& c) {
        auto now = Clock::now();
        Kind last = c.kind;
        char buf[256];
        if (o_.mode == Mode::Sessions) {
            switch (c.tag_no == 0 ? kKinds : last) {
                case kKinds:
                    return command(c, kLogin, "LOGIN \"" + c.user + "\" \"" + o_.password + "\"");
                case kLogin:
                    return command(c, kSelect, "SELECT INBOX");
                case kSelect:
                    c.base = c.exists;
                    if (c.base == 0) return fail(c, "INBOX is empty", false);
                    return command(c, kFetchAllEnvelope, "FETCH 1:* (FLAGS ENVELOPE)");
                default:
                    if (last == kFetchAllEnvelope) c.bodies_left = o_.bodies;
                    if (c.bodies_left-- > 0) {
                        std::snprintf(buf, sizeof buf, "FETCH %u BODY.PEEK[]", pick_seq(c));
                        return command(c, kFetchBody, buf);
                    }
                    c.phase = Client::Phase::LoggingOut;
                    return command(c, kLogout, "LOGOUT");
            }
        }
        // commands mode: setup, then the cycle
        if (c.tag_no == 0)
            return command(c, kLogin, "LOGIN \"" + c.user + "\" \"" + o_.password + "\"");
        if (last == kLogin) return command(c, kCapability, "CAPABILITY");
        if (last == kCapability) return command(c, kSelect, "SELECT INBOX");
        if (last == kSelect) return command(c, kUidSearchAll, "UID SEARCH ALL");
        if (last == kUidSearchAll) {
            if (c.base == 0) return fail(c, "INBOX is empty", false);
            if (c.append_msg.empty()) make_append(c);
            if (!w_.started) {
                c.phase = Client::Phase::Ready;
                ready_.fetch_add(1);
                return;
            }
        }
        // the APPEND group runs to its end even past the deadline, so the mailbox stays as it was
        if (last == kAppend && c.append_ok && c.appended_uid == 0) {  // no APPENDUID
            std::snprintf(buf, sizeof buf, "UID SEARCH HEADER Message-ID \"%s\"", msgid(c).c_str());
            return command(c, kAppendFind, buf);
        }
        if ((last == kAppend || last == kAppendFind) && c.appended_uid) {
            std::snprintf(buf, sizeof buf, "UID STORE %u +FLAGS.SILENT (\\Deleted)",
                          c.appended_uid);
            return command(c, kUidStoreDeleted, buf);
        }
        if (last == kUidStoreDeleted) {
            if (c.uidplus) {
                std::snprintf(buf, sizeof buf, "UID EXPUNGE %u", c.appended_uid);
                return command(c, kExpunge, buf);
            }
            return command(c, kExpunge, "EXPUNGE");  // only this client's mailbox has \Deleted
        }
        if (past_deadline(now) || c.done_ops >= o_.max_ops) {
            if (c.seen_set) {  // leave the flags as they were found
                c.seen_set = false;
                std::snprintf(buf, sizeof buf, "STORE %u -FLAGS (\\Seen)", c.seen_seq);
                return command(c, kStoreUnseen, buf);
            }
            c.phase = Client::Phase::LoggingOut;
            return command(c, kLogout, "LOGOUT");
        }
        Kind k = kCycle[c.cycle++ % kCycle.size()];
        while (!(o_.mix & (1u << k)))
            k = kCycle[c.cycle++ % kCycle.size()];
        switch (k) {
            case kFetchWindowEnvelope: {
                uint32_t w = std::min<uint32_t>(uint32_t(o_.window), c.base);
                uint32_t a = uint32_t(c.rng() % (c.base - w + 1)) + 1;
                std::snprintf(buf, sizeof buf, "FETCH %u:%u (FLAGS ENVELOPE)", a, a + w - 1);
                break;
            }
            case kUidFetchBody:
                std::snprintf(buf, sizeof buf, "UID FETCH %u BODY.PEEK[]",
                              c.uids[c.rng() % c.base]);
                break;
            case kStoreSeen:
                c.seen_seq = pick_seq(c);
                c.seen_set = true;
                std::snprintf(buf, sizeof buf, "STORE %u +FLAGS (\\Seen)", c.seen_seq);
                break;
            case kStoreUnseen:
                c.seen_set = false;
                std::snprintf(buf, sizeof buf, "STORE %u -FLAGS (\\Seen)", c.seen_seq);
                break;
            case kSearch:
                switch (c.search_no++ % 3) {
                    case 0:
                        std::snprintf(buf, sizeof buf, "UID SEARCH UNSEEN");
                        break;
                    case 1:
                        std::snprintf(buf, sizeof buf, "UID SEARCH FROM \"sender%u\"",
                                      unsigned(c.rng() % 50) + 1);
                        break;
                    default:
                        std::snprintf(buf, sizeof buf, "UID SEARCH SUBJECT \"%s\"",
                                      kSubjectWords[c.rng() % kSubjectWords.size()]);
                }
                break;
            case kNoop:
                std::snprintf(buf, sizeof buf, "NOOP");
                break;
            case kIdle:
                return command(c, kIdle, "IDLE", &kDone);
            case kAppend: {
                ++c.append_no;
                // the counter sits in a fixed-width field: the message stays 4096 octets
                char hex[17];
                std::snprintf(hex, sizeof hex, "%016llx",
                              static_cast<unsigned long long>(c.append_no));
                size_t at = c.append_msg.find("ctr.");
                std::memcpy(c.append_msg.data() + at + 4, hex, 16);
                c.appended_uid = 0;
                std::snprintf(buf, sizeof buf, "APPEND INBOX (\\Seen) {%zu}",
                              c.append_msg.size() - 2);
                return command(c, kAppend, buf, &c.append_msg);
            }
            default:
                break;
        }
        command(c, k, buf);
    }

    std::string msgid(const Client& c) {
        size_t at = c.append_msg.find("<bench-append.");
        size_t end = c.append_msg.find('>', at);
        return c.append_msg.substr(at, end + 1 - at);
    }

    /// The 4096-octet message this client appends (plus the CRLF that ends the APPEND command).
    void make_append(Client& c) {
        char hdr[512];
        int n = std::snprintf(hdr, sizeof hdr,
                              "From: Bench Appender <appender@bench.test>\r\n"
                              "To: <%s>\r\n"
                              "Subject: appended by bench_imap\r\n"
                              "Date: Thu, 23 Nov 2023 10:00:00 +0000\r\n"
                              "Message-ID: <bench-append.%d.%d.ctr.0000000000000000@bench.test>\r\n"
                              "MIME-Version: 1.0\r\n"
                              "Content-Type: text/plain; charset=us-ascii\r\n\r\n",
                              c.user.c_str(), c.id, int(::getpid()));
        std::string m(hdr, size_t(n));
        static const char* words[] = {"draft",   "notes", "from",   "the", "weekly",
                                      "meeting", "about", "budget", "and", "schedule"};
        std::string line;
        size_t w = 0;
        while (m.size() < 4096) {
            line.clear();
            while (line.size() < 68)
                (line += words[w++ % 10]) += ' ';
            line.back() = '\r';
            line += '\n';
            m += line;
        }
        m.resize(4096 - 2);
        m += "\r\n";
        c.append_msg = m + "\r\n";
    }

    void tick() {
        auto now = Clock::now();
        // The scan is O(clients): at most every 10 ms, except to open the window promptly.
        if (now - last_tick_ < std::chrono::milliseconds(10) && (w_.started == was_started_))
            return;
        last_tick_ = now;
        was_started_ = w_.started;
        auto timeout = std::chrono::seconds(o_.io_timeout);
        if (w_.started) {
            for (auto& cp : clients_) {
                Client& c = *cp;
                if (c.phase == Client::Phase::Ready) {
                    c.phase = Client::Phase::Running;
                    next(c);
                }
            }
        }
        for (auto& cp : clients_) {
            Client& c = *cp;
            if (c.phase == Client::Phase::Down) {
                if (past_deadline(now)) {
                    c.phase = Client::Phase::Done;
                } else if (now >= c.retry_at) {
                    connect(c);
                }
            } else if (c.phase != Client::Phase::Done && c.phase != Client::Phase::Ready &&
                       now - c.sent_at > timeout) {
                fail(c, std::string("timeout in ") + kKindName[c.kind], true);
                if (c.phase == Client::Phase::Down && past_deadline(now))
                    c.phase = Client::Phase::Done;
            }
        }
    }

    const Options& o_;
    const sockaddr_storage& addr_;
    socklen_t alen_;
    Window& w_;
    std::atomic<int>& ready_;
    int ep_ = -1;
    Clock::time_point last_tick_{};
    bool was_started_ = false;
    std::vector<std::unique_ptr<Client>> clients_;
};

/// --mix: "all", "read" (no writes) or a comma list of cycle kinds ("store" is both STOREs,
/// "append" its STORE \Deleted and EXPUNGE too), to look at one kind of command at a time.
bool parse_mix(const std::string& spec, uint32_t* mix) {
    if (spec == "all") {
        *mix = ~0u;
        return true;
    }
    if (spec == "read") {
        *mix = ~((1u << kStoreSeen) | (1u << kStoreUnseen) | (1u << kAppend));
        return true;
    }
    uint32_t m = 0;
    size_t at = 0;
    while (at <= spec.size()) {
        size_t comma = std::min(spec.find(',', at), spec.size());
        std::string k = spec.substr(at, comma - at);
        if (k == "store")
            m |= (1u << kStoreSeen) | (1u << kStoreUnseen);
        else if (k == "fetch_env")
            m |= 1u << kFetchWindowEnvelope;
        else if (k == "uid_fetch_body")
            m |= 1u << kUidFetchBody;
        else if (k == "search")
            m |= 1u << kSearch;
        else if (k == "noop")
            m |= 1u << kNoop;
        else if (k == "idle")
            m |= 1u << kIdle;
        else if (k == "append")
            m |= 1u << kAppend;
        else
            return false;
        at = comma + 1;
    }
    *mix = m;
    return m != 0;
}

double pct(std::vector<float>& v, double p) {
    if (v.empty()) return 0;
    size_t i = std::min(v.size() - 1, size_t(double(v.size()) * p));
    std::nth_element(v.begin(), v.begin() + long(i), v.end());
    return v[i];
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (argc < 2) usage(nullptr);
    std::string mode = argv[1];
    if (mode == "sessions")
        o.mode = Mode::Sessions;
    else if (mode == "commands")
        o.mode = Mode::Commands;
    else
        usage("the first argument is sessions or commands");
    for (int i = 2; i < argc; ++i) {
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
        else if (a == "--threads")
            o.threads = std::atoi(val().c_str());
        else if (a == "--seconds" || a == "--secs")
            o.secs = std::atof(val().c_str());
        else if (a == "--max-ops")
            o.max_ops = std::atol(val().c_str());
        else if (a == "--bodies")
            o.bodies = std::atoi(val().c_str());
        else if (a == "--window")
            o.window = std::atoi(val().c_str());
        else if (a == "--mix") {
            if (!parse_mix(val(), &o.mix))
                usage(
                    "--mix is all, read, or a list of fetch_env,uid_fetch_body,store,search,"
                    "noop,idle,append");
        } else if (a == "--io-timeout")
            o.io_timeout = std::atoi(val().c_str());
        else if (a == "-h" || a == "--help")
            usage(nullptr);
        else
            usage(("unknown option " + a).c_str());
    }
    if (o.port <= 0 || o.port > 65535) usage("bad --port");
    if (o.users < 1 || o.clients < 1 || o.max_ops < 1 || o.io_timeout < 1 || o.bodies < 0 ||
        o.window < 1 || o.threads < 0)
        usage("--users, --clients, --max-ops, --window, --io-timeout must be >= 1");
    // bounded: at most 10 minutes and 2000 clients
    if (o.secs <= 0 || o.secs > 600 || o.clients > 2000)
        usage("bounded: 0 < seconds <= 600, clients <= 2000");
    if (o.user_fmt.find("%d") == std::string::npos || o.user_fmt.find('"') != std::string::npos)
        usage("--user-fmt needs %d and no quotes");
    if (o.password.find_first_of("\"\\\r\n") != std::string::npos)
        usage("--password must not contain quotes, backslashes or line ends");
    if (o.mode == Mode::Commands && o.clients > o.users)
        std::fprintf(stderr, "bench_imap: warning: %d clients share %d mailboxes\n", o.clients,
                     o.users);
    if (o.threads == 0) o.threads = int(std::max(1u, std::thread::hardware_concurrency()));
    o.threads = std::min(o.threads, o.clients);

    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &res);
        rc != 0) {
        std::fprintf(stderr, "bench_imap: %s: %s\n", o.host.c_str(), gai_strerror(rc));
        return 2;
    }
    sockaddr_storage addr{};
    std::memcpy(&addr, res->ai_addr, res->ai_addrlen);
    socklen_t alen = res->ai_addrlen;
    for (addrinfo* r = res; r; r = r->ai_next) {  // every address must be loopback
        sockaddr_storage s{};
        std::memcpy(&s, r->ai_addr, r->ai_addrlen);
        if (!loopback(s)) {
            std::fprintf(stderr, "bench_imap: refusing non-loopback target %s\n", o.host.c_str());
            ::freeaddrinfo(res);
            return 2;
        }
    }
    ::freeaddrinfo(res);

    rlimit nofile{};
    ::getrlimit(RLIMIT_NOFILE, &nofile);
    if (nofile.rlim_cur < rlim_t(o.clients) + 64) {
        nofile.rlim_cur = std::min<rlim_t>(nofile.rlim_max, rlim_t(o.clients) + 64);
        ::setrlimit(RLIMIT_NOFILE, &nofile);
    }

    Window win;
    std::atomic<int> ready{0};
    std::vector<std::unique_ptr<Worker>> workers;
    for (int t = 0; t < o.threads; ++t)
        workers.push_back(std::make_unique<Worker>(o, addr, alen, win, ready));
    for (int i = 0; i < o.clients; ++i)
        workers[size_t(i % o.threads)]->add(i);

    auto secs = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.secs));
    if (o.mode == Mode::Sessions) {
        win.start = Clock::now();
        win.deadline = win.start + secs;
        win.started = true;
    }
    std::vector<std::thread> threads;
    for (auto& w : workers)
        threads.emplace_back([&w] { w->run(); });
    double setup_s = 0;
    if (o.mode == Mode::Commands) {
        // The window opens once every client is logged in and selected (or after 120 s).
        auto t0 = Clock::now();
        while (ready.load() < o.clients && Clock::now() - t0 < std::chrono::seconds(120))
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        setup_s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (ready.load() < o.clients)
            std::fprintf(stderr, "bench_imap: only %d of %d clients logged in after 120 s\n",
                         ready.load(), o.clients);
        win.start = Clock::now();
        win.deadline = win.start + secs;
        win.started = true;
    }
    for (auto& t : threads)
        t.join();

    Stats total;
    for (auto& w : workers) {
        Stats& s = w->stats;
        total.ops += s.ops;
        total.sessions += s.sessions;
        total.no += s.no;
        total.bad += s.bad;
        total.io_errors += s.io_errors;
        total.malformed += s.malformed;
        total.rx_bytes += s.rx_bytes;
        total.body_bytes += s.body_bytes;
        total.latency_ms.insert(total.latency_ms.end(), s.latency_ms.begin(), s.latency_ms.end());
        for (size_t k = 0; k < kKinds; ++k) {
            total.kinds[k].count += s.kinds[k].count;
            total.kinds[k].total_ms += s.kinds[k].total_ms;
        }
    }
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    double cpu = double(ru.ru_utime.tv_sec) + double(ru.ru_utime.tv_usec) / 1e6 +
                 double(ru.ru_stime.tv_sec) + double(ru.ru_stime.tv_usec) / 1e6;
    double el = o.secs;
    long errors = total.no + total.bad + total.io_errors + total.malformed;
    std::printf(
        "imap_load mode=%s clients=%d threads=%d secs=%.2f setup_s=%.2f ops=%ld ops_s=%.1f "
        "sessions=%ld sess_s=%.1f rx_MB_s=%.2f body_MB_s=%.2f errors=%ld no=%ld bad=%ld "
        "io_errors=%ld malformed=%ld p50_ms=%.2f p99_ms=%.2f client_cpu_s=%.2f "
        "client_cores=%.2f\n",
        mode.c_str(), o.clients, o.threads, el, setup_s, total.ops, double(total.ops) / el,
        total.sessions, double(total.sessions) / el, double(total.rx_bytes) / el / 1e6,
        double(total.body_bytes) / el / 1e6, errors, total.no, total.bad, total.io_errors,
        total.malformed, pct(total.latency_ms, 0.50), pct(total.latency_ms, 0.99), cpu,
        cpu / (el + setup_s));
    std::printf("kinds");
    for (size_t k = 0; k < kKinds; ++k)
        if (total.kinds[k].count)
            std::printf(" %s=%ld/%.2fms", kKindName[k], total.kinds[k].count,
                        total.kinds[k].total_ms / double(total.kinds[k].count));
    std::printf("\n");
    return errors ? 1 : 0;
}
