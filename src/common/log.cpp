#include "common/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace hermod {

bool init_logging(std::string_view level) {
    static auto logger = [] {
        auto l = spdlog::stderr_color_mt("hermod");
        l->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
        spdlog::set_default_logger(l);
        return l;
    }();
    auto lvl = spdlog::level::from_str(std::string(level));
    bool known = !(lvl == spdlog::level::off && level != "off");
    logger->set_level(known ? lvl : spdlog::level::info);
    logger->flush_on(spdlog::level::info);
    return known;
}

}  // namespace hermod
