// store_crash.cpp - durability under SIGKILL: every acknowledged append survives a crash.
//
// A child process appends 4 KiB messages (and some larger-than-inline ones, stored as files)
// from several threads through the group commit, and after each completion writes the
// acknowledged (mailbox, uid, sha256) to a pipe. The parent kills it with SIGKILL at a random
// moment, reopens the store, and checks that every acknowledged message is there and its body
// hashes to the recorded value. Exits non-zero with a clear message on any loss.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/sha256.hpp"
#include "store/store.hpp"

using namespace hermod::store;

namespace {

constexpr int kRounds = 5;
constexpr int kThreads = 6;
constexpr std::uint64_t kInlineMax = 16 * 1024;  // small, so the > inline path is exercised

StoreOptions options_for(const std::string& dir) {
    StoreOptions o;
    o.data_dir = dir;
    o.inline_blob_max = kInlineMax;
    return o;
}

/// Ack record: one line per acknowledged message, written with a single write() (atomic for
/// lines shorter than PIPE_BUF).
void write_ack(int fd, const Appended& a, const std::string& hash) {
    char line[256];
    int n = std::snprintf(line, sizeof line, "%lld %u %s\n", static_cast<long long>(a.mailbox_id),
                          a.uid, hash.c_str());
    if (::write(fd, line, static_cast<std::size_t>(n)) != n) std::_Exit(3);
}

[[noreturn]] void child(const std::string& dir, int round, int fd) {
    auto store = open_store(options_for(dir));
    auto acct = store->find_account("crash@example.org");
    std::vector<Id> boxes;
    for (const auto& m : store->list_mailboxes(acct->id))
        boxes.push_back(m.id);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937_64 rng(static_cast<std::uint64_t>(round * 1000 + t));
            for (std::uint64_t i = 0;; ++i) {
                // Distinct content per message; every 16th one is larger than the inline limit.
                std::size_t size = (i % 16 == 7) ? kInlineMax * 3 + 17 : 4096;
                std::string body = "Subject: r" + std::to_string(round) + " t" + std::to_string(t) +
                                   " n" + std::to_string(i) + "\r\n\r\n";
                while (body.size() < size)
                    body.push_back(static_cast<char>('a' + rng() % 26));
                auto w = store->new_blob();
                w->write(body);
                auto blob = w->finish();
                std::string hash = blob->hash;
                Id box = boxes[rng() % boxes.size()];
                if (t % 2 == 0) {
                    auto r = store->append({NewMessage{box, blob, 0, {}, 0}});
                    write_ack(fd, r[0], hash);
                } else {
                    // Async callers: acknowledged from the completion, i.e. after the commit.
                    std::promise<void> done;
                    store->append_async({NewMessage{box, blob, 0, {}, 0}},
                                        [&](std::exception_ptr e, std::vector<Appended> r) {
                                            if (e) std::_Exit(4);
                                            write_ack(fd, r[0], hash);
                                            done.set_value();
                                        });
                    done.get_future().wait();
                }
            }
        });
    }
    for (auto& th : threads)
        th.join();
    std::_Exit(0);
}

struct Ack {
    Id mailbox;
    std::uint32_t uid;
    std::string hash;
};

}  // namespace

int main() {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress interleaves with errors on a pipe
    char tmpl[] = "/tmp/hermod-store-crash-XXXXXX";
    if (!::mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        return 2;
    }
    std::string dir = tmpl;
    {
        auto store = open_store(options_for(dir));
        store->add_domain("example.org");
        store->add_account("crash@example.org", "h");
    }
    std::mt19937 rng(static_cast<unsigned>(::getpid()) ^ static_cast<unsigned>(std::time(nullptr)));
    std::size_t total_acked = 0;
    int failures = 0;
    for (int round = 0; round < kRounds; ++round) {
        int pipefd[2];
        if (::pipe(pipefd) != 0) return 2;
        pid_t pid = ::fork();
        if (pid < 0) return 2;
        if (pid == 0) {
            ::close(pipefd[0]);
            child(dir, round, pipefd[1]);
        }
        ::close(pipefd[1]);
        int delay_ms = 100 + static_cast<int>(rng() % 500);
        // Read acks while the child runs, so the pipe never fills up and blocks it.
        std::string acks;
        std::thread reader([&] {
            char buf[65536];
            for (;;) {
                ssize_t n = ::read(pipefd[0], buf, sizeof buf);
                if (n <= 0) break;
                acks.append(buf, static_cast<std::size_t>(n));
            }
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        reader.join();
        ::close(pipefd[0]);
        if (!WIFSIGNALED(status)) {
            std::fprintf(stderr, "round %d: child exited early (status %d)\n", round, status);
            return 1;
        }

        std::vector<Ack> list;
        std::istringstream in(acks);
        Ack a;
        while (in >> a.mailbox >> a.uid >> a.hash)
            list.push_back(a);
        auto store = open_store(options_for(dir));
        for (const auto& ack : list) {
            auto msg = store->find_message(ack.mailbox, ack.uid);
            if (!msg) {
                std::fprintf(
                    stderr, "LOST: round %d: mailbox %lld uid %u was acknowledged but is missing\n",
                    round, static_cast<long long>(ack.mailbox), ack.uid);
                ++failures;
                continue;
            }
            std::string body;
            try {
                body = store->read_blob(msg->blob_hash);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "LOST: round %d: body of mailbox %lld uid %u: %s\n", round,
                             static_cast<long long>(ack.mailbox), ack.uid, e.what());
                ++failures;
                continue;
            }
            if (msg->blob_hash != ack.hash || hermod::sha256_hex(body) != ack.hash) {
                std::fprintf(stderr, "CORRUPT: round %d: mailbox %lld uid %u does not hash to %s\n",
                             round, static_cast<long long>(ack.mailbox), ack.uid, ack.hash.c_str());
                ++failures;
            }
        }
        total_acked += list.size();
        std::printf("round %d: killed after %d ms, %zu acknowledged appends verified\n", round,
                    delay_ms, list.size());
    }
    if (failures) {
        std::fprintf(stderr,
                     "store_crash: %d acknowledged messages lost or corrupt (store kept in %s)\n",
                     failures, dir.c_str());
        return 1;
    }
    std::filesystem::remove_all(dir);
    if (total_acked == 0) {
        std::fprintf(stderr, "store_crash: no append was acknowledged; the test proved nothing\n");
        return 1;
    }
    std::printf("store_crash: OK, %zu acknowledged appends survived SIGKILL\n", total_acked);
    return 0;
}
