// charset.cpp - iconv-based conversion to UTF-8 with a small per-thread cache of converters.
#include "mime/charset.hpp"

#include <errno.h>
#include <iconv.h>

#include <array>
#include <cstring>

#include "common/utf8.hpp"

namespace hermod::mime {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Labels iconv does not know, or knows as a narrower set than mail actually uses
// (WHATWG Encoding Standard practice: GB2312 mail is GBK, ks_c_5601 mail is CP949).
std::string iconv_name(std::string_view charset) {
    std::string c = lower(charset);
    while (!c.empty() && (c.back() == ' ' || c.back() == '\t'))
        c.pop_back();
    if (c == "gb2312" || c == "gbk" || c == "x-gbk" || c == "cp936" || c == "euc-cn")
        return "GB18030";
    if (c == "ks_c_5601-1987" || c == "ks_c_5601" || c == "euc-kr") return "CP949";
    if (c == "big5" || c == "x-big5") return "BIG5-HKSCS";
    if (c == "shift_jis" || c == "sjis" || c == "x-sjis") return "CP932";
    if (c == "tis-620") return "CP874";
    return c;
}

// One converter per charset name, per thread (iconv_t is not thread-safe; iconv_open costs
// far more than a conversion of a header word).
class ConverterCache {
  public:
    ~ConverterCache() {
        for (auto& e : entries_)
            if (e.cd != reinterpret_cast<iconv_t>(-1)) iconv_close(e.cd);
    }
    // Returns (iconv_t)-1 for an unknown charset (remembered, so unknown labels stay cheap).
    iconv_t get(const std::string& name) {
        for (auto& e : entries_)
            if (e.used && e.name == name) {
                iconv(e.cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state
                return e.cd;
            }
        auto& e = entries_[next_];
        next_ = (next_ + 1) % entries_.size();
        if (e.used && e.cd != reinterpret_cast<iconv_t>(-1)) iconv_close(e.cd);
        e.used = true;
        e.name = name;
        e.cd = iconv_open("UTF-8", name.c_str());
        return e.cd;
    }

  private:
    struct Entry {
        bool used = false;
        std::string name;
        iconv_t cd = reinterpret_cast<iconv_t>(-1);
    };
    std::array<Entry, 8> entries_;
    std::size_t next_ = 0;
};

thread_local ConverterCache cache;

}  // namespace

bool is_utf8_compatible(std::string_view charset) {
    std::string c = lower(charset);
    return c.empty() || c == "utf-8" || c == "utf8" || c == "us-ascii" || c == "ascii" ||
           c == "ansi_x3.4-1968" || c == "x-unknown" || c == "unknown-8bit";
}

void append_utf8_lossy(std::string& out, std::string_view bytes) {
    if (is_valid_utf8(bytes)) {
        out.append(bytes);
        return;
    }
    // Copy the longest valid prefix of what remains, then replace one bad byte.
    std::size_t i = 0;
    while (i < bytes.size()) {
        auto c = static_cast<unsigned char>(bytes[i]);
        std::size_t len = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
        if (len != 0 && i + len <= bytes.size() && is_valid_utf8(bytes.substr(i, len))) {
            out.append(bytes.substr(i, len));
            i += len;
        } else {
            out.append(kReplacement);
            ++i;
        }
    }
}

void append_as_utf8(std::string& out, std::string_view bytes, std::string_view charset) {
    if (bytes.empty()) return;
    if (is_utf8_compatible(charset)) {
        append_utf8_lossy(out, bytes);
        return;
    }
    iconv_t cd = cache.get(iconv_name(charset));
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        append_utf8_lossy(out, bytes);
        return;
    }
    char* in = const_cast<char*>(bytes.data());
    std::size_t in_left = bytes.size();
    char buf[1024];
    while (true) {
        char* o = buf;
        std::size_t o_left = sizeof buf;
        std::size_t r =
            iconv(cd, in_left ? &in : nullptr, in_left ? &in_left : nullptr, &o, &o_left);
        out.append(buf, sizeof buf - o_left);
        if (r != static_cast<std::size_t>(-1)) {
            if (in_left == 0) break;
            continue;
        }
        if (errno == E2BIG) continue;
        // EILSEQ or EINVAL (truncated sequence at the end): one replacement, skip a byte.
        out.append(kReplacement);
        ++in;
        --in_left;
        iconv(cd, nullptr, nullptr, nullptr, nullptr);
        if (in_left == 0) break;
    }
}

}  // namespace hermod::mime
