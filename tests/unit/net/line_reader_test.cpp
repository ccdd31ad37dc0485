// line_reader_test.cpp - LineReader: terminators, limits, resync, STARTTLS discard, and grind
// tests (every split point gives the same lines).
#include "net/line_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hermod::net {
namespace {

// Renders every result as a string so whole sequences compare easily: "L:text", "B:text"
// (bare LF), "TOOLONG".
std::vector<std::string> drain(LineReader& r) {
    std::vector<std::string> out;
    for (;;) {
        auto res = r.next();
        if (res.status == LineReader::Status::NeedMore) return out;
        if (res.status == LineReader::Status::TooLong)
            out.push_back("TOOLONG");
        else
            out.push_back((res.ending == LineEnding::CrLf ? "L:" : "B:") + std::string(res.text));
    }
}

std::vector<std::string> run_chunks(const std::vector<std::string>& chunks, std::size_t limit) {
    LineReader r(limit);
    std::vector<std::string> out;
    for (auto& c : chunks) {
        r.feed(c);
        auto got = drain(r);
        out.insert(out.end(), got.begin(), got.end());
    }
    return out;
}

std::vector<std::string> run_whole(const std::string& in, std::size_t limit) {
    return run_chunks({in}, limit);
}

TEST(LineReader, CrLfAndBareLf) {
    auto got = run_whole("EHLO a\r\nMAIL\nx\ry\r\n\r\n", 512);
    std::vector<std::string> want = {"L:EHLO a", "B:MAIL", "L:x\ry", "L:"};
    EXPECT_EQ(got, want);
}

TEST(LineReader, NeedMoreUntilTerminator) {
    LineReader r(100);
    r.feed("HELO");
    EXPECT_EQ(r.next().status, LineReader::Status::NeedMore);
    r.feed(" x\r");
    EXPECT_EQ(r.next().status, LineReader::Status::NeedMore);
    r.feed("\n");
    auto res = r.next();
    ASSERT_EQ(res.status, LineReader::Status::Line);
    EXPECT_EQ(res.text, "HELO x");
    EXPECT_EQ(res.ending, LineEnding::CrLf);
}

TEST(LineReader, LimitCountsTerminator) {
    // Limit 10: 8 chars + CRLF = 10 fits, 9 chars + CRLF = 11 does not, 9 chars + LF fits.
    EXPECT_EQ(run_whole("12345678\r\n", 10), std::vector<std::string>{"L:12345678"});
    EXPECT_EQ(run_whole("123456789\r\n", 10), std::vector<std::string>{"TOOLONG"});
    EXPECT_EQ(run_whole("123456789\n", 10), std::vector<std::string>{"B:123456789"});
}

TEST(LineReader, TooLongReportedOnceThenResyncs) {
    std::string in = std::string(5000, 'a') + "\r\nNEXT\r\n";
    auto got = run_whole(in, 100);
    std::vector<std::string> want = {"TOOLONG", "L:NEXT"};
    EXPECT_EQ(got, want);
}

TEST(LineReader, NeverBuffersBeyondLimitWhileSkipping) {
    LineReader r(64);
    r.feed(std::string(64, 'x'));
    EXPECT_EQ(r.next().status, LineReader::Status::TooLong);
    for (int i = 0; i < 1000; ++i) {
        r.feed(std::string(1000, 'y'));
        EXPECT_EQ(r.next().status, LineReader::Status::NeedMore);
        EXPECT_LE(r.buffered().size(), 64u);
    }
    r.feed("tail\r\nOK\r\n");
    auto res = r.next();
    ASSERT_EQ(res.status, LineReader::Status::Line);
    EXPECT_EQ(res.text, "OK");
}

TEST(LineReader, DiscardBufferedDropsPipelinedPlaintext) {
    LineReader r(512);
    r.feed("STARTTLS\r\nMAIL FROM:<evil>\r\npartial");
    auto res = r.next();
    ASSERT_EQ(res.status, LineReader::Status::Line);
    EXPECT_EQ(res.text, "STARTTLS");
    EXPECT_EQ(r.discard_buffered(), std::string("MAIL FROM:<evil>\r\npartial").size());
    EXPECT_EQ(r.next().status, LineReader::Status::NeedMore);
    r.feed("EHLO tls\r\n");
    EXPECT_EQ(r.next().text, "EHLO tls");
}

TEST(LineReader, DiscardEndsSkipping) {
    LineReader r(8);
    r.feed("0123456789");
    EXPECT_EQ(r.next().status, LineReader::Status::TooLong);
    r.discard_buffered();
    r.feed("ok\r\n");
    EXPECT_EQ(r.next().text, "ok");
}

TEST(LineReader, TakeAndConsumeBuffered) {
    LineReader r(512);
    r.feed("DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\n");
    EXPECT_EQ(r.next().text, "DATA");
    EXPECT_EQ(r.buffered(), "Subject: x\r\n\r\nbody\r\n.\r\n");
    r.consume(12);
    EXPECT_EQ(r.take_buffered(), "\r\nbody\r\n.\r\n");
    EXPECT_TRUE(r.buffered().empty());
    EXPECT_EQ(r.next().status, LineReader::Status::NeedMore);
}

TEST(LineReader, ViewsStayValidUntilNextFeed) {
    LineReader r(512);
    r.feed("a\r\nb\r\n");
    auto a = r.next();
    auto b = r.next();
    EXPECT_EQ(a.text, "a");
    EXPECT_EQ(b.text, "b");
}

TEST(LineReader, SetMaxLine) {
    LineReader r(10);
    r.set_max_line(100);
    r.feed(std::string(50, 'x') + "\r\n");
    EXPECT_EQ(r.next().status, LineReader::Status::Line);
}

// Inputs covering CR/LF edge cases and limit boundaries for the grind tests.
const std::vector<std::string>& grind_inputs() {
    static const std::vector<std::string> v = {
        "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n",
        "a\nb\r\n\r\r\n\n\r\nc",
        std::string(15, 'x') + "\r\n" + std::string(16, 'y') + "\r\nz\r\n",
        std::string(40, 'q') + "\n" + std::string(14, 'r') + "\n\r\n" + std::string(17, 's'),
        "\r\r\r\n" + std::string(30, '\r') + "\n" + "ok\r\n",
        "x\r\n.\r\n" + std::string(16, '\n') + std::string(16, 'w'),
    };
    return v;
}

TEST(LineReader, GrindEverySplitPointGivesSameResult) {
    for (std::size_t limit : {2u, 3u, 16u, 17u, 18u, 512u}) {
        for (const auto& in : grind_inputs()) {
            auto want = run_whole(in, limit);
            for (std::size_t i = 0; i <= in.size(); ++i) {
                for (std::size_t j = i; j <= in.size(); ++j) {
                    auto got =
                        run_chunks({in.substr(0, i), in.substr(i, j - i), in.substr(j)}, limit);
                    ASSERT_EQ(got, want) << "limit " << limit << " split " << i << "," << j;
                }
            }
        }
    }
}

TEST(LineReader, GrindChunkSizes) {
    for (const auto& in : grind_inputs()) {
        auto want = run_whole(in, 16);
        for (std::size_t size : {1u, 2u, 3u, 7u, 11u, 64u}) {
            std::vector<std::string> chunks;
            for (std::size_t i = 0; i < in.size(); i += size)
                chunks.push_back(in.substr(i, size));
            ASSERT_EQ(run_chunks(chunks, 16), want) << "chunk " << size;
        }
    }
}

}  // namespace
}  // namespace hermod::net
