// status_response.cpp - "* STATUS" (RFC 9051 §7.3.2, §9 status-att-val; RFC 7162 §3.1.6
// HIGHESTMODSEQ).
#include "imap/server/status_response.hpp"

#include "imap/proto/arguments.hpp"

namespace hermod::imap {

void append_status_response(std::string& out, store::Store& store, const store::Mailbox& mailbox,
                            std::uint16_t items, const proto::EncodeOptions& options) {
    store::MailboxCounts counts;
    if (items & (proto::kStatusMessages | proto::kStatusUnseen | proto::kStatusDeleted |
                 proto::kStatusSize))
        counts = store.counts(mailbox.id);
    out += "* STATUS ";
    proto::append_mailbox(out, mailbox.name, options);
    out += " (";
    bool first = true;
    auto item = [&](std::string_view name, std::uint64_t value) {
        if (!first) out += ' ';
        first = false;
        out += name;
        out += ' ';
        out += std::to_string(value);
    };
    // The order of proto::status_item_names().
    if (items & proto::kStatusMessages) item("MESSAGES", counts.messages);
    if (items & proto::kStatusUidNext) item("UIDNEXT", mailbox.uidnext);
    if (items & proto::kStatusUidValidity) item("UIDVALIDITY", mailbox.uidvalidity);
    if (items & proto::kStatusUnseen) item("UNSEEN", counts.unseen);
    if (items & proto::kStatusDeleted) item("DELETED", counts.deleted);
    if (items & proto::kStatusSize) item("SIZE", counts.size);
    if (items & proto::kStatusRecent) item("RECENT", 0);
    // RFC 7162 §3.1.6: mod-sequence-valzer, so 0 for a mailbox never written is valid.
    if (items & proto::kStatusHighestModSeq) item("HIGHESTMODSEQ", mailbox.highestmodseq);
    out += ")\r\n";
}

}  // namespace hermod::imap
