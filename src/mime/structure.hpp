// structure.hpp - the parsed form of a message: what IMAP BODYSTRUCTURE, ENVELOPE,
// BODY[section] and SEARCH need, computed once at delivery and stored (serialize.hpp).
// All offsets are byte offsets into the whole message as stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mime/address.hpp"

namespace hermod::mime {

/// A Content-Type / Content-Disposition parameter after RFC 2231 continuations are merged.
struct Param {
    /// Lower-cased, without the RFC 2231 '*' / "*N" suffixes (kept as "name*N" when the
    /// sections are not exactly 0..n-1, as Dovecot does).
    std::string name;
    /// What BODYSTRUCTURE sends (Dovecot-compatible): the raw value, unquoted; for an RFC 2231
    /// extended parameter the merged "charset'lang'%XX" form, sent under the name "name*".
    std::string value;
    std::string decoded;    ///< UTF-8: RFC 2231 charset applied, or RFC 2047 words decoded
    bool extended = false;  ///< RFC 2231 §4 charset/percent form
    bool operator==(const Param&) const = default;
};

/// ENVELOPE fields of one message (RFC 9051 §7.5.2). Strings are the unfolded raw values
/// (nullopt = header absent = NIL); address lists are parsed from the raw values. As in
/// Dovecot, a repeated Date/Subject/In-Reply-To/Message-ID counts by its last occurrence and
/// the addresses of repeated address fields (From ... Bcc) are joined in header order.
/// Sender / Reply-To are NOT defaulted to From here: that is the IMAP encoder's job.
struct Envelope {
    std::optional<std::string> date, subject, in_reply_to, message_id;
    std::vector<Address> from, sender, reply_to, to, cc, bcc;
    std::string subject_utf8;  ///< RFC 2047-decoded subject, for SEARCH SUBJECT / sorting
    std::optional<std::int64_t> date_unix;  ///< parsed Date, for SEARCH SENTBEFORE etc.
    int date_tz_minutes = 0;
    bool operator==(const Envelope&) const = default;
};

struct Part {
    std::uint64_t header_offset = 0;
    std::uint64_t header_size = 0;  ///< including the empty line that ends it, if present
    std::uint64_t body_offset = 0;
    std::uint64_t body_size = 0;
    std::uint64_t body_lines = 0;    ///< LF count in the body (IMAP body-fld-lines)
    std::uint64_t header_vsize = 0;  ///< size with every bare LF counted as CRLF
    std::uint64_t body_vsize = 0;    ///< ditto, what IMAP reports for bare-LF messages

    std::string type = "text";  ///< lower-cased; RFC 2045 §5.2 default text/plain
    /// Lower-cased; empty when a Content-Type had a type but no valid "/subtype" (sent as "",
    /// as Dovecot does).
    std::string subtype = "plain";
    /// Content-Type parameters in Dovecot's order: plain ones as written, then the merged
    /// RFC 2231 ones sorted by name.
    std::vector<Param> params;
    bool has_content_type = false;  ///< a Content-Type with at least a type token
    std::optional<std::string> id, description, encoding, md5, location, language;
    std::optional<std::string> disposition;  ///< type lower-cased
    std::vector<Param> disposition_params;

    /// multipart: the body parts in order; message/rfc822: exactly one, the embedded message
    /// (its header_offset == this part's body_offset).
    std::vector<Part> children;
    /// For the top-level message and every embedded message.
    std::optional<Envelope> envelope;

    bool is_multipart() const { return type == "multipart"; }
    bool is_message() const { return !is_multipart() && !children.empty(); }
    bool operator==(const Part&) const = default;
};

struct Structure {
    Part root;
    /// A limit (depth, part count, header size/fields) cut the parse short somewhere.
    bool truncated = false;
    bool operator==(const Structure&) const = default;
};

}  // namespace hermod::mime
