// search.hpp - SEARCH arguments into an AST (RFC 9051 §6.4.4 and §9 search-key; RFC 3501 §6.4.4
// NEW/OLD/RECENT for IMAP4rev1; RFC 4731 / RFC 9051 ESEARCH RETURN options; RFC 5182 SAVE and
// "$"; RFC 7162 MODSEQ; RFC 5032 OLDER/YOUNGER).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imap/proto/parser.hpp"
#include "imap/proto/sequence_set.hpp"

namespace hermod::imap::proto {

enum class SearchKeyKind : std::uint8_t {
    All,
    And,  ///< children: all must match ("(a b)" and the top-level key list)
    Or,   ///< children: exactly two
    Not,  ///< children: exactly one
    // flags
    Answered,
    Deleted,
    Draft,
    Flagged,
    Seen,
    Unanswered,
    Undeleted,
    Undraft,
    Unflagged,
    Unseen,
    Keyword,
    Unkeyword,  ///< value = the keyword
    Recent,
    New,
    Old,
    Unrecent,  ///< IMAP4rev1 only (RFC 3501 §6.4.4); UNRECENT = NOT RECENT
    // strings (value; field for Header)
    Bcc,
    Body,
    Cc,
    From,
    Subject,
    Text,
    To,
    Header,
    // dates (date): internal date, then Date: header
    Before,
    On,
    Since,
    SentBefore,
    SentOn,
    SentSince,
    // sizes / ages (number)
    Larger,
    Smaller,
    Older,
    Younger,
    // sets
    Uid,
    SequenceSet,  ///< set
    ModSeq,       ///< number; field/value = entry name / type when given (RFC 7162 §3.1.5)
};

struct SearchKey {
    SearchKeyKind kind = SearchKeyKind::All;
    std::vector<SearchKey> children;
    std::string field;  ///< HEADER field name
    std::string value;  ///< string argument / keyword
    Date date;
    std::uint64_t number = 0;
    SequenceSet set;
    bool operator==(const SearchKey&) const = default;
};

/// RETURN (...) options (RFC 4731 §3.1, RFC 9051 §6.4.4, RFC 5182 SAVE).
struct SearchReturn {
    bool esearch = false;  ///< RETURN was given: answer with ESEARCH
    bool min = false, max = false, all = false, count = false, save = false;
    bool operator==(const SearchReturn&) const = default;
};

struct SearchRequest {
    SearchReturn result;
    std::string charset;  ///< "UTF-8" / "US-ASCII" (upper-cased) or "" when not given
    SearchKey root;       ///< And of the top-level keys (the key itself when there is one)
};

/// Most keys in one SEARCH (all levels).
inline constexpr std::size_t kMaxSearchKeys = 1000;

/// Parses "[SP RETURN (...)] [SP CHARSET x] SP search-key *(SP search-key)" to the end of the
/// command; the parser stands after the command name. An unsupported charset fails with
/// ParseErrorKind::BadCharset (answer NO [BADCHARSET (UTF-8 US-ASCII)]). `rev1` admits the
/// IMAP4rev1 keys NEW OLD RECENT UNRECENT (removed in RFC 9051 §6.4.4).
std::optional<SearchRequest> parse_search(Parser& parser, bool rev1 = true);

}  // namespace hermod::imap::proto
