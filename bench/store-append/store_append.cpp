// store_append.cpp - appends per second of 4 KiB messages, group commit vs one fsync per append.
//
// For 1, 16 and 64 concurrent writer threads (each doing blocking appends into its own
// account's INBOX, like deliveries to different recipients), runs once with group commit and
// once with StoreOptions::group_commit=false, each config until --seconds elapse or --max
// messages are appended, in a fresh store under --data. Prints a Markdown table.
//
// Usage: bench_store_append [--data DIR] [--seconds S] [--max N]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/store.hpp"

using namespace hermod::store;
using Clock = std::chrono::steady_clock;

namespace {

struct Result {
    std::uint64_t appends = 0;
    double seconds = 0;
    double p50_ms = 0, p99_ms = 0;
    double rate() const { return seconds > 0 ? static_cast<double>(appends) / seconds : 0; }
};

Result run(const std::string& base, bool group_commit, int writers, double max_seconds,
           std::uint64_t max_messages) {
    std::string dir = base + "/" + (group_commit ? "gc-" : "nogc-") + std::to_string(writers);
    std::filesystem::remove_all(dir);
    StoreOptions options;
    options.data_dir = dir;
    options.group_commit = group_commit;
    Result result;
    {
        auto store = open_store(options);
        store->add_domain("bench.test");
        std::vector<Id> boxes;
        for (int w = 0; w < writers; ++w) {
            auto a = store->add_account("user" + std::to_string(w) + "@bench.test", "x");
            boxes.push_back(store->find_mailbox(a.id, "INBOX")->id);
        }
        std::atomic<std::uint64_t> issued{0};
        std::vector<std::vector<double>> latencies(static_cast<std::size_t>(writers));
        auto start = Clock::now();
        auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(max_seconds));
        std::vector<std::thread> threads;
        for (int w = 0; w < writers; ++w) {
            threads.emplace_back([&, w] {
                std::string body(4096, 'x');
                auto& lat = latencies[static_cast<std::size_t>(w)];
                while (Clock::now() < deadline) {
                    std::uint64_t n = issued.fetch_add(1);
                    if (n >= max_messages) break;
                    // Distinct content, so every append stores a new blob.
                    std::string head = "Message-ID: <" + std::to_string(n) + "@bench>\r\n";
                    std::memcpy(body.data(), head.data(), head.size());
                    auto t0 = Clock::now();
                    auto blob_writer = store->new_blob();
                    blob_writer->write(body);
                    store->append({NewMessage{boxes[static_cast<std::size_t>(w)],
                                              blob_writer->finish(), 0, {}, 0}});
                    lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                }
            });
        }
        for (auto& t : threads) t.join();
        result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        std::vector<double> all;
        for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
        result.appends = all.size();
        if (!all.empty()) {
            std::sort(all.begin(), all.end());
            result.p50_ms = all[all.size() / 2];
            result.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
        }
    }
    std::filesystem::remove_all(dir);
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    std::string data = "/var/tmp/hermod-bench-store";
    double seconds = 3;
    std::uint64_t max_messages = 100000;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--data" && i + 1 < argc)
            data = argv[++i];
        else if (arg == "--seconds" && i + 1 < argc)
            seconds = std::atof(argv[++i]);
        else if (arg == "--max" && i + 1 < argc)
            max_messages = std::strtoull(argv[++i], nullptr, 10);
        else {
            std::fprintf(stderr, "usage: %s [--data DIR] [--seconds S] [--max N]\n", argv[0]);
            return 2;
        }
    }
    std::filesystem::create_directories(data);
    std::printf("4 KiB messages, blocking appends, each config until %.0f s or %llu messages; data in %s\n\n",
                seconds, static_cast<unsigned long long>(max_messages), data.c_str());
    std::printf("| writers | group commit: appends/s | p50 / p99 ms | one fsync per append: appends/s "
                "| p50 / p99 ms | speed-up |\n");
    std::printf("|--:|--:|--:|--:|--:|--:|\n");
    for (int writers : {1, 16, 64}) {
        Result gc = run(data, true, writers, seconds, max_messages);
        Result single = run(data, false, writers, seconds, max_messages);
        std::printf("| %d | %.0f | %.2f / %.2f | %.0f | %.2f / %.2f | %.1fx |\n", writers, gc.rate(),
                    gc.p50_ms, gc.p99_ms, single.rate(), single.p50_ms, single.p99_ms,
                    single.rate() > 0 ? gc.rate() / single.rate() : 0.0);
        std::fflush(stdout);
    }
    return 0;
}
