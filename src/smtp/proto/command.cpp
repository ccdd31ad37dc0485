// command.cpp - SMTP/LMTP command-line parser. RFC 5321 §4.1.1 (commands), §4.1.2 (argument
// grammar), §4.5.3.1.4 (line length); RFC 1870, 6152, 3030, 6531, 4954 §5, 3461 §4 (parameters).
// Security: pre-authentication peer input; total and bounded (one pass over the line).
#include "smtp/proto/command.hpp"

#include <array>
#include <limits>

#include "common/ascii.hpp"

namespace hermod::smtp::proto {

namespace {

struct VerbEntry {
    std::string_view name;
    Verb verb;
    bool ends_group;  // RFC 2920 §3.1 "last command in a group"
};

constexpr std::array<VerbEntry, 15> kVerbs{{
    {"HELO", Verb::Helo, true},
    {"EHLO", Verb::Ehlo, true},
    {"LHLO", Verb::Lhlo, true},
    {"MAIL", Verb::Mail, false},
    {"RCPT", Verb::Rcpt, false},
    {"DATA", Verb::Data, true},
    {"BDAT", Verb::Bdat, false},
    {"RSET", Verb::Rset, false},
    {"NOOP", Verb::Noop, true},
    {"QUIT", Verb::Quit, true},
    {"HELP", Verb::Help, false},
    {"VRFY", Verb::Vrfy, true},
    {"EXPN", Verb::Expn, true},
    {"STARTTLS", Verb::Starttls, true},
    {"AUTH", Verb::Auth, true},
}};

// RFC 3461 §4.4 (ENVID) and §4.2 (ORCPT) length ceilings.
constexpr std::size_t kMaxEnvid = 100;
constexpr std::size_t kMaxOrcpt = 500;
// RFC 4954 §4: sasl-mech = 1*20mech-char.
constexpr std::size_t kMaxMechanism = 20;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_space(char c) {
    return c == ' ' || c == '\t';
}

std::string_view skip_space(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    return s;
}

// Splits off the next space-delimited token.
std::string_view next_token(std::string_view& s) {
    s = skip_space(s);
    std::size_t end = 0;
    while (end < s.size() && !is_space(s[end]))
        ++end;
    std::string_view tok = s.substr(0, end);
    s = skip_space(s.substr(end));
    return tok;
}

// Decimal 1*20DIGIT; saturates (SIZE) or fails (BDAT) on overflow.
std::optional<std::uint64_t> parse_number(std::string_view s, bool saturate) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    std::uint64_t v = 0;
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
    for (char c : s) {
        if (!is_digit(c)) return std::nullopt;
        auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (kMax - d) / 10) {
            if (!saturate) return std::nullopt;
            v = kMax;
        } else {
            v = v * 10 + d;
        }
    }
    return v;
}

bool printable_ascii(std::string_view s) {
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c > 0x7e) return false;
    }
    return true;
}

bool no_controls_utf8(std::string_view s) {
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) return false;
    }
    return is_valid_utf8(s);
}

CommandResult error(Verb verb, SyntaxErrorKind kind, std::string detail) {
    CommandResult r;
    r.command.verb = verb;
    r.error = SyntaxError{kind, verb, std::move(detail)};
    return r;
}

// Mail-parameters = esmtp-param *(SP esmtp-param)        (RFC 5321 §4.1.2)
// esmtp-param = esmtp-keyword ["=" esmtp-value]
// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
// esmtp-value = 1*(%d33-60 / %d62-126)  ; RFC 6531 §3.3 adds UTF8-non-ascii
struct Param {
    std::string_view keyword;
    std::optional<std::string_view> value;
};

std::optional<Param> split_param(std::string_view tok) {
    Param p;
    auto eq = tok.find('=');
    p.keyword = tok.substr(0, eq);
    if (p.keyword.empty() || !is_alnum(p.keyword.front())) return std::nullopt;
    for (char c : p.keyword)
        if (!is_alnum(c) && c != '-') return std::nullopt;
    if (eq != std::string_view::npos) {
        std::string_view v = tok.substr(eq + 1);
        if (v.empty()) return std::nullopt;
        for (char ch : v) {
            auto c = static_cast<unsigned char>(ch);
            if (c < 33 || c == '=' || c == 127) return std::nullopt;
        }
        p.value = v;
    }
    return p;
}

// Applies one MAIL parameter; returns an error result kind on failure.
std::optional<CommandResult> mail_param(Command& cmd, const Param& p, std::uint32_t& seen) {
    auto dup = [&](std::uint32_t bit) {
        if (seen & bit) return true;
        seen |= bit;
        return false;
    };
    auto bad_value = [&] {
        return error(Verb::Mail, SyntaxErrorKind::BadParameterValue,
                     "Bad " + std::string(p.keyword) + " parameter value");
    };
    auto duplicate = [&] {
        return error(Verb::Mail, SyntaxErrorKind::DuplicateParameter,
                     "Duplicate " + std::string(p.keyword) + " parameter");
    };
    MailParams& m = cmd.mail;
    if (iequals(p.keyword, "SIZE")) {  // RFC 1870 §6: SIZE=1*20DIGIT
        if (dup(1u << 0)) return duplicate();
        if (!p.value) return bad_value();
        m.size = parse_number(*p.value, /*saturate=*/true);
        if (!m.size) return bad_value();
    } else if (iequals(p.keyword, "BODY")) {  // RFC 6152 §2, RFC 3030 §3
        if (dup(1u << 1)) return duplicate();
        if (!p.value) return bad_value();
        if (iequals(*p.value, "7BIT"))
            m.body = Body::SevenBit;
        else if (iequals(*p.value, "8BITMIME"))
            m.body = Body::EightBitMime;
        else if (iequals(*p.value, "BINARYMIME"))
            m.body = Body::BinaryMime;
        else
            return bad_value();
    } else if (iequals(p.keyword, "SMTPUTF8")) {  // RFC 6531 §3.4: no value
        if (dup(1u << 2)) return duplicate();
        if (p.value) return bad_value();
        m.smtputf8 = true;
    } else if (iequals(p.keyword, "AUTH")) {  // RFC 4954 §5: AUTH=(xtext mailbox / "<>")
        if (dup(1u << 3)) return duplicate();
        if (!p.value) return bad_value();
        auto decoded = xtext_decode(*p.value);
        if (!decoded || decoded->empty() || !no_controls_utf8(*decoded)) return bad_value();
        m.auth = *decoded == "<>" ? std::string() : std::move(*decoded);
    } else if (iequals(p.keyword, "RET")) {  // RFC 3461 §4.3: RET=FULL / HDRS
        if (dup(1u << 4)) return duplicate();
        if (!p.value) return bad_value();
        if (iequals(*p.value, "FULL"))
            m.ret = Ret::Full;
        else if (iequals(*p.value, "HDRS"))
            m.ret = Ret::Hdrs;
        else
            return bad_value();
    } else if (iequals(p.keyword, "ENVID")) {  // RFC 3461 §4.4: ENVID=xtext, printable, <=100
        if (dup(1u << 5)) return duplicate();
        if (!p.value) return bad_value();
        auto decoded = xtext_decode(*p.value);
        // The decoded value ends up in DSN headers: no control octets, so no header injection.
        if (!decoded || decoded->empty() || decoded->size() > kMaxEnvid ||
            !printable_ascii(*decoded))
            return bad_value();
        m.envid = std::move(*decoded);
    } else {
        return error(Verb::Mail, SyntaxErrorKind::UnknownParameter,
                     "Unsupported parameter " + std::string(p.keyword.substr(0, 32)));
    }
    return std::nullopt;
}

std::optional<CommandResult> rcpt_param(Command& cmd, const Param& p, std::uint32_t& seen) {
    auto bad_value = [&] {
        return error(Verb::Rcpt, SyntaxErrorKind::BadParameterValue,
                     "Bad " + std::string(p.keyword) + " parameter value");
    };
    auto duplicate = [&] {
        return error(Verb::Rcpt, SyntaxErrorKind::DuplicateParameter,
                     "Duplicate " + std::string(p.keyword) + " parameter");
    };
    RcptParams& r = cmd.rcpt;
    if (iequals(p.keyword, "NOTIFY")) {
        // RFC 3461 §4.1: "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )
        if (seen & 1u) return duplicate();
        seen |= 1u;
        if (!p.value) return bad_value();
        std::string_view v = *p.value;
        while (true) {
            auto comma = v.find(',');
            std::string_view item = v.substr(0, comma);
            if (iequals(item, "NEVER"))
                r.notify |= kNotifyNever;
            else if (iequals(item, "SUCCESS"))
                r.notify |= kNotifySuccess;
            else if (iequals(item, "FAILURE"))
                r.notify |= kNotifyFailure;
            else if (iequals(item, "DELAY"))
                r.notify |= kNotifyDelay;
            else
                return bad_value();
            if (comma == std::string_view::npos) break;
            v.remove_prefix(comma + 1);
        }
        if ((r.notify & kNotifyNever) && r.notify != kNotifyNever) return bad_value();
    } else if (iequals(p.keyword, "ORCPT")) {
        // RFC 3461 §4.2: ORCPT=addr-type ";" xtext ; addr-type = atom ; <= 500 characters
        if (seen & 2u) return duplicate();
        seen |= 2u;
        if (!p.value || p.value->size() > kMaxOrcpt) return bad_value();
        auto semi = p.value->find(';');
        if (semi == std::string_view::npos || semi == 0) return bad_value();
        std::string_view type = p.value->substr(0, semi);
        for (char c : type)
            if (!is_alnum(c) && c != '-') return bad_value();
        auto decoded = xtext_decode(p.value->substr(semi + 1));
        // XXX: RFC 6533 "utf-8" addr-type uses \x{..} escapes inside xtext; kept undecoded.
        if (!decoded || decoded->empty() || !no_controls_utf8(*decoded)) return bad_value();
        r.orcpt = OriginalRecipient{std::string(type), std::move(*decoded)};
    } else {
        return error(Verb::Rcpt, SyntaxErrorKind::UnknownParameter,
                     "Unsupported parameter " + std::string(p.keyword.substr(0, 32)));
    }
    return std::nullopt;
}

// MAIL FROM:<reverse-path> [SP Mail-parameters]   (RFC 5321 §4.1.1.2)
// RCPT TO:<forward-path> [SP Rcpt-parameters]     (RFC 5321 §4.1.1.3)
// Leniency: optional spaces after the colon, keyword case.
CommandResult parse_mail_rcpt(Verb verb, std::string_view rest, const ParseOptions& opt) {
    const bool mail = verb == Verb::Mail;
    const std::string_view prefix = mail ? "FROM:" : "TO:";
    const auto bad_path_kind = mail ? SyntaxErrorKind::BadSender : SyntaxErrorKind::BadRecipient;
    const char* usage = mail ? "Syntax: MAIL FROM:<address>" : "Syntax: RCPT TO:<address>";
    if (!istarts_with(rest, prefix)) return error(verb, SyntaxErrorKind::BadArguments, usage);
    rest = skip_space(rest.substr(prefix.size()));
    if (rest.empty() || rest.front() != '<') return error(verb, bad_path_kind, usage);

    PathOptions po;
    po.allow_null = mail;
    po.allow_postmaster = !mail;
    // MAIL: SMTPUTF8 comes after the path, so accept UTF-8 now and check once params are read.
    po.allow_utf8 = mail || opt.smtputf8_transaction;
    PathResult pr = parse_path(rest, po);
    switch (pr.error) {
        case PathError::None:
            break;
        case PathError::TooLong:
            return error(verb, SyntaxErrorKind::PathTooLong, "Path too long");
        case PathError::Utf8NotAllowed:
            return error(verb, SyntaxErrorKind::Utf8NotPermitted,
                         "Non-ASCII address needs the SMTPUTF8 parameter");
        case PathError::Syntax:
        case PathError::NullNotAllowed:
            return error(verb, bad_path_kind,
                         mail ? "Bad sender address syntax" : "Bad recipient address syntax");
    }
    rest.remove_prefix(pr.consumed);
    if (!rest.empty() && !is_space(rest.front()))
        return error(verb, bad_path_kind,
                     mail ? "Bad sender address syntax" : "Bad recipient address syntax");

    CommandResult result;
    Command& cmd = result.command;
    cmd.verb = verb;
    cmd.path = std::move(pr.path);
    std::uint32_t seen = 0;
    while (!(rest = skip_space(rest)).empty()) {
        std::string_view tok = next_token(rest);
        auto p = split_param(tok);
        if (!p) return error(verb, SyntaxErrorKind::BadArguments, "Bad parameter syntax");
        auto err = mail ? mail_param(cmd, *p, seen) : rcpt_param(cmd, *p, seen);
        if (err) return std::move(*err);
    }
    if (mail && cmd.path.has(kFlagNonAscii) && !cmd.mail.smtputf8)
        return error(verb, SyntaxErrorKind::Utf8NotPermitted,
                     "Non-ASCII address needs the SMTPUTF8 parameter");
    return result;
}

}  // namespace

std::string_view verb_name(Verb verb) {
    for (const auto& e : kVerbs)
        if (e.verb == verb) return e.name;
    return "UNKNOWN";
}

bool ends_pipeline_group(Verb verb) {
    for (const auto& e : kVerbs)
        if (e.verb == verb) return e.ends_group;
    return false;
}

Reply SyntaxError::reply() const {
    switch (kind) {
        case SyntaxErrorKind::UnknownCommand:
            return syntax(detail.empty() ? "Syntax error, command unrecognized" : detail);
        case SyntaxErrorKind::LineTooLong:
            return line_too_long();
        case SyntaxErrorKind::BadCharacter:
            return syntax(detail);
        case SyntaxErrorKind::BadArguments:
        case SyntaxErrorKind::BadParameterValue:
            return param_syntax(detail);
        case SyntaxErrorKind::BadSender:
            return bad_sender_syntax(detail);
        case SyntaxErrorKind::BadRecipient:
            return bad_recipient_syntax(detail);
        case SyntaxErrorKind::PathTooLong:
            return verb == Verb::Mail ? bad_sender_syntax("Path too long") : path_too_long();
        case SyntaxErrorKind::Utf8NotPermitted:
            return utf8_not_permitted();
        case SyntaxErrorKind::UnknownParameter:
        case SyntaxErrorKind::DuplicateParameter:
            return param_unknown(detail);
    }
    return syntax();
}

std::optional<std::string> xtext_decode(std::string_view text) {
    // xtext = *( xchar / hexchar ); xchar = %d33-42 / %d44-60 / %d62-126
    // hexchar = "+" 2(%x30-39 / %x41-46)
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '+') {
            if (i + 2 >= text.size()) return std::nullopt;
            int v = 0;
            for (int k = 1; k <= 2; ++k) {
                char h = ascii_upper(text[i + k]);
                if (is_digit(h))
                    v = v * 16 + (h - '0');
                else if (h >= 'A' && h <= 'F')
                    v = v * 16 + (h - 'A' + 10);
                else
                    return std::nullopt;
            }
            out.push_back(static_cast<char>(v));
            i += 2;
        } else if (c >= 33 && c <= 126 && c != '=') {
            out.push_back(static_cast<char>(c));
        } else {
            return std::nullopt;
        }
    }
    return out;
}

std::string xtext_encode(std::string_view raw) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : raw) {
        auto c = static_cast<unsigned char>(ch);
        if (c >= 33 && c <= 126 && c != '+' && c != '=') {
            out.push_back(ch);
        } else {
            out.push_back('+');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

CommandResult parse_command(std::string_view line, const ParseOptions& opt) {
    // Verb identification first, so even a refused line reports which command it was.
    std::size_t vend = 0;
    while (vend < line.size() && !is_space(line[vend]))
        ++vend;
    Verb verb = Verb::Unknown;
    std::string_view vtok = line.substr(0, vend);
    for (const auto& e : kVerbs)
        if (iequals(vtok, e.name)) verb = e.verb;

    if (line.size() > opt.max_line)
        return error(verb, SyntaxErrorKind::LineTooLong, "Line too long");
    // NUL, CR, LF and other control octets have no place in a command line: refusing them keeps
    // the session and its logs unambiguous (HT is tolerated as white space).
    bool non_ascii = false;
    for (char ch : line) {
        auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return error(verb, SyntaxErrorKind::BadCharacter, "Invalid character in command");
        if (c >= 0x80) non_ascii = true;
    }
    if (non_ascii && !is_valid_utf8(line))
        return error(verb, SyntaxErrorKind::BadCharacter, "Invalid UTF-8 in command");
    if (verb == Verb::Unknown)
        return error(verb, SyntaxErrorKind::UnknownCommand, "Syntax error, command unrecognized");

    while (!line.empty() && is_space(line.back()))
        line.remove_suffix(1);
    std::string_view rest = skip_space(line.substr(vend));
    auto usage = [&](std::string_view text) {
        return error(verb, SyntaxErrorKind::BadArguments, std::string(text));
    };

    CommandResult result;
    Command& cmd = result.command;
    cmd.verb = verb;
    switch (verb) {
        case Verb::Helo:
        case Verb::Ehlo:
        case Verb::Lhlo: {
            // "EHLO" SP ( Domain / address-literal ); kept as sent - many clients send
            // unqualified or invalid names, and the HELO name is only informational.
            std::string_view name = next_token(rest);
            if (name.empty() || !rest.empty())
                return usage(std::string("Syntax: ") + std::string(verb_name(verb)) + " hostname");
            cmd.domain.assign(name);
            return result;
        }
        case Verb::Mail:
        case Verb::Rcpt:
            return parse_mail_rcpt(verb, rest, opt);
        case Verb::Data:
        case Verb::Rset:
        case Verb::Quit:
        case Verb::Starttls:
            // No arguments (RFC 5321 §4.1.1.4, .5, .10; RFC 3207 §4).
            if (!rest.empty()) return usage(std::string("Syntax: ") + std::string(verb_name(verb)));
            return result;
        case Verb::Noop:
        case Verb::Help:
            // [ SP String ] - argument ignored by the server but kept for logging.
            cmd.argument.assign(rest);
            return result;
        case Verb::Vrfy:
        case Verb::Expn:
            // SP String
            if (rest.empty())
                return usage(std::string("Syntax: ") + std::string(verb_name(verb)) + " address");
            cmd.argument.assign(rest);
            return result;
        case Verb::Bdat: {
            // bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ]   (RFC 3030 §2)
            // chunk-size = 1*DIGIT ; end-marker = "LAST"
            std::string_view size = next_token(rest);
            auto n = parse_number(size, /*saturate=*/false);
            if (!n) return usage("Syntax: BDAT size [LAST]");
            cmd.chunk_size = *n;
            if (!rest.empty()) {
                std::string_view marker = next_token(rest);
                if (!iequals(marker, "LAST") || !rest.empty())
                    return usage("Syntax: BDAT size [LAST]");
                cmd.last = true;
            }
            return result;
        }
        case Verb::Auth: {
            // "AUTH" SP sasl-mech [SP initial-response]          (RFC 4954 §4)
            // sasl-mech = 1*20mech-char ; mech-char = UPPER-ALPHA / DIGIT / "-" / "_"
            // initial-response = base64 / "="
            std::string_view mech = next_token(rest);
            if (mech.empty() || mech.size() > kMaxMechanism)
                return usage("Syntax: AUTH mechanism [initial-response]");
            for (char c : mech) {
                if (!is_alnum(c) && c != '-' && c != '_')
                    return usage("Syntax: AUTH mechanism [initial-response]");
                cmd.mechanism.push_back(ascii_upper(c));
            }
            if (!rest.empty()) {
                std::string_view ir = next_token(rest);
                if (!rest.empty()) return usage("Syntax: AUTH mechanism [initial-response]");
                for (char c : ir)
                    if (!is_alnum(c) && c != '+' && c != '/' && c != '=')
                        return usage("Invalid initial response");
                cmd.initial_response = std::string(ir);
            }
            return result;
        }
        case Verb::Unknown:
            break;
    }
    return error(verb, SyntaxErrorKind::UnknownCommand, "Syntax error, command unrecognized");
}

}  // namespace hermod::smtp::proto
