// fuzz_address.cpp - address parsing is bounded and total: any bytes give a value or nullopt.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto a = hermod::parse_address(text)) {
        // A parsed address parses again to itself.
        auto again = hermod::parse_address(a->str());
        if (!again || again->str() != a->str()) std::abort();
    }
    return 0;
}
