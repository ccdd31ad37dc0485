// date.hpp - RFC 5322 §3.3 date-time, with the obsolete forms of §4.3 (two- and three-digit
// years, alphabetic zones, missing seconds or day-of-week, comments).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hermod::mime {

struct DateTime {
    std::int64_t unix_time = 0;  ///< seconds since the epoch, UTC
    int tz_minutes = 0;          ///< offset east of UTC as written (-0500 -> -300)
    bool operator==(const DateTime&) const = default;
};

/// nullopt when no day, month, year and time can be found. Unknown zones count as +0000
/// (RFC 5322 §4.3: military zones "SHOULD be considered equivalent to -0000").
std::optional<DateTime> parse_date(std::string_view text);

}  // namespace hermod::mime
