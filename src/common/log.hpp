// log.hpp - readable logs: one line per event, "time level [component] message".
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace hermod {

/// Sets up the process-wide logger on stderr at `level` (trace, debug, info, warn, error).
/// Returns false when the level name is unknown (the logger then stays at info).
bool init_logging(std::string_view level);

}  // namespace hermod
