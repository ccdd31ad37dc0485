// status_response.hpp - the STATUS response (RFC 9051 §7.3.2) shared by STATUS (§6.3.11) and
// LIST ... RETURN (STATUS (...)) (RFC 5819 §2).
#pragma once

#include <cstdint>
#include <string>

#include "imap/proto/encoder.hpp"
#include "store/store.hpp"

namespace hermod::imap {

/// Appends "* STATUS name (ITEM value ...)\r\n" for `mailbox` with the proto::StatusItem bits
/// of `items`, in the order of proto::status_item_names(). MESSAGES, UNSEEN, DELETED and SIZE
/// come from one Store::counts() snapshot (read only when one of them is asked for);
/// UIDNEXT, UIDVALIDITY and HIGHESTMODSEQ from the `mailbox` row; RECENT is always 0 (Hermod
/// keeps no \Recent flag, RFC 9051 removed it). Throws StoreError (NotFound when the mailbox
/// is gone).
void append_status_response(std::string& out, store::Store& store, const store::Mailbox& mailbox,
                            std::uint16_t items, const proto::EncodeOptions& options);

}  // namespace hermod::imap
