// encoder.cpp - response building (RFC 9051 §7, §9 response grammar; RFC 5530 codes; RFC 4315
// §3 APPENDUID/COPYUID; RFC 6855 §3 UTF-8 quoted strings).
#include "imap/proto/encoder.hpp"

#include <array>

#include "common/utf8.hpp"
#include "imap/proto/mailbox_name.hpp"
#include "imap/proto/sequence_set.hpp"

namespace hermod::imap::proto {

namespace {

struct CodeEntry {
    Code code;
    std::string_view name;
};

constexpr std::array<CodeEntry, 41> kCodes{{
    {Code::None, ""},
    {Code::Alert, "ALERT"},
    {Code::AlreadyExists, "ALREADYEXISTS"},
    {Code::AppendUid, "APPENDUID"},
    {Code::AuthenticationFailed, "AUTHENTICATIONFAILED"},
    {Code::AuthorizationFailed, "AUTHORIZATIONFAILED"},
    {Code::BadCharset, "BADCHARSET"},
    {Code::Cannot, "CANNOT"},
    {Code::Capability, "CAPABILITY"},
    {Code::ClientBug, "CLIENTBUG"},
    {Code::Closed, "CLOSED"},
    {Code::ContactAdmin, "CONTACTADMIN"},
    {Code::CopyUid, "COPYUID"},
    {Code::Corruption, "CORRUPTION"},
    {Code::Expired, "EXPIRED"},
    {Code::ExpungeIssued, "EXPUNGEISSUED"},
    {Code::HasChildren, "HASCHILDREN"},
    {Code::InUse, "INUSE"},
    {Code::Limit, "LIMIT"},
    {Code::Nonexistent, "NONEXISTENT"},
    {Code::NoPerm, "NOPERM"},
    {Code::NotSaved, "NOTSAVED"},
    {Code::OverQuota, "OVERQUOTA"},
    {Code::Parse, "PARSE"},
    {Code::PermanentFlags, "PERMANENTFLAGS"},
    {Code::PrivacyRequired, "PRIVACYREQUIRED"},
    {Code::ReadOnly, "READ-ONLY"},
    {Code::ReadWrite, "READ-WRITE"},
    {Code::ServerBug, "SERVERBUG"},
    {Code::TooBig, "TOOBIG"},
    {Code::TryCreate, "TRYCREATE"},
    {Code::UidNext, "UIDNEXT"},
    {Code::UidNotSticky, "UIDNOTSTICKY"},
    {Code::UidValidity, "UIDVALIDITY"},
    {Code::Unavailable, "UNAVAILABLE"},
    {Code::UnknownCte, "UNKNOWN-CTE"},
    {Code::HighestModSeq, "HIGHESTMODSEQ"},
    {Code::NoModSeq, "NOMODSEQ"},
    {Code::Modified, "MODIFIED"},
    {Code::UseAttr, "USEATTR"},
    {Code::None, ""},
}};

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// ASTRING-CHAR (RFC 9051 §9).
bool is_astring_char(unsigned char c) {
    if (c <= 0x1F || c >= 0x7F) return false;
    switch (c) {
        case '(':
        case ')':
        case '{':
        case ' ':
        case '%':
        case '*':
        case '"':
        case '\\':
            return false;
        default:
            return true;
    }
}

void append_text(std::string& out, std::string_view text) {
    for (char c : text)
        out += (c == '\r' || c == '\n' || c == '\0') ? ' ' : c;
}

std::string status_line(std::string_view prefix, Status status, std::string_view text,
                        const ResponseCode& code) {
    std::string out;
    out.reserve(prefix.size() + text.size() + code.args.size() + 32);
    append_text(out, prefix);
    out += ' ';
    out += status_name(status);
    out += ' ';
    if (code.code != Code::None) {
        out += '[';
        out += code_name(code.code);
        if (!code.args.empty()) {
            out += ' ';
            append_text(out, code.args);
        }
        out += "] ";
    }
    if (text.empty()) {
        out += status_name(status);
    } else {
        // resp-text: a text that itself starts with "[" would read as a response code.
        if (code.code == Code::None && text.front() == '[') out += ' ';
        append_text(out, text);
    }
    out += "\r\n";
    return out;
}

void two_digits(std::string& out, int v) {
    out += static_cast<char>('0' + v / 10);
    out += static_cast<char>('0' + v % 10);
}

}  // namespace

std::string_view status_name(Status status) {
    switch (status) {
        case Status::Ok:
            return "OK";
        case Status::No:
            return "NO";
        case Status::Bad:
            return "BAD";
        case Status::Bye:
            return "BYE";
        case Status::Preauth:
            return "PREAUTH";
    }
    return "BAD";
}

std::string_view code_name(Code code) {
    for (const auto& e : kCodes)
        if (e.code == code) return e.name;
    return {};
}

ResponseCode appenduid(std::uint32_t uidvalidity, std::span<const std::uint32_t> uids) {
    return {Code::AppendUid, std::to_string(uidvalidity) + " " + format_uid_set(uids)};
}

ResponseCode copyuid(std::uint32_t uidvalidity, std::span<const std::uint32_t> source,
                     std::span<const std::uint32_t> dest) {
    return {Code::CopyUid, std::to_string(uidvalidity) + " " + format_uid_set(source) + " " +
                               format_uid_set(dest)};
}

ResponseCode uidnext(std::uint32_t uid) {
    return {Code::UidNext, std::to_string(uid)};
}

ResponseCode uidvalidity(std::uint32_t value) {
    return {Code::UidValidity, std::to_string(value)};
}

ResponseCode highestmodseq(std::uint64_t value) {
    return {Code::HighestModSeq, std::to_string(value)};
}

ResponseCode permanentflags(std::span<const std::string> flags, bool keywords_allowed) {
    ResponseCode c{Code::PermanentFlags, "("};
    for (std::size_t i = 0; i < flags.size(); ++i) {
        if (i) c.args += ' ';
        c.args += flags[i];
    }
    if (keywords_allowed) c.args += flags.empty() ? "\\*" : " \\*";
    c.args += ')';
    return c;
}

ResponseCode capability(std::span<const std::string_view> capabilities) {
    ResponseCode c{Code::Capability, {}};
    for (std::size_t i = 0; i < capabilities.size(); ++i) {
        if (i) c.args += ' ';
        c.args += capabilities[i];
    }
    return c;
}

ResponseCode badcharset() {
    return {Code::BadCharset, "(UTF-8 US-ASCII)"};
}

std::string tagged(std::string_view tag, Status status, std::string_view text,
                   const ResponseCode& code) {
    return status_line(tag.empty() ? "*" : tag, status, text, code);
}

std::string untagged(Status status, std::string_view text, const ResponseCode& code) {
    return status_line("*", status, text, code);
}

std::string continuation(std::string_view text) {
    std::string out = "+ ";
    append_text(out, text.empty() ? "Ready" : text);
    out += "\r\n";
    return out;
}

std::string continuation_raw(std::string_view base64) {
    std::string out = "+ ";
    append_text(out, base64);
    out += "\r\n";
    return out;
}

bool quotable(std::string_view s, const EncodeOptions& options) {
    if (s.size() > options.max_quoted) return false;
    bool eight_bit = false;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u == 0 || u == '\r' || u == '\n') return false;
        if (u >= 0x80) eight_bit = true;
    }
    return !eight_bit || (options.utf8 && is_valid_utf8(s));
}

void append_quoted(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

void append_literal(std::string& out, std::string_view s) {
    out += '{';
    out += std::to_string(s.size());
    out += "}\r\n";
    out += s;
}

void append_literal8(std::string& out, std::string_view s) {
    out += '~';
    append_literal(out, s);
}

void append_string(std::string& out, std::string_view s, const EncodeOptions& options) {
    if (quotable(s, options))
        append_quoted(out, s);
    else
        append_literal(out, s);
}

void append_astring(std::string& out, std::string_view s, const EncodeOptions& options) {
    bool atom = !s.empty() && s.size() <= options.max_quoted &&
                !(s.size() == 3 && (s[0] == 'N' || s[0] == 'n') && (s[1] == 'I' || s[1] == 'i') &&
                  (s[2] == 'L' || s[2] == 'l'));
    for (std::size_t i = 0; atom && i < s.size(); ++i)
        atom = is_astring_char(static_cast<unsigned char>(s[i]));
    if (atom)
        out += s;
    else
        append_string(out, s, options);
}

void append_nstring(std::string& out, std::optional<std::string_view> s,
                    const EncodeOptions& options) {
    if (s)
        append_string(out, *s, options);
    else
        append_nil(out);
}

void append_nil(std::string& out) {
    out += "NIL";
}

void append_mailbox(std::string& out, std::string_view utf8_name, const EncodeOptions& options) {
    if (options.utf8) {
        append_astring(out, utf8_name, options);
        return;
    }
    append_astring(out, mutf7_encode(utf8_name), options);
}

void append_atom_list(std::string& out, std::span<const std::string> atoms) {
    out += '(';
    for (std::size_t i = 0; i < atoms.size(); ++i) {
        if (i) out += ' ';
        out += atoms[i];
    }
    out += ')';
}

std::string format_internal_date(std::int64_t unix_seconds, int zone_minutes) {
    std::int64_t t = unix_seconds + static_cast<std::int64_t>(zone_minutes) * 60;
    std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    std::int64_t secs = t - days * 86400;
    // civil_from_days (Howard Hinnant).
    std::int64_t z = days + 719468;
    std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    auto doe = static_cast<unsigned>(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
    std::string out = "\"";
    two_digits(out, static_cast<int>(d));
    out += '-';
    out += kMonths[m - 1];
    out += '-';
    std::string year = std::to_string(y);
    if (year.size() < 4) year.insert(0, 4 - year.size(), '0');
    out += year;
    out += ' ';
    two_digits(out, static_cast<int>(secs / 3600));
    out += ':';
    two_digits(out, static_cast<int>(secs / 60 % 60));
    out += ':';
    two_digits(out, static_cast<int>(secs % 60));
    out += ' ';
    int z_abs = zone_minutes < 0 ? -zone_minutes : zone_minutes;
    out += zone_minutes < 0 ? '-' : '+';
    two_digits(out, z_abs / 60 % 100);
    two_digits(out, z_abs % 60);
    out += '"';
    return out;
}

}  // namespace hermod::imap::proto
