// delivery.hpp - the seam between the protocols that receive mail (SMTP, LMTP) and what happens
// to it: recipient resolution (accounts, aliases, catch-all, plus-addressing, mailing lists),
// relay policy, the per-recipient delivery pipeline, local delivery into mailboxes and the
// durable outbound queue.
//
// The SMTP session asks at RCPT time (check_recipient) and hands the finished message over at
// end of data (deliver_async). It never touches the store directly.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/blob.hpp"

namespace hermod::store {
class Store;
}

namespace hermod::delivery {

/// What the receiving session knows about its client, for policy decisions.
struct Client {
    std::string ip;              // peer address, e.g. "127.0.0.1" or "::1"
    bool authenticated = false;  // SMTP AUTH succeeded
    std::string login;           // the account address it authenticated as
    bool trusted = false;        // from a configured trusted network (may relay)
};

/// The verdict at RCPT time; the session turns it into the reply (RFC 5321 §3.3, RFC 3463).
enum class RcptStatus {
    Local,        // 250 2.1.5: delivers into at least one local mailbox
    Remote,       // 250 2.1.5: will be queued for a remote domain (relay permitted)
    NoSuchUser,   // 550 5.1.1
    RelayDenied,  // 554 5.7.1
    OverQuota,    // 452 4.2.2 (RFC 5321 §4.5.3.1.10 and RFC 3463 mailbox full)
    TempFail,     // 451 4.3.0 (e.g. alias loop found while resolving or store error)
    BadAddress,   // 550 5.1.3: syntax we refuse for policy (relay tricks, see smtp/proto/path)
};

struct RcptVerdict {
    RcptStatus status = RcptStatus::NoSuchUser;
    std::string detail;  // short human text for the reply, may be empty
};

/// DSN parameters kept with the envelope (RFC 3461 §4); the queue issue acts on them.
struct DsnParams {
    std::string ret;    // "FULL", "HDRS" or ""
    std::string envid;  // ENVID, decoded, or ""
};

struct Recipient {
    std::string address;      // as given at RCPT (forward-path mailbox)
    std::uint8_t notify = 0;  // RFC 3461 NOTIFY bits (smtp::proto::NotifyFlag values)
    std::string orcpt;        // ORCPT "type;address" or ""
    /// SMTP (not LMTP): the RCPT-time quota check accepted this recipient and a single 250 will
    /// answer for every recipient, so the quota check is authoritative ("quota grace"): the copy
    /// is delivered even if it takes the mailbox past its quota, rather than silently dropped.
    bool quota_grace = false;
};

struct Envelope {
    std::string mail_from;  // reverse-path mailbox; "" for the null path <>
    DsnParams dsn;
    bool smtputf8 = false;
    bool eight_bit = false;  // BODY=8BITMIME or BINARYMIME
    std::vector<Recipient> recipients;
    Client client;
    /// The message blob starts with "Return-Path: <mail_from>\r\n" (added by the receiving
    /// session, RFC 5321 §4.4) so local copies and queued copies share one blob; this is that
    /// line's length in octets. Queue entries keep it and remote delivery skips it, because only
    /// final delivery may add Return-Path.
    std::uint32_t return_path_length = 0;
};

/// Per-recipient outcome of a delivery (LMTP replies once per recipient, RFC 2033 §4.2).
struct RcptResult {
    RcptStatus status = RcptStatus::TempFail;  // Local/Remote = done (durable); others = failed
    std::string detail;
};

using DeliverCallback = std::function<void(std::vector<RcptResult>)>;

/// Resolves and delivers. Thread-safe; reads the store on every call, so admin changes made
/// while the server runs apply to the next RCPT without a restart.
class Deliverer {
  public:
    virtual ~Deliverer() = default;

    /// RCPT time: is this recipient local (after aliases/lists), remote and may the client relay,
    /// or refused?
    virtual RcptVerdict check_recipient(const Client& client, std::string_view address) = 0;

    /// Submission: may the logged-in user use `sender` as the envelope sender (its own account
    /// or an alias that points to it)? The null sender is refused for authenticated submission.
    virtual bool may_send_as(const Client& client, std::string_view sender) = 0;

    /// EXPN: the members of a mailing list, or nullopt if `address` is not a list.
    virtual std::optional<std::vector<std::string>> expand_list(std::string_view address) = 0;

    /// A writer for the next message's body (hashes while streaming; spills large bodies to a
    /// file). Finish it and pass the result to deliver_async.
    virtual std::unique_ptr<store::BlobWriter> new_message() = 0;

    /// Delivers `message` (already staged: durable if large) to every recipient of the envelope:
    /// local recipients into their INBOX through the delivery pipeline, remote ones into the
    /// outbound queue — all in one group commit. `done` runs once everything is durable (or has
    /// failed), with one result per envelope recipient, in order.
    virtual void deliver_async(Envelope envelope, std::shared_ptr<const store::StagedBlob> message,
                               DeliverCallback done) = 0;
};

}  // namespace hermod::delivery
