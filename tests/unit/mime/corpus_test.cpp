// Every message of the shared corpus (real and malformed mail from cpython, SpamAssassin and
// stalwart mail-parser test suites) parses within limits into a consistent structure that
// survives storage.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "mime/parser.hpp"
#include "mime/serialize.hpp"

using namespace hermod::mime;
namespace fs = std::filesystem;

namespace {

void check_part(const Part& p, std::string_view msg, std::size_t depth, std::size_t& count,
                const std::string& where) {
    SCOPED_TRACE(where);
    const std::size_t size = msg.size();
    ++count;
    ASSERT_LE(depth, Limits{}.max_depth);
    ASSERT_EQ(p.header_offset + p.header_size, p.body_offset);
    ASSERT_LE(p.body_offset + p.body_size, size);
    std::string_view body = msg.substr(p.body_offset, p.body_size);
    ASSERT_EQ(p.body_lines, static_cast<std::uint64_t>(std::count(body.begin(), body.end(), '\n')));
    std::uint64_t pos = p.body_offset;
    for (std::size_t i = 0; i < p.children.size(); ++i) {
        const Part& c = p.children[i];
        ASSERT_GE(c.header_offset, pos) << "child " << i << " overlaps its predecessor";
        pos = c.body_offset + c.body_size;
        ASSERT_LE(pos, p.body_offset + p.body_size) << "child " << i << " leaves its parent";
        check_part(c, msg, depth + 1, count, where + "." + std::to_string(i + 1));
    }
    if (p.is_multipart() || p.children.empty()) return;
    ASSERT_EQ(p.children.size(), 1u);
    ASSERT_EQ(p.children[0].header_offset, p.body_offset);
}

}  // namespace

TEST(MimeCorpus, EveryMessageParsesConsistentlyAndRoundTrips) {
    fs::path root = fs::path(HERMOD_SOURCE_DIR) / ".." / "shared" / "corpora" / "mime";
    if (!fs::is_directory(root)) GTEST_SKIP() << "MIME corpus not found at " << root;
    std::size_t files = 0, parts = 0, multiparts = 0, messages = 0;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file()) continue;
        if (e.path().parent_path().filename() == "LICENSES") continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::string msg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::string name = fs::relative(e.path(), root).string();
        Structure s = parse(msg);
        std::size_t count = 0;
        check_part(s.root, msg, 0, count, name);
        EXPECT_LE(count, Limits{}.max_parts) << name;
        EXPECT_TRUE(s.root.envelope.has_value()) << name;
        parts += count;
        multiparts += s.root.is_multipart();
        messages += !s.root.is_multipart() && s.root.is_message();
        auto back = deserialize(serialize(s));
        ASSERT_TRUE(back.has_value()) << name;
        EXPECT_TRUE(*back == s) << name;
        ++files;
    }
    EXPECT_GE(files, 150u);
    EXPECT_GT(multiparts, 30u);
    RecordProperty("files", static_cast<int>(files));
    RecordProperty("parts", static_cast<int>(parts));
}
