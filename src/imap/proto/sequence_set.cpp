// sequence_set.cpp - sequence-set resolution and compact formatting (RFC 9051 §9, RFC 4315 §3).
#include "imap/proto/sequence_set.hpp"

#include <algorithm>

namespace hermod::imap::proto {

namespace {

void append_number(std::string& out, std::uint32_t n) {
    if (n == kStar) {
        out += '*';
        return;
    }
    out += std::to_string(n);
}

}  // namespace

std::vector<SeqRange> SequenceSet::resolve(std::uint32_t largest) const {
    std::vector<SeqRange> out;
    if (saved) return out;
    out.reserve(ranges.size());
    for (SeqRange r : ranges) {
        std::uint32_t a = r.first == kStar ? largest : r.first;
        std::uint32_t b = r.last == kStar ? largest : r.last;
        if (a > b) std::swap(a, b);
        if (b == 0) continue;  // "*" of an empty mailbox
        if (a == 0) a = 1;
        out.push_back({a, b});
    }
    std::sort(out.begin(), out.end(),
              [](const SeqRange& x, const SeqRange& y) { return x.first < y.first; });
    std::vector<SeqRange> merged;
    merged.reserve(out.size());
    for (SeqRange r : out) {
        if (!merged.empty() && (merged.back().last == kStar || r.first <= merged.back().last + 1)) {
            merged.back().last = std::max(merged.back().last, r.last);
        } else {
            merged.push_back(r);
        }
    }
    return merged;
}

bool SequenceSet::contains(std::uint32_t n, std::uint32_t largest) const {
    for (SeqRange r : ranges) {
        std::uint32_t a = r.first == kStar ? largest : r.first;
        std::uint32_t b = r.last == kStar ? largest : r.last;
        if (a > b) std::swap(a, b);
        if (n >= a && n <= b) return true;
    }
    return false;
}

std::uint32_t SequenceSet::max_number(std::uint32_t largest) const {
    std::uint32_t m = 0;
    for (SeqRange r : ranges) {
        std::uint32_t a = r.first == kStar ? largest : r.first;
        std::uint32_t b = r.last == kStar ? largest : r.last;
        m = std::max({m, a, b});
    }
    return m;
}

std::string SequenceSet::to_string() const {
    if (saved) return "$";
    std::string out;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        if (i) out += ',';
        append_number(out, ranges[i].first);
        if (ranges[i].last != ranges[i].first) {
            out += ':';
            append_number(out, ranges[i].last);
        }
    }
    return out;
}

std::string format_uid_set(std::span<const std::uint32_t> uids) {
    std::string out;
    std::size_t i = 0;
    while (i < uids.size()) {
        std::size_t j = i;
        while (j + 1 < uids.size() && uids[j] != kStar && uids[j + 1] == uids[j] + 1)
            ++j;
        if (!out.empty()) out += ',';
        append_number(out, uids[i]);
        if (j > i) {
            out += ':';
            append_number(out, uids[j]);
        }
        i = j + 1;
    }
    return out;
}

std::string format_ranges(std::span<const SeqRange> ranges) {
    SequenceSet s;
    s.ranges.assign(ranges.begin(), ranges.end());
    // Merge without a "*" meaning: kStar stays the top.
    auto merged = s.resolve(kStar);
    s.ranges = std::move(merged);
    return s.to_string();
}

}  // namespace hermod::imap::proto
