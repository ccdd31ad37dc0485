// bdat_receiver.hpp - receiver for BDAT chunks (RFC 3030 CHUNKING / BINARYMIME).
// Each chunk is exactly the announced number of octets: no dot-unstuffing, no terminator
// scanning. Size and Received: count are tracked across all chunks of one message. BINARYMIME is
// not offered, so the content is text: a bare CR or LF (across chunk boundaries too) makes the
// message BareLineEnding at LAST, like DATA (the queue would otherwise relay SMTP-smuggling
// payloads to hosts that take bare LF for a line end).
// Security: a rejected (too big) message is still consumed chunk by chunk so the session stays
// in sync with the peer (RFC 3030 §2 requires reading the chunk even when refusing it).
#pragma once

#include <cstdint>
#include <optional>

#include "smtp/proto/message_stream.hpp"
#include "smtp/proto/reply.hpp"

namespace hermod::smtp::proto {

struct BdatLimits {
    std::uint64_t max_size = 0;                      ///< whole message, all chunks; 0 = no limit
    std::size_t max_received = kDefaultMaxReceived;  ///< RFC 5321 §6.3; 0 = no check
};

enum class BdatOutcome : std::uint8_t {
    Accepted,
    BareLineEnding,  ///< bare CR or LF (judged once the LAST chunk is complete) -> 550 5.6.0
    TooBig,          ///< too_big() 552 5.3.4
    TooManyHops,     ///< too_many_hops() 554 5.4.6
};

std::optional<Reply> rejection_reply(BdatOutcome outcome);

class BdatReceiver {
  public:
    BdatReceiver(BdatLimits limits, Sink sink);

    /// Starts a chunk of `size` octets ("BDAT size [LAST]"). Precondition: the previous chunk
    /// is complete (chunk_remaining() == 0). A size that would take the message past max_size
    /// marks it TooBig at once, so the session can refuse early; the octets are still consumed.
    void begin_chunk(std::uint64_t size, bool last);

    /// Consumes up to chunk_remaining() octets. Done when the chunk is complete; input after
    /// `consumed` is the next command's.
    FeedResult feed(std::string_view input);

    std::uint64_t chunk_remaining() const { return remaining_; }
    /// The LAST chunk has been received completely.
    bool message_complete() const { return last_ && remaining_ == 0; }
    /// TooBig as soon as known; BareLineEnding only once message_complete() (a CR ending one
    /// chunk may be followed by the LF starting the next).
    BdatOutcome outcome() const;
    bool saw_bare_cr() const { return bare_cr_; }
    bool saw_bare_lf() const { return bare_lf_; }
    std::uint64_t size() const { return size_; }  ///< octets announced in chunks so far
    std::size_t received_count() const { return received_.count(); }

    /// Ready for the next message (after LAST or RSET).
    void reset();

  private:
    BdatLimits limits_;
    Sink sink_;
    ReceivedCounter received_;
    std::uint64_t remaining_ = 0;
    std::uint64_t size_ = 0;
    bool last_ = false;
    bool too_big_ = false;
    bool after_cr_ = false;  ///< the last octet seen was CR
    bool bare_cr_ = false;
    bool bare_lf_ = false;
};

}  // namespace hermod::smtp::proto
