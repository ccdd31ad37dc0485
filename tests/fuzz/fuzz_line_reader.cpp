// fuzz_line_reader.cpp - LineReader must never crash, never return a line longer than its limit,
// and give the same results whether the input arrives at once or in the chunks the fuzzer picks.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/line_reader.hpp"

namespace {

using hermod::net::LineReader;

std::vector<std::string> drain(LineReader& r, std::size_t limit) {
    std::vector<std::string> out;
    for (;;) {
        auto res = r.next();
        if (res.status == LineReader::Status::NeedMore) return out;
        if (res.status == LineReader::Status::TooLong) {
            out.emplace_back("\x01TOOLONG");
            continue;
        }
        std::size_t term = res.ending == hermod::net::LineEnding::CrLf ? 2 : 1;
        if (res.text.size() + term > limit) std::abort();
        out.emplace_back(std::string(res.text) + (term == 2 ? "\r\n" : "\n"));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    // First byte: the limit; second: the chunk size for the split run.
    std::size_t limit = 2 + data[0] % 64;
    std::size_t chunk = 1 + data[1] % 16;
    std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

    LineReader whole(limit);
    whole.feed(in);
    auto want = drain(whole, limit);

    LineReader split(limit);
    std::vector<std::string> got;
    for (std::size_t i = 0; i < in.size(); i += chunk) {
        split.feed(in.substr(i, chunk));
        auto part = drain(split, limit);
        got.insert(got.end(), part.begin(), part.end());
        if (split.buffered().size() > limit + chunk) std::abort();  // bounded buffering
    }
    if (got != want) std::abort();
    if (whole.buffered() != split.buffered()) std::abort();
    return 0;
}
