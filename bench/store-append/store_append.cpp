// store_append.cpp - appends per second of 4 KiB messages, group commit vs one fsync per append.
//
// For 1, 16 and 64 concurrent writer threads (each doing blocking appends into its own
// account's INBOX, like deliveries to different recipients), measures a store with group commit
// and one with StoreOptions::group_commit=false, each until --seconds of measured time or --max
// messages. The two stores stay open side by side and the measurement alternates between them
// in short slices: the fsync cost of a shared virtual disk drifts by an order of magnitude within
// seconds, and running one mode after the other would credit that drift to the mode.
// Prints a Markdown table.
//
// Usage: bench_store_append [--data DIR] [--seconds S] [--max N] [--writers 1,16,64]
//                           [--slice S]
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/store.hpp"

using namespace hermod::store;
using Clock = std::chrono::steady_clock;

namespace {

/// One store under test, with an INBOX per writer thread, and what was measured on it.
struct Subject {
    std::string dir;
    std::unique_ptr<Store> store;
    std::vector<Id> boxes;
    std::uint64_t appends = 0;
    double seconds = 0;
    std::vector<double> latencies_ms;
    std::uint64_t next_id = 0;

    double rate() const { return seconds > 0 ? static_cast<double>(appends) / seconds : 0; }
    double percentile(double p) {
        if (latencies_ms.empty()) return 0;
        std::sort(latencies_ms.begin(), latencies_ms.end());
        auto i = static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size() - 1));
        return latencies_ms[i];
    }
};

std::unique_ptr<Subject> open_subject(const std::string& base, bool group_commit, int writers) {
    auto s = std::make_unique<Subject>();
    s->dir = base + "/" + (group_commit ? "gc-" : "nogc-") + std::to_string(writers);
    std::filesystem::remove_all(s->dir);
    StoreOptions options;
    options.data_dir = s->dir;
    options.group_commit = group_commit;
    s->store = open_store(options);
    s->store->add_domain("bench.test");
    for (int w = 0; w < writers; ++w) {
        auto a = s->store->add_account("user" + std::to_string(w) + "@bench.test", "x");
        s->boxes.push_back(s->store->find_mailbox(a.id, "INBOX")->id);
    }
    return s;
}

/// Runs `writers` threads of blocking appends on `s` for `slice` seconds (or until `budget`
/// messages have been issued) and adds the outcome to its totals.
void run_slice(Subject& s, int writers, double slice, std::uint64_t budget) {
    std::atomic<std::uint64_t> issued{0};
    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(writers));
    auto start = Clock::now();
    auto deadline =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(slice));
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&, w] {
            std::string body(4096, 'x');
            auto& lat = latencies[static_cast<std::size_t>(w)];
            while (Clock::now() < deadline) {
                std::uint64_t n = issued.fetch_add(1);
                if (n >= budget) break;
                // Distinct content, so every append stores a new blob.
                std::string head = "Message-ID: <" + std::to_string(s.next_id + n) + "@bench>\r\n";
                std::memcpy(body.data(), head.data(), head.size());
                auto t0 = Clock::now();
                auto blob_writer = s.store->new_blob();
                blob_writer->write(body);
                s.store->append({NewMessage{
                    s.boxes[static_cast<std::size_t>(w)], blob_writer->finish(), 0, {}, 0}});
                lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            }
        });
    }
    for (auto& t : threads)
        t.join();
    s.seconds += std::chrono::duration<double>(Clock::now() - start).count();
    s.next_id += issued.load();
    for (auto& l : latencies) {
        s.appends += l.size();
        s.latencies_ms.insert(s.latencies_ms.end(), l.begin(), l.end());
    }
}

/// Mean cost of appending 4 KiB to a file and fdatasync-ing it: the unit cost group commit
/// amortises.
double probe_fsync_ms(const std::string& dir) {
    std::string path = dir + "/fsync-probe";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -1;
    std::string block(4096, 'p');
    constexpr int kRounds = 200;
    auto start = Clock::now();
    for (int i = 0; i < kRounds; ++i) {
        if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>(i) * 4096) < 0 ||
            ::fdatasync(fd) != 0)
            break;
    }
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / kRounds;
    ::close(fd);
    ::unlink(path.c_str());
    return ms;
}

}  // namespace

int main(int argc, char** argv) {
    std::string data = "/var/tmp/hermod-bench-store";
    double seconds = 3, slice = 0.25;
    std::uint64_t max_messages = 100000;
    std::vector<int> writer_counts = {1, 16, 64};
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--data" && i + 1 < argc) {
            data = argv[++i];
        } else if (arg == "--seconds" && i + 1 < argc) {
            seconds = std::atof(argv[++i]);
        } else if (arg == "--slice" && i + 1 < argc) {
            slice = std::atof(argv[++i]);
        } else if (arg == "--max" && i + 1 < argc) {
            max_messages = std::strtoull(argv[++i], nullptr, 10);
        } else if (arg == "--writers" && i + 1 < argc) {
            writer_counts.clear();
            for (char* p = argv[++i]; *p;) {
                writer_counts.push_back(static_cast<int>(std::strtol(p, &p, 10)));
                if (*p != ',') break;
                ++p;
            }
        } else {
            std::fprintf(stderr,
                         "usage: %s [--data DIR] [--seconds S] [--max N] [--writers 1,16,64] "
                         "[--slice S]\n",
                         argv[0]);
            return 2;
        }
    }
    std::filesystem::create_directories(data);
    std::printf(
        "4 KiB messages, blocking appends; per config and mode %.1f s of measured time or %llu "
        "messages, in alternating %.2f s slices; data in %s\n",
        seconds, static_cast<unsigned long long>(max_messages), slice, data.c_str());
    std::printf("disk before: %.2f ms per 4 KiB write + fdatasync\n\n", probe_fsync_ms(data));
    std::printf(
        "| writers | group commit: appends/s | p50 / p99 ms | one fsync per append: appends/s "
        "| p50 / p99 ms | speed-up |\n");
    std::printf("|--:|--:|--:|--:|--:|--:|\n");
    for (int writers : writer_counts) {
        auto gc = open_subject(data, true, writers);
        auto single = open_subject(data, false, writers);
        auto done = [&](const Subject& s) {
            return s.seconds >= seconds || s.appends >= max_messages;
        };
        while (!done(*gc) || !done(*single)) {
            if (!done(*gc)) run_slice(*gc, writers, slice, max_messages - gc->appends);
            if (!done(*single)) run_slice(*single, writers, slice, max_messages - single->appends);
        }
        std::printf("| %d | %.0f | %.2f / %.2f | %.0f | %.2f / %.2f | %.1fx |\n", writers,
                    gc->rate(), gc->percentile(0.5), gc->percentile(0.99), single->rate(),
                    single->percentile(0.5), single->percentile(0.99),
                    single->rate() > 0 ? gc->rate() / single->rate() : 0.0);
        std::fflush(stdout);
        for (auto* s : {gc.get(), single.get()}) {
            s->store.reset();
            std::filesystem::remove_all(s->dir);
        }
    }
    std::printf("\ndisk after: %.2f ms per 4 KiB write + fdatasync\n", probe_fsync_ms(data));
    return 0;
}
