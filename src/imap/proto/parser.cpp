// parser.cpp - IMAP tokens (RFC 9051 §9; RFC 3501 §9 for IMAP4rev1; RFC 5182 "$").
// Security: total over any bytes; every loop advances pos_ or stops; recursion is bounded by
// kMaxDepth.
#include "imap/proto/parser.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "common/ascii.hpp"
#include "common/utf8.hpp"
#include "imap/proto/mailbox_name.hpp"

namespace hermod::imap::proto {

namespace {

struct VerbEntry {
    std::string_view name;
    Verb verb;
};

constexpr std::array<VerbEntry, 31> kVerbs{{
    {"CAPABILITY", Verb::Capability},
    {"NOOP", Verb::Noop},
    {"LOGOUT", Verb::Logout},
    {"STARTTLS", Verb::Starttls},
    {"AUTHENTICATE", Verb::Authenticate},
    {"LOGIN", Verb::Login},
    {"ENABLE", Verb::Enable},
    {"SELECT", Verb::Select},
    {"EXAMINE", Verb::Examine},
    {"CREATE", Verb::Create},
    {"DELETE", Verb::Delete},
    {"RENAME", Verb::Rename},
    {"SUBSCRIBE", Verb::Subscribe},
    {"UNSUBSCRIBE", Verb::Unsubscribe},
    {"LIST", Verb::List},
    {"LSUB", Verb::Lsub},
    {"NAMESPACE", Verb::Namespace},
    {"STATUS", Verb::Status},
    {"APPEND", Verb::Append},
    {"IDLE", Verb::Idle},
    {"ID", Verb::Id},
    {"CHECK", Verb::Check},
    {"CLOSE", Verb::Close},
    {"UNSELECT", Verb::Unselect},
    {"EXPUNGE", Verb::Expunge},
    {"SEARCH", Verb::Search},
    {"FETCH", Verb::Fetch},
    {"STORE", Verb::Store},
    {"COPY", Verb::Copy},
    {"MOVE", Verb::Move},
    {"", Verb::Unknown},
}};

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}

// RFC 9051 §9: ATOM-CHAR = <any CHAR except atom-specials>; atom-specials = "(" / ")" / "{" /
// SP / CTL / list-wildcards / quoted-specials / resp-specials.
bool is_atom_char(unsigned char c) {
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
        case ']':
            return false;
        default:
            return true;
    }
}
bool is_astring_char(unsigned char c) {
    return is_atom_char(c) || c == ']';
}
// list-char = ATOM-CHAR / list-wildcards / resp-specials.
bool is_list_char(unsigned char c) {
    return is_atom_char(c) || c == '%' || c == '*' || c == ']';
}
// tag = 1*<any ASTRING-CHAR except "+">.
bool is_tag_char(unsigned char c) {
    return is_astring_char(c) && c != '+';
}
bool is_delimiter(char c) {
    return c == ' ' || c == '(' || c == ')' || c == '[' || c == ']' || c == '<' || c == '.';
}

int days_in_month(int year, int month) {
    static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

}  // namespace

std::string_view verb_name(Verb verb) {
    for (const auto& e : kVerbs)
        if (e.verb == verb) return e.name;
    return {};
}

std::int64_t Date::days_since_epoch() const {
    // Howard Hinnant's days_from_civil.
    std::int64_t y = year - (month <= 2 ? 1 : 0);
    std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    auto yoe = static_cast<unsigned>(y - era * 400);
    unsigned mp = static_cast<unsigned>(month + (month > 2 ? -3 : 9));
    unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t DateTime::to_unix() const {
    return date.days_since_epoch() * 86400 + hour * 3600 + minute * 60 + second -
           static_cast<std::int64_t>(zone_minutes) * 60;
}

Parser::Parser(const CommandBuffer& command, ParserOptions options)
    : command_(&command), text_(command.text), options_(options) {}

bool Parser::fail(std::string_view text, ParseErrorKind kind) {
    if (!error_) error_ = ParseError{kind, std::string(text)};
    return false;
}

bool Parser::accept(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
}

bool Parser::expect(char c, std::string_view context) {
    if (accept(c)) return true;
    if (!ok()) return false;
    std::string msg;
    if (c == ' ')
        msg = "expected SP";
    else
        msg = std::string("expected '") + c + "'";
    if (!context.empty()) {
        msg += ' ';
        msg += context;
    }
    if (at_end()) msg += " (command ends early)";
    return fail(msg);
}

bool Parser::end() {
    if (!ok()) return false;
    if (at_end()) return true;
    return fail("unexpected characters after the command arguments");
}

bool Parser::peek_keyword(std::string_view word) const {
    if (!ok() || text_.size() - std::min(pos_, text_.size()) < word.size()) return false;
    if (!iequals(text_.substr(pos_, word.size()), word)) return false;
    std::size_t after = pos_ + word.size();
    return after == text_.size() || is_delimiter(text_[after]);
}

bool Parser::accept_keyword(std::string_view word) {
    if (!peek_keyword(word)) return false;
    pos_ += word.size();
    return true;
}

std::string_view Parser::take_while(bool (*pred)(unsigned char)) {
    std::size_t start = pos_;
    while (pos_ < text_.size() && pred(static_cast<unsigned char>(text_[pos_])))
        ++pos_;
    return text_.substr(start, pos_ - start);
}

std::optional<std::string_view> Parser::tag() {
    if (!ok()) return std::nullopt;
    std::string_view t = take_while(is_tag_char);
    if (t.empty()) {
        fail("missing or invalid tag");
        return std::nullopt;
    }
    if (t.size() > kMaxTag) {
        fail("tag too long");
        return std::nullopt;
    }
    return t;
}

std::optional<CommandHead> Parser::command_head() {
    CommandHead head;
    auto t = tag();
    if (!t) return std::nullopt;
    head.tag = *t;
    if (!expect(' ', "after the tag")) return std::nullopt;
    auto name = atom();
    if (!name) {
        error_.reset();
        fail("missing command name");
        return std::nullopt;
    }
    head.name = *name;
    if (iequals(*name, "UID")) {
        head.uid = true;
        if (!expect(' ', "after UID")) return std::nullopt;
        auto sub = atom();
        if (!sub) return std::nullopt;
        head.name =
            text_.substr(static_cast<std::size_t>(name->data() - text_.data()),
                         static_cast<std::size_t>(sub->data() + sub->size() - name->data()));
        for (Verb v :
             {Verb::Fetch, Verb::Store, Verb::Search, Verb::Copy, Verb::Move, Verb::Expunge})
            if (iequals(*sub, verb_name(v))) head.verb = v;
        return head;
    }
    for (const auto& e : kVerbs)
        if (!e.name.empty() && iequals(*name, e.name)) head.verb = e.verb;
    return head;
}

std::optional<std::string_view> Parser::atom() {
    if (!ok()) return std::nullopt;
    std::string_view a = take_while(is_atom_char);
    if (a.empty()) {
        fail(at_end() ? "missing argument" : "expected an atom");
        return std::nullopt;
    }
    return a;
}

std::optional<std::string_view> Parser::astring_atom() {
    if (!ok()) return std::nullopt;
    std::string_view a = take_while(is_astring_char);
    if (a.empty()) {
        fail(at_end() ? "missing argument" : "expected an atom");
        return std::nullopt;
    }
    return a;
}

std::optional<std::uint64_t> Parser::number64() {
    if (!ok()) return std::nullopt;
    std::size_t start = pos_;
    std::uint64_t v = 0;
    while (pos_ < text_.size() && is_digit(static_cast<unsigned char>(text_[pos_]))) {
        constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        auto digit = static_cast<std::uint64_t>(text_[pos_] - '0');
        if (v > (kMax - digit) / 10) {
            fail("number too large");
            return std::nullopt;
        }
        v = v * 10 + static_cast<std::uint64_t>(text_[pos_] - '0');
        ++pos_;
    }
    if (pos_ == start) {
        fail(at_end() ? "missing number" : "expected a number");
        return std::nullopt;
    }
    return v;
}

std::optional<std::uint64_t> Parser::nz_number64() {
    if (peek('0')) {
        fail("expected a non-zero number");
        return std::nullopt;
    }
    return number64();
}

std::optional<std::uint32_t> Parser::number() {
    auto v = number64();
    if (!v) return std::nullopt;
    if (*v > 0xFFFFFFFFull) {
        fail("number too large");
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(*v);
}

std::optional<std::uint32_t> Parser::nz_number() {
    if (peek('0')) {
        fail("expected a non-zero number");
        return std::nullopt;
    }
    return number();
}

const LiteralSpan* Parser::literal_here() const {
    if (pos_ >= text_.size() || (text_[pos_] != '{' && text_[pos_] != '~')) return nullptr;
    const auto& lits = command_->literals;
    auto it = std::lower_bound(lits.begin(), lits.end(), pos_,
                               [](const LiteralSpan& l, std::size_t p) { return l.header < p; });
    if (it == lits.end() || it->header != pos_) return nullptr;
    return &*it;
}

bool Parser::at_literal() const {
    return ok() && literal_here() != nullptr;
}

std::optional<LiteralRef> Parser::literal(bool allow_binary) {
    if (!ok()) return std::nullopt;
    const LiteralSpan* l = literal_here();
    if (!l) {
        fail(pos_ < text_.size() && (text_[pos_] == '{' || text_[pos_] == '~')
                 ? "a literal must end its line"
                 : "expected a literal");
        return std::nullopt;
    }
    if (l->binary && !allow_binary) {
        fail("literal8 (~{n}) not allowed here");
        return std::nullopt;
    }
    LiteralRef ref;
    ref.index = static_cast<std::size_t>(l - command_->literals.data());
    ref.size = l->size;
    ref.binary = l->binary;
    ref.streamed = l->streamed;
    ref.has_nul = l->has_nul;
    if (!l->streamed) ref.data = text_.substr(l->data, static_cast<std::size_t>(l->size));
    pos_ = l->data + (l->streamed ? 0 : static_cast<std::size_t>(l->size));
    return ref;
}

std::optional<std::string> Parser::quoted() {
    // quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR = <TEXT-CHAR except quoted-specials> /
    // "\" quoted-specials / UTF8-2..4 (RFC 9051 §9, RFC 6855 §3).
    ++pos_;  // opening quote
    std::string out;
    std::size_t start = pos_;
    bool eight_bit = false;
    while (true) {
        if (pos_ >= text_.size()) {
            fail("unterminated quoted string");
            return std::nullopt;
        }
        auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '"') break;
        if (c == '\\') {
            out.append(text_.substr(start, pos_ - start));
            ++pos_;
            if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\\')) {
                fail("invalid escape in quoted string (only \\\\ and \\\" are allowed)");
                return std::nullopt;
            }
            start = pos_;
            ++pos_;
            continue;
        }
        if (c == 0 || c == '\r' || c == '\n') {
            fail("NUL, CR or LF in quoted string");
            return std::nullopt;
        }
        if (c >= 0x80) eight_bit = true;
        ++pos_;
    }
    out.append(text_.substr(start, pos_ - start));
    ++pos_;  // closing quote
    if (eight_bit && !is_valid_utf8(out)) {
        fail("quoted string is not valid UTF-8");
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> Parser::string() {
    if (!ok()) return std::nullopt;
    if (peek('"')) return quoted();
    if (pos_ < text_.size() && (text_[pos_] == '{' || text_[pos_] == '~')) {
        auto lit = literal(false);
        if (!lit) return std::nullopt;
        if (lit->streamed) {
            fail("unexpected message literal");
            return std::nullopt;
        }
        if (lit->data.find('\0') != std::string_view::npos) {
            fail("NUL in literal");
            return std::nullopt;
        }
        return std::string(lit->data);
    }
    fail(at_end() ? "missing string argument" : "expected a quoted string or literal");
    return std::nullopt;
}

std::optional<std::string> Parser::astring() {
    if (!ok()) return std::nullopt;
    if (peek('"') || (pos_ < text_.size() && (text_[pos_] == '{' || text_[pos_] == '~')))
        return string();
    auto a = astring_atom();
    if (!a) return std::nullopt;
    return std::string(*a);
}

std::optional<std::optional<std::string>> Parser::nstring() {
    if (!ok()) return std::nullopt;
    if (accept_keyword("NIL")) return std::optional<std::string>{};
    auto s = string();
    if (!s) return std::nullopt;
    return std::optional<std::string>{std::move(*s)};
}

std::optional<std::string> Parser::decode_mailbox(std::string raw, bool wildcards) {
    std::string name;
    if (options_.utf8) {
        if (!is_valid_utf8(raw)) {
            fail("mailbox name is not valid UTF-8");
            return std::nullopt;
        }
        name = std::move(raw);
    } else {
        auto decoded = mutf7_decode(raw);
        if (!decoded) {
            fail("mailbox name is not valid modified UTF-7 (RFC 3501 section 5.1.3)");
            return std::nullopt;
        }
        name = std::move(*decoded);
    }
    if (name.size() > kMaxMailboxName) {
        fail("mailbox name too long");
        return std::nullopt;
    }
    if (!wildcards) name = normalize_inbox(std::move(name));
    return name;
}

std::optional<std::string> Parser::mailbox() {
    auto raw = astring();
    if (!raw) return std::nullopt;
    return decode_mailbox(std::move(*raw), false);
}

std::optional<std::string> Parser::list_mailbox() {
    if (!ok()) return std::nullopt;
    std::string raw;
    if (peek('"') || (pos_ < text_.size() && (text_[pos_] == '{' || text_[pos_] == '~'))) {
        auto s = string();
        if (!s) return std::nullopt;
        raw = std::move(*s);
    } else {
        std::string_view a = take_while(is_list_char);
        if (a.empty()) {
            fail(at_end() ? "missing mailbox pattern" : "expected a mailbox pattern");
            return std::nullopt;
        }
        raw = std::string(a);
    }
    return decode_mailbox(std::move(raw), true);
}

std::optional<std::string> Parser::flag(bool allow_recent) {
    if (!ok()) return std::nullopt;
    static constexpr std::array<std::string_view, 6> kSystem{"\\Answered", "\\Flagged", "\\Deleted",
                                                             "\\Seen",     "\\Draft",   "\\Recent"};
    bool system = accept('\\');
    auto a = atom();
    if (!a) {
        error_.reset();
        fail("expected a flag");
        return std::nullopt;
    }
    if (!system) return std::string(*a);
    for (std::string_view s : kSystem) {
        if (iequals(s.substr(1), *a)) {
            if (s == "\\Recent" && !allow_recent) {
                fail("\\Recent cannot be set by the client");
                return std::nullopt;
            }
            return std::string(s);
        }
    }
    return "\\" + std::string(*a);  // flag-extension
}

std::optional<std::vector<std::string>> Parser::flag_list() {
    if (!expect('(', "to open the flag list")) return std::nullopt;
    std::vector<std::string> flags;
    if (accept(')')) return flags;
    while (true) {
        auto f = flag();
        if (!f) return std::nullopt;
        flags.push_back(std::move(*f));
        if (accept(')')) return flags;
        if (!expect(' ', "or ')' in the flag list")) return std::nullopt;
    }
}

namespace {

// Reads a 3-letter month name (case-insensitive) at s.
int month_of(std::string_view s) {
    for (std::size_t i = 0; i < kMonths.size(); ++i)
        if (iequals(s, kMonths[i])) return static_cast<int>(i) + 1;
    return 0;
}

}  // namespace

std::optional<Date> Parser::date() {
    if (!ok()) return std::nullopt;
    bool quoted_form = accept('"');
    Date d;
    std::size_t start = pos_;
    while (pos_ < text_.size() && pos_ - start < 2 &&
           is_digit(static_cast<unsigned char>(text_[pos_])))
        d.day = d.day * 10 + (text_[pos_++] - '0');
    bool good = pos_ > start && accept('-');
    if (good && text_.size() - pos_ >= 3) {
        d.month = month_of(text_.substr(pos_, 3));
        pos_ += 3;
    }
    good = good && d.month != 0 && accept('-');
    std::size_t ystart = pos_;
    while (good && pos_ < text_.size() && pos_ - ystart < 4 &&
           is_digit(static_cast<unsigned char>(text_[pos_])))
        d.year = d.year * 10 + (text_[pos_++] - '0');
    good = good && pos_ - ystart == 4 &&
           (pos_ >= text_.size() || !is_digit(static_cast<unsigned char>(text_[pos_])));
    if (good && quoted_form) good = accept('"');
    if (!good || d.day < 1 || d.day > days_in_month(d.year, d.month)) {
        fail("invalid date (expected d-Mon-yyyy)");
        return std::nullopt;
    }
    return d;
}

std::optional<DateTime> Parser::date_time() {
    if (!ok()) return std::nullopt;
    auto bad = [this]() -> std::optional<DateTime> {
        fail("invalid date-time (expected \"dd-Mon-yyyy hh:mm:ss +zzzz\")");
        return std::nullopt;
    };
    // Fixed layout: "dd-Mon-yyyy hh:mm:ss +zzzz" = 26 octets plus quotes.
    if (text_.size() - std::min(pos_, text_.size()) < 28 || text_[pos_] != '"') return bad();
    std::string_view s = text_.substr(pos_ + 1, 26);
    if (text_[pos_ + 27] != '"') return bad();
    auto digits = [&](std::size_t at, std::size_t n, int& out) {
        out = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (!is_digit(static_cast<unsigned char>(s[i]))) return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    };
    DateTime dt;
    // date-day-fixed = (SP DIGIT) / 2DIGIT
    if (s[0] == ' ') {
        if (!digits(1, 1, dt.date.day)) return bad();
    } else if (!digits(0, 2, dt.date.day)) {
        return bad();
    }
    dt.date.month = month_of(s.substr(3, 3));
    int zh = 0, zm = 0;
    if (s[2] != '-' || s[6] != '-' || dt.date.month == 0 || !digits(7, 4, dt.date.year) ||
        s[11] != ' ' || !digits(12, 2, dt.hour) || s[14] != ':' || !digits(15, 2, dt.minute) ||
        s[17] != ':' || !digits(18, 2, dt.second) || s[20] != ' ' ||
        (s[21] != '+' && s[21] != '-') || !digits(22, 2, zh) || !digits(24, 2, zm))
        return bad();
    if (dt.date.day < 1 || dt.date.day > days_in_month(dt.date.year, dt.date.month) ||
        dt.hour > 23 || dt.minute > 59 || dt.second > 60 || zm > 59)
        return bad();
    dt.zone_minutes = (zh * 60 + zm) * (s[21] == '-' ? -1 : 1);
    pos_ += 28;
    return dt;
}

std::optional<SequenceSet> Parser::sequence_set() {
    if (!ok()) return std::nullopt;
    SequenceSet set;
    if (accept('$')) {  // RFC 5182 §2: seq-last-command, only as the whole set
        set.saved = true;
        if (pos_ < text_.size() && text_[pos_] != ' ' && text_[pos_] != ')') {
            fail("invalid sequence set (\"$\" stands alone)");
            return std::nullopt;
        }
        return set;
    }
    auto seq_number = [this]() -> std::optional<std::uint32_t> {
        if (accept('*')) return kStar;
        if (pos_ >= text_.size() || !is_digit(static_cast<unsigned char>(text_[pos_]))) {
            fail("invalid sequence set");
            return std::nullopt;
        }
        auto n = nz_number();
        if (!n) {
            error_.reset();
            fail("invalid sequence set (numbers are 1 to 4294967295)");
        }
        return n;
    };
    while (true) {
        auto first = seq_number();
        if (!first) return std::nullopt;
        SeqRange r{*first, *first};
        if (accept(':')) {
            auto last = seq_number();
            if (!last) return std::nullopt;
            r.last = *last;
        }
        set.ranges.push_back(r);
        if (!accept(',')) break;
    }
    if (pos_ < text_.size() && text_[pos_] != ' ' && text_[pos_] != ')') {
        fail("invalid sequence set");
        return std::nullopt;
    }
    return set;
}

bool Parser::enter() {
    if (++depth_ > kMaxDepth) {
        --depth_;
        return fail("arguments nested too deeply");
    }
    return true;
}

}  // namespace hermod::imap::proto
