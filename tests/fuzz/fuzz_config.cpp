// fuzz_config.cpp - the config reader must report errors, never crash, on any input.
#include <cstdint>
#include <string_view>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = hermod::config::parse(text, "fuzz.toml");
    if (r.errors.empty()) (void)hermod::config::to_toml(r.config);
    return 0;
}
