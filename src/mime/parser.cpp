// parser.cpp - one pass over the message; each byte is scanned for boundaries once and
// counted for lines once, so parsing is linear in the message size whatever the nesting.
#include "mime/parser.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "mime/date.hpp"
#include "mime/encoded_word.hpp"
#include "mime/header.hpp"

namespace hermod::mime {
namespace {

// Recursion bound whatever the configuration says (deserialize() accepts up to 1024 levels).
constexpr std::size_t kMaxSupportedDepth = 1000;

// Where a part's content stops: at a boundary line of an enclosing multipart, or at the end.
struct Stop {
    std::size_t end = 0;   ///< content end (before the [CR]LF that belongs to the boundary)
    std::size_t line = 0;  ///< start of the "--boundary" line
    int boundary = -1;     ///< index into the boundary stack; -1 = end of message
    bool close = false;    ///< "--boundary--"
};

struct Counts {
    std::uint64_t lf = 0;
    std::uint64_t bare_lf = 0;
};

std::string trimmed_unfold(std::string_view raw) {
    std::string s = unfold(raw);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.pop_back();
    return s;
}

// Content-Transfer-Encoding: the leading RFC 2045 token; none (Dovecot: "7bit") when the
// value does not start with one.
std::optional<std::string> encoding_token(std::string_view raw) {
    std::string s = unfold(raw);
    std::size_t j = 0;
    while (j < s.size() && static_cast<unsigned char>(s[j]) > 0x20 && s[j] != 0x7F &&
           !std::strchr("()<>@,;:\\\"/[]?=", s[j]))
        ++j;
    if (j == 0) return std::nullopt;
    // Dovecot: only comments and white space may follow ("base64 junk" is no encoding).
    std::size_t k = j;
    int depth = 0;
    for (; k < s.size(); ++k) {
        char c = s[k];
        if (depth > 0) {
            if (c == '\\') {
                ++k;
            } else if (c == '(') {
                ++depth;
            } else if (c == ')') {
                --depth;
            }
        } else if (c == '(') {
            depth = 1;
        } else if (c != ' ' && c != '\t') {
            return std::nullopt;
        }
    }
    return s.substr(0, j);
}

class Parser {
  public:
    Parser(std::string_view msg, const Limits& limits) : msg_(msg), limits_(limits) {}

    Structure run() {
        Structure s;
        parse_part(s.root, 0, 0, false, true);
        s.truncated = truncated_;
        return s;
    }

  private:
    std::size_t line_after(std::size_t pos) const {
        const void* nl = std::memchr(msg_.data() + pos, '\n', msg_.size() - pos);
        return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - msg_.data()) + 1
                  : msg_.size();
    }

    // Dovecot boundary_find(): "--" then the longest enclosing boundary that prefixes the rest
    // of the line; on equal length the innermost wins.
    int match_boundary(std::size_t line, bool& close) const {
        if (stack_.empty() || line + 2 > msg_.size() || msg_[line] != '-' || msg_[line + 1] != '-')
            return -1;
        std::size_t rest_begin = line + 2;
        std::size_t rest_end = line_after(rest_begin);
        if (rest_end > rest_begin && msg_[rest_end - 1] == '\n') --rest_end;
        std::string_view rest = msg_.substr(rest_begin, rest_end - rest_begin);
        int best = -1;
        for (int i = static_cast<int>(stack_.size()) - 1; i >= 0; --i) {
            std::string_view b = stack_[i];
            if (b.size() <= rest.size() && rest.compare(0, b.size(), b) == 0 &&
                (best < 0 || stack_[best].size() < b.size()))
                best = i;
        }
        if (best >= 0) {
            std::string_view b = stack_[best];
            close = rest.size() >= b.size() + 2 && rest.compare(b.size(), 2, "--") == 0;
        }
        return best;
    }

    // Scans lines from `pos` (a line start) to the next boundary line or the end.
    Stop scan(std::size_t pos) const {
        Stop s;
        s.end = s.line = msg_.size();
        if (stack_.empty()) return s;
        std::size_t line = pos;
        while (line < msg_.size()) {
            bool close = false;
            int b = match_boundary(line, close);
            if (b >= 0) {
                s.line = line;
                s.boundary = b;
                s.close = close;
                s.end = boundary_content_end(pos, line);
                return s;
            }
            // Jump to the next "\n-" quickly: most lines do not start with '-'.
            const char* p = msg_.data() + line;
            const char* end = msg_.data() + msg_.size();
            while (true) {
                const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
                if (!nl) return s;
                p = static_cast<const char*>(nl) + 1;
                if (p < end && *p == '-') break;
            }
            line = static_cast<std::size_t>(p - msg_.data());
        }
        return s;
    }

    // RFC 2046 §5.1.1: the CRLF before "--boundary" belongs to the delimiter, except on the
    // part's very first line.
    std::size_t boundary_content_end(std::size_t begin, std::size_t line) const {
        if (line <= begin) return begin;
        std::size_t e = line - 1;
        if (e > begin && msg_[e - 1] == '\r') --e;
        return e;
    }

    Counts count(std::size_t begin, std::size_t end) const {
        Counts c;
        const char* p = msg_.data() + begin;
        const char* e = msg_.data() + end;
        while (p < e) {
            const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(e - p));
            if (!nl) break;
            const char* q = static_cast<const char*>(nl);
            ++c.lf;
            if (q == msg_.data() || q[-1] != '\r') ++c.bare_lf;
            p = q + 1;
        }
        return c;
    }

    void finish_counts(Part& p) const {
        Counts h = count(p.header_offset, p.body_offset);
        p.header_vsize = p.header_size + h.bare_lf;
        Counts b;
        std::size_t pos = p.body_offset;
        const std::size_t body_end = p.body_offset + p.body_size;
        // Children were counted already; only the gaps between them are scanned here.
        for (const Part& c : p.children) {
            Counts g = count(pos, c.header_offset);
            b.lf += g.lf + c.body_lines + count_lines_header(c);
            b.bare_lf +=
                g.bare_lf + (c.header_vsize - c.header_size) + (c.body_vsize - c.body_size);
            pos = c.body_offset + c.body_size;
        }
        Counts g = count(pos, body_end);
        b.lf += g.lf;
        b.bare_lf += g.bare_lf;
        p.body_lines = b.lf;
        p.body_vsize = p.body_size + b.bare_lf;
    }

    std::uint64_t count_lines_header(const Part& c) const {
        return count(c.header_offset, c.body_offset).lf;
    }

    void read_header(Part& p, const std::vector<HeaderField>& fields, bool digest_parent,
                     bool message_root) {
        bool have_ct = false, mime_version = false, seen_cte = false;
        for (const auto& f : fields) {
            std::string_view n = f.name;
            if (n.size() < 4) continue;
            if (iequals(n, "MIME-Version")) {
                mime_version = true;
            } else if (!have_ct && iequals(n, "Content-Type")) {
                have_ct = true;  // Dovecot: only the first Content-Type counts
                std::string t, st;
                std::vector<Param> params;
                if (parse_content_type(f.value, t, st, params)) {
                    p.type = std::move(t);
                    p.subtype = std::move(st);
                    p.params = std::move(params);
                    p.has_content_type = true;
                }
            } else if (!seen_cte && iequals(n, "Content-Transfer-Encoding")) {
                seen_cte = true;
                p.encoding = encoding_token(f.value);
            } else if (!p.id && iequals(n, "Content-ID")) {
                p.id = trimmed_unfold(f.value);
            } else if (!p.description && iequals(n, "Content-Description")) {
                p.description = trimmed_unfold(f.value);
            } else if (!p.md5 && iequals(n, "Content-MD5")) {
                p.md5 = trimmed_unfold(f.value);
            } else if (!p.location && iequals(n, "Content-Location")) {
                p.location = trimmed_unfold(f.value);
            } else if (!p.language && iequals(n, "Content-Language")) {
                p.language = trimmed_unfold(f.value);
            } else if (!p.disposition && iequals(n, "Content-Disposition")) {
                std::string t;
                std::vector<Param> params;
                if (parse_disposition(f.value, t, params)) {
                    p.disposition = std::move(t);
                    p.disposition_params = std::move(params);
                }
            }
        }
        // A message with neither MIME-Version nor Content-Type is not MIME (RFC 2045 §4):
        // like Dovecot, ignore its other Content-* fields. Body parts are always MIME.
        if (message_root && !mime_version && !have_ct) {
            p.encoding.reset();
            p.id.reset();
            p.description.reset();
            p.md5.reset();
            p.location.reset();
            p.language.reset();
            p.disposition.reset();
            p.disposition_params.clear();
        }
        // RFC 2046 §5.1.5: in a digest the default is message/rfc822.
        if (!p.has_content_type && digest_parent) {
            p.type = "message";
            p.subtype = "rfc822";
        }
        if (message_root) p.envelope = read_envelope(fields);
    }

    Envelope read_envelope(const std::vector<HeaderField>& fields) const {
        Envelope e;
        // As Dovecot: a repeated Date, Subject, In-Reply-To or Message-ID counts by its last
        // occurrence; the addresses of repeated From, Sender, Reply-To, To, Cc and Bcc fields
        // are joined in header order (RFC 5322 §3.6 allows one of each, but a message with two
        // To: fields has every recipient of both).
        enum { kDate, kSubject, kInReplyTo, kMessageId };
        static constexpr std::string_view kTextNames[] = {"Date", "Subject", "In-Reply-To",
                                                          "Message-ID"};
        static constexpr std::string_view kAddressNames[] = {"From", "Sender", "Reply-To",
                                                             "To",   "Cc",     "Bcc"};
        std::vector<Address>* const address_lists[] = {&e.from, &e.sender, &e.reply_to,
                                                       &e.to,   &e.cc,     &e.bcc};
        constexpr std::size_t kMaxAddresses = 10000;
        const HeaderField* last[4] = {};
        for (const auto& f : fields) {
            for (int i = 0; i < 4; ++i)
                if (iequals(f.name, kTextNames[i])) last[i] = &f;
            for (int i = 0; i < 6; ++i) {
                if (!iequals(f.name, kAddressNames[i])) continue;
                std::vector<Address>& dst = *address_lists[i];
                if (dst.size() >= kMaxAddresses) break;
                std::vector<Address> more = parse_address_list(f.value, kMaxAddresses - dst.size());
                if (dst.empty())
                    dst = std::move(more);
                else
                    dst.insert(dst.end(), std::make_move_iterator(more.begin()),
                               std::make_move_iterator(more.end()));
            }
        }
        auto text = [&](std::optional<std::string>& dst, int i) {
            if (last[i]) dst = unfold(last[i]->value);
        };
        text(e.date, kDate);
        text(e.subject, kSubject);
        text(e.in_reply_to, kInReplyTo);
        text(e.message_id, kMessageId);
        if (e.subject) e.subject_utf8 = decode_encoded_words(*e.subject);
        if (e.date)
            if (auto d = parse_date(*e.date)) {
                e.date_unix = d->unix_time;
                e.date_tz_minutes = d->tz_minutes;
            }
        return e;
    }

    bool may_add_part() {
        if (parts_ < limits_.max_parts) return true;
        truncated_ = true;
        return false;
    }

    // Parses the part whose header starts at `pos`; returns where its content stopped.
    Stop parse_part(Part& p, std::size_t pos, std::size_t depth, bool digest_parent,
                    bool message_root) {
        ++parts_;
        p.header_offset = pos;

        // Header section: ends at the empty line, at an enclosing boundary line (Dovecot:
        // the [CR]LF before it then belongs to the boundary), at the size limit, or at EOF.
        std::size_t hend = msg_.size();
        bool boundary_in_header = false;
        Stop early;
        std::size_t line = pos;
        while (line < msg_.size()) {
            char c = msg_[line];
            if (c == '\n' || (c == '\r' && line + 1 < msg_.size() && msg_[line + 1] == '\n')) {
                hend = line + (c == '\r' ? 2 : 1);
                break;
            }
            bool close = false;
            if (c == '-') {
                int b = match_boundary(line, close);
                if (b >= 0) {
                    hend = boundary_content_end(pos, line);
                    early.end = hend;
                    early.line = line;
                    early.boundary = b;
                    early.close = close;
                    boundary_in_header = true;
                    break;
                }
            }
            std::size_t next = line_after(line);
            if (next - pos > limits_.max_header_size) {
                truncated_ = true;
                hend = line;  // the rest, including this line, is body
                break;
            }
            line = next;
        }
        p.header_size = hend - pos;
        p.body_offset = hend;

        std::vector<HeaderField> fields =
            parse_header(msg_.substr(pos, hend - pos), limits_.max_header_fields);
        if (fields.size() >= limits_.max_header_fields) truncated_ = true;
        read_header(p, fields, digest_parent, message_root);
        fields.clear();

        Stop stop;
        const bool can_nest = depth < std::min(limits_.max_depth, kMaxSupportedDepth);
        const Param* bparam = p.is_multipart() ? find_param(p.params, "boundary") : nullptr;
        // An RFC 2231-encoded boundary (Dovecot would ignore it) is used decoded.
        std::string_view boundary;
        if (bparam) boundary = bparam->extended ? bparam->decoded : bparam->value;
        const bool is_message =
            p.type == "message" &&
            (p.subtype == "rfc822" || (p.subtype == "global" && limits_.message_global_is_message));
        if (!can_nest && (!boundary.empty() || is_message)) truncated_ = true;

        if (boundary_in_header) {
            stop = early;
        } else if (!boundary.empty() && can_nest) {
            stop = parse_multipart(p, boundary, depth);
        } else if (is_message && can_nest && may_add_part()) {
            p.children.emplace_back();
            stop = parse_part(p.children.back(), p.body_offset, depth + 1, false, true);
        } else {
            stop = scan(p.body_offset);
        }
        p.body_size = stop.end - p.body_offset;
        finish_counts(p);
        return stop;
    }

    Stop parse_multipart(Part& p, std::string_view boundary, std::size_t depth) {
        const int own = static_cast<int>(stack_.size());
        stack_.emplace_back(boundary);
        const bool digest = p.subtype == "digest";
        Stop s = scan(p.body_offset);
        while (s.boundary == own) {
            std::size_t next = line_after(s.line);
            if (s.close) {
                // Epilogue: up to an enclosing boundary or the end (RFC 2046 §5.1.1).
                stack_.pop_back();
                return scan(next);
            }
            if (!may_add_part()) {
                s = scan(next);
                continue;
            }
            p.children.emplace_back();
            s = parse_part(p.children.back(), next, depth + 1, digest, false);
        }
        // An enclosing boundary or the end of the message ends this multipart too.
        stack_.resize(static_cast<std::size_t>(own));
        return s;
    }

    std::string_view msg_;
    const Limits& limits_;
    std::vector<std::string> stack_;  // owned: Part strings move when siblings are added
    std::size_t parts_ = 0;
    bool truncated_ = false;
};

}  // namespace

Structure parse(std::string_view message, const Limits& limits) {
    return Parser(message, limits).run();
}

}  // namespace hermod::mime
