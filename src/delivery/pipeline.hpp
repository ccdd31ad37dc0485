// pipeline.hpp - the per-recipient delivery pipeline: what happens to a message between "this
// recipient is an account of ours" and "append it to a mailbox".
//
// A Pipeline is an ordered list of Stages. Each stage sees a DeliveryContext (envelope, the
// envelope recipient, the target account, where the copy will be filed and with which flags,
// and lazy read access to the message) and returns Continue, Discard or Reject. Spam and virus
// filters, Sieve (RFC 5228 fileinto/discard/reject, RFC 5429), vacation and receipts plug in
// here without touching the SMTP or LMTP code. The default pipeline is one pass-through stage.
//
// Threading: one Pipeline serves every session at once, so Stage::process must be thread-safe
// (keep per-message state in the context). It runs on the delivering session's thread before
// the store write; a slow stage (a network filter) delays only that session.
//
// Security: the message bytes are attacker-controlled; stages must treat them as such and
// bound what they read (message_range() reads a part without loading a large body).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "delivery/delivery.hpp"
#include "store/store.hpp"

namespace hermod::delivery {

/// Everything a stage may look at or change for one copy of a message.
class DeliveryContext {
  public:
    DeliveryContext(store::Store& store, const Envelope& envelope, const Recipient& recipient,
                    std::string account, store::Id account_id,
                    std::shared_ptr<const store::StagedBlob> message);

    const Envelope& envelope() const { return *envelope_; }
    /// The envelope recipient this copy is for (as given at RCPT; may be an alias or a list).
    const Recipient& recipient() const { return *recipient_; }
    /// The account the copy goes to, after alias and list expansion.
    const std::string& account() const { return account_; }
    store::Id account_id() const { return account_id_; }

    /// The whole message (starting with the Return-Path line), read on first use and kept.
    const std::string& message();
    /// Part of the message, without loading the rest (e.g. the header block of a large body).
    std::string message_range(std::uint64_t offset, std::uint64_t length);
    std::uint64_t message_size() const { return message_->size; }

    // What the stages decide; the deliverer applies it after the last stage.
    std::string mailbox = "INBOX";  // a missing mailbox falls back to INBOX (no mail lost)
    std::uint32_t flags = 0;        // store::Flag bits for the new message
    std::vector<std::string> keywords;

  private:
    store::Store* store_;
    const Envelope* envelope_;
    const Recipient* recipient_;
    std::string account_;
    store::Id account_id_;
    std::shared_ptr<const store::StagedBlob> message_;
    std::optional<std::string> bytes_;
};

/// Stage verdicts.
struct Continue {};  // go on with the next stage (after the last one: file the copy)
struct Discard {     // accept the message but drop this copy (Sieve "discard")
    std::string reason;
};
struct Reject {  // refuse this copy: 451 4.3.0 when temporary, else 554 5.7.1 (RFC 3463)
    bool temporary = false;
    std::string detail;
};
using StageResult = std::variant<Continue, Discard, Reject>;

class Stage {
  public:
    virtual ~Stage() = default;
    /// A short name for logs ("spam", "sieve").
    virtual std::string_view name() const = 0;
    /// Looks at or changes the context. Must be thread-safe. An exception counts as a
    /// temporary Reject, so a broken filter never silently loses mail.
    virtual StageResult process(DeliveryContext& context) = 0;
};

class Pipeline {
  public:
    Pipeline& add(std::shared_ptr<Stage> stage);
    /// Runs the stages in order until one does not Continue; returns that verdict (or
    /// Continue when every stage passed).
    StageResult run(DeliveryContext& context) const;
    std::size_t size() const { return stages_.size(); }

  private:
    std::vector<std::shared_ptr<Stage>> stages_;
};

/// One pass-through stage: every copy goes to INBOX unchanged.
Pipeline default_pipeline();

}  // namespace hermod::delivery
