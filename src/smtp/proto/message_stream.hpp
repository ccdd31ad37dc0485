// message_stream.hpp - pieces shared by the DATA and BDAT receivers: the feed result, the output
// sink and the Received: header counter (RFC 5321 §6.3 loop detection).
// Security: peer data passes through here; the counter keeps O(1) state whatever the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace hermod::smtp::proto {

/// Receives message octets in chunks. The view points into the buffer given to feed() (or to a
/// static literal) and is valid only during the call: copy to persist.
using Sink = std::function<void(std::string_view chunk)>;

enum class FeedStatus : std::uint8_t {
    NeedMore,  ///< all input consumed, the message (or chunk) is not complete yet
    Done,      ///< the message (DATA) or chunk (BDAT) is complete
};

struct FeedResult {
    FeedStatus status = FeedStatus::NeedMore;
    /// Octets of the input that were used. With Done, input[consumed..] belongs to whatever
    /// follows (pipelined commands, RFC 2920) and must be handed back to the command reader.
    std::size_t consumed = 0;
};

/// RFC 5321 §6.3: a message with more than this many Received: fields is looping.
inline constexpr std::size_t kDefaultMaxReceived = 100;

/// Counts "Received:" fields (case-insensitive, white space allowed before the colon as in
/// RFC 5322 §4.5.x obsolete syntax) in the header section, i.e. until the first empty line.
/// Lines end at LF (so CRLF and the bare LF that BINARYMIME may carry both work). Chunking of
/// the input does not matter.
class ReceivedCounter {
  public:
    void feed(std::string_view bytes);
    std::size_t count() const { return count_; }
    bool in_headers() const { return state_ != State::Body; }
    void reset() { *this = ReceivedCounter(); }

  private:
    enum class State : std::uint8_t { LineStart, Matching, AfterName, EmptyCr, SkipLine, Body };
    State state_ = State::LineStart;
    std::uint8_t matched_ = 0;  // octets of "received" matched so far
    std::size_t count_ = 0;
};

}  // namespace hermod::smtp::proto
