// fuzz_smtp_data.cpp - the DATA and BDAT receivers: chunking never changes the verdict, only
// <CRLF>.<CRLF> ends DATA, and an accepted message never contains a bare CR or LF.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "smtp/proto/bdat_receiver.hpp"
#include "smtp/proto/data_receiver.hpp"

using namespace hermod::smtp::proto;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

struct Outcome {
    std::string output;
    bool done = false;
    std::size_t consumed = 0;
    DataOutcome outcome = DataOutcome::Accepted;
    std::size_t received = 0;
    std::uint64_t size = 0;
};

Outcome run_data(std::string_view in, std::size_t step, const DataLimits& limits) {
    Outcome o;
    DataReceiver rx(limits, [&](std::string_view c) { o.output.append(c); });
    std::size_t pos = 0;
    while (pos < in.size() || (pos == 0 && in.empty())) {
        std::size_t n = std::min(step, in.size() - pos);
        std::string piece(in.substr(pos, n));
        FeedResult r = rx.feed(piece);
        check(r.consumed <= piece.size());
        if (r.status == FeedStatus::Done) {
            o.done = true;
            o.consumed = pos + r.consumed;
            break;
        }
        check(r.consumed == piece.size());
        pos += n;
        if (in.empty()) break;
    }
    o.outcome = rx.outcome();
    o.received = rx.received_count();
    o.size = rx.size();
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // First byte: chunk size for the second run and the size limit.
    const std::size_t step = 1 + data[0] % 17;
    DataLimits limits;
    limits.max_size = data[0] & 0x80 ? 64 : 0;
    limits.reject_long_lines = (data[0] & 0x40) != 0;
    limits.max_line = 40;
    limits.max_received = 2;
    std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);

    Outcome whole = run_data(in, in.size() + 1, limits);
    Outcome split = run_data(in, step, limits);
    check(whole.done == split.done && whole.consumed == split.consumed);
    check(whole.outcome == split.outcome && whole.received == split.received);
    check(whole.size == split.size);
    if (whole.done) {
        // Only <CRLF>.<CRLF> ends DATA (the CRLF may be DATA's own, at the very start).
        std::string_view used = in.substr(0, whole.consumed);
        bool at_start = whole.consumed == 3 && used == ".\r\n";
        check(at_start || (used.size() >= 5 && used.substr(used.size() - 5) == "\r\n.\r\n"));
    }
    if (whole.outcome == DataOutcome::Accepted) {
        check(whole.output == split.output);
    }
    if (whole.done && whole.outcome == DataOutcome::Accepted) {
        const std::string& out = whole.output;
        // Only a finished message is known to be clean: a final "\r" may still become CRLF.
        for (std::size_t i = 0; i < out.size(); ++i) {
            if (out[i] == '\r') check(i + 1 < out.size() && out[i + 1] == '\n');
            if (out[i] == '\n') check(i > 0 && out[i - 1] == '\r');
        }
        if (limits.max_size != 0) check(out.size() <= limits.max_size);
    }

    // BDAT: the input as one message in chunks of `step` octets gives back the same octets.
    std::string out;
    BdatReceiver bdat({}, [&](std::string_view c) { out.append(c); });
    std::size_t pos = 0;
    while (pos < in.size()) {
        std::size_t n = std::min(step, in.size() - pos);
        bdat.begin_chunk(n, pos + n == in.size());
        FeedResult r = bdat.feed(in.substr(pos));
        check(r.status == FeedStatus::Done && r.consumed == n);
        pos += n;
    }
    check(out == in);
    check(in.empty() || bdat.message_complete());
    return 0;
}
