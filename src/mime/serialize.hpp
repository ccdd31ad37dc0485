// serialize.hpp - compact, versioned binary form of a Structure for the message store.
// Layout: "HMS" + version byte, then the tree depth-first; integers as LEB128 varints,
// strings as varint length + bytes, optionals as a presence byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mime/structure.hpp"

namespace hermod::mime {

inline constexpr unsigned char kSerializeVersion = 1;

std::string serialize(const Structure& s);

/// nullopt on any malformed, truncated or newer-version input (never trusts lengths).
std::optional<Structure> deserialize(std::string_view bytes);

}  // namespace hermod::mime
