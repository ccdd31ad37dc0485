// date.cpp - RFC 5322 §3.3 / §4.3 date parsing; tolerant of the usual real-world variants.
#include "mime/date.hpp"

#include <cctype>
#include <string>

#include "mime/header.hpp"

namespace hermod::mime {
namespace {

// Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Tokens {
    std::string_view s;
    std::size_t pos = 0;

    void skip() {
        while (pos < s.size()) {
            char c = s[pos];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
                ++pos;
            } else if (c == '(') {
                pos = skip_comment(s, pos);
            } else {
                break;
            }
        }
    }
    // A run of letters, or of digits, or a single other character.
    std::string_view next() {
        skip();
        if (pos >= s.size()) return {};
        std::size_t start = pos;
        auto cls = [](char c) {
            return std::isalpha(static_cast<unsigned char>(c))   ? 1
                   : std::isdigit(static_cast<unsigned char>(c)) ? 2
                                                                 : 3;
        };
        int k = cls(s[pos]);
        ++pos;
        if (k != 3)
            while (pos < s.size() && cls(s[pos]) == k)
                ++pos;
        return s.substr(start, pos - start);
    }
    std::string_view peek() {
        std::size_t save = pos;
        auto t = next();
        pos = save;
        return t;
    }
};

bool is_num(std::string_view t) {
    return !t.empty() && std::isdigit(static_cast<unsigned char>(t[0]));
}
int num(std::string_view t) {
    int v = 0;
    for (char c : t.substr(0, 9)) {
        if (c < '0' || c > '9') break;
        v = v * 10 + (c - '0');
    }
    return v;
}

int month_of(std::string_view t) {
    static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                   "jul", "aug", "sep", "oct", "nov", "dec"};
    if (t.size() < 3) return 0;
    for (int i = 0; i < 12; ++i)
        if (iequals(t.substr(0, 3), kMonths[i])) return i + 1;
    return 0;
}

// RFC 5322 §4.3 obs-zone; anything else (military, unknown) is +0000.
int zone_minutes(std::string_view z) {
    struct Z {
        std::string_view name;
        int hours;
    };
    static constexpr Z kZones[] = {{"UT", 0},   {"UTC", 0},  {"GMT", 0},  {"EST", -5},
                                   {"EDT", -4}, {"CST", -6}, {"CDT", -5}, {"MST", -7},
                                   {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
    for (const auto& e : kZones)
        if (iequals(z, e.name)) return e.hours * 60;
    return 0;
}

}  // namespace

std::optional<DateTime> parse_date(std::string_view text) {
    Tokens tk{text};
    auto t = tk.next();
    // Optional day-of-week.
    if (!t.empty() && !is_num(t)) {
        if (month_of(t) == 0 || iequals(t, "mon")) t = tk.next();
    }
    int day = 0, month = 0, year = -1;
    if (is_num(t)) {
        day = num(t);
        auto m = tk.next();
        if (m == "-") m = tk.next();  // "1-Jan-2020"
        month = month_of(m);
    } else if (month_of(t)) {  // "Jan 1 2020" (asctime-like), tolerated
        month = month_of(t);
        auto d = tk.next();
        if (!is_num(d)) return std::nullopt;
        day = num(d);
    }
    if (month == 0 || day < 1 || day > 31) return std::nullopt;
    auto y = tk.next();
    if (y == "-") y = tk.next();
    if (!is_num(y)) return std::nullopt;
    year = num(y);
    // RFC 5322 §4.3: two-digit years 00-49 are 20xx, 50-99 19xx; three digits add 1900.
    if (y.size() <= 2)
        year += year < 50 ? 2000 : 1900;
    else if (y.size() == 3)
        year += 1900;
    int hour = 0, minute = 0, second = 0;
    auto h = tk.next();
    if (!is_num(h)) return std::nullopt;
    hour = num(h);
    if (tk.next() != ":") return std::nullopt;
    auto mi = tk.next();
    if (!is_num(mi)) return std::nullopt;
    minute = num(mi);
    if (tk.peek() == ":") {
        tk.next();
        auto se = tk.next();
        if (is_num(se)) second = num(se);
    }
    if (year > 9999) return std::nullopt;
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    int tz = 0;
    auto z = tk.next();
    if (z == "+" || z == "-") {
        auto d = tk.next();
        if (is_num(d) && d.size() == 4) {
            int v = num(d);
            tz = (v / 100) * 60 + v % 100;
            if (z == "-") tz = -tz;
        }
    } else if (!z.empty() && !is_num(z)) {
        tz = zone_minutes(z);
    }
    DateTime dt;
    dt.tz_minutes = tz;
    dt.unix_time =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
        hour * 3600 + minute * 60 + second - static_cast<std::int64_t>(tz) * 60;
    return dt;
}

}  // namespace hermod::mime
