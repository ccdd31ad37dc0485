// export_commands.cpp - `hermod export ADDRESS [MAILBOX]`: one mailbox as an mboxrd file.
//
// mboxrd (RFC 4155 and the "mboxrd" variant of the mbox family): every message starts with a
// "From <sender> <asctime date>" separator line, every body line matching /^>*From / gets one more
// '>' (so a reader can undo the quoting exactly by removing one), and each message is followed by
// one empty line. The envelope sender comes from the Return-Path header the receiving session
// puts first in every delivered message (RFC 5321 §4.4); the date is the internal date in UTC.
//
// Line endings: the store keeps messages in network form (CRLF). By default they are written as
// LF, as mbox readers on Unix expect; `--crlf` keeps the stored octets, which makes the export
// byte-exact (used by the integration tests to compare what was sent with what was stored).
//
// Bodies are streamed in chunks with read_blob_range, so a 50 MiB message never sits in memory
// twice. Security: mail is private; --output files are created with mode 0600.
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>

#include "admin/admin_cli.hpp"
#include "admin/admin_ops.hpp"
#include "admin/commands.hpp"

namespace hermod::admin {

namespace {

constexpr std::uint64_t kChunk = 1 << 20;  // octets read from the store at a time
constexpr std::string_view kFrom = "From ";

// Writes bytes to a FILE*, turning a failed write into one clear AdminError.
class Output {
  public:
    Output(std::FILE* file, std::string name) : file_(file), name_(std::move(name)) {}
    void write(std::string_view bytes) {
        if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
            fail();
    }
    void put(char c) { write(std::string_view(&c, 1)); }
    void flush() {
        if (std::fflush(file_) != 0 || std::ferror(file_)) fail();
    }
    [[noreturn]] void fail() {
        throw AdminError("cannot write " + name_ + ": " + std::strerror(errno));
    }

  private:
    std::FILE* file_;
    std::string name_;
};

// Streams one message body with mboxrd quoting and optional CRLF -> LF conversion. Keeps O(1)
// state across chunk boundaries: the number of '>' seen at the start of the current line, how
// much of "From " followed, and whether a CR is waiting for its LF.
class MboxrdBody {
  public:
    MboxrdBody(Output& out, bool crlf) : out_(out), crlf_(crlf) {}

    void feed(std::string_view bytes) {
        for (char c : bytes)
            put(c);
    }

    // Ends the message: flushes any undecided line start and makes sure it ends with a line
    // ending, then writes the empty separator line.
    void finish() {
        flush_prefix(false);
        if (pending_cr_) {
            out_.put('\r');
            pending_cr_ = false;
            line_start_ = false;
        }
        if (!line_start_) out_.write(eol());
        out_.write(eol());
    }

  private:
    std::string_view eol() const { return crlf_ ? "\r\n" : "\n"; }

    void put(char c) {
        if (pending_cr_) {
            pending_cr_ = false;
            if (c == '\n') {
                end_line();
                return;
            }
            out_.put('\r');  // a CR that is not part of CRLF is content
        }
        if (c == '\r') {
            flush_prefix(false);
            pending_cr_ = true;
            return;
        }
        if (c == '\n') {  // a bare LF (possible with BDAT) also ends a line for mbox readers
            flush_prefix(false);
            out_.put('\n');
            line_start_ = true;
            in_prefix_ = true;
            return;
        }
        if (in_prefix_) {
            if (matched_ == 0 && c == '>') {
                ++quotes_;
                return;
            }
            if (c == kFrom[matched_]) {
                if (++matched_ == kFrom.size()) flush_prefix(true);
                return;
            }
            flush_prefix(false);
        }
        out_.put(c);
        line_start_ = false;
    }

    void end_line() {
        flush_prefix(false);
        out_.write(eol());
        line_start_ = true;
        in_prefix_ = true;
    }

    // Writes the withheld line start: the '>'s and the matched part of "From ", with one more
    // '>' in front when the whole of ">*From " matched.
    void flush_prefix(bool quote) {
        if (!in_prefix_) return;
        in_prefix_ = false;
        if (quote) out_.put('>');
        for (std::size_t i = 0; i < quotes_; ++i)
            out_.put('>');
        out_.write(kFrom.substr(0, matched_));
        if (quote || quotes_ > 0 || matched_ > 0) line_start_ = false;
        quotes_ = 0;
        matched_ = 0;
    }

    Output& out_;
    bool crlf_;
    bool pending_cr_ = false;
    bool line_start_ = true;  // nothing written yet on the current output line
    bool in_prefix_ = true;   // still deciding whether the current line needs quoting
    std::size_t quotes_ = 0;
    std::size_t matched_ = 0;
};

// The envelope sender from a leading "Return-Path: <addr>" header, else MAILER-DAEMON (the
// customary mbox sender for the null reverse-path and for mail without one).
std::string envelope_sender(std::string_view head) {
    constexpr std::string_view kName = "return-path:";
    if (head.size() < kName.size()) return "MAILER-DAEMON";
    for (std::size_t i = 0; i < kName.size(); ++i) {
        char c = head[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != kName[i]) return "MAILER-DAEMON";
    }
    std::string_view rest = head.substr(kName.size());
    auto open = rest.find('<');
    auto close = rest.find('>');
    auto eol = rest.find_first_of("\r\n");
    if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
        (eol != std::string_view::npos && close > eol))
        return "MAILER-DAEMON";
    std::string_view addr = rest.substr(open + 1, close - open - 1);
    // The separator line is space-delimited: a sender with white space or controls (a quoted
    // local part) would make it ambiguous, so it falls back like the null sender.
    if (addr.empty()) return "MAILER-DAEMON";
    for (char c : addr)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return "MAILER-DAEMON";
    return std::string(addr);
}

// "Mon Nov 23 11:17:07 2026", the asctime() form mbox readers expect, in UTC.
std::string mbox_date(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
    return buf;
}

struct ExportArgs {
    std::string address;
    std::string mailbox = "INBOX";
    std::string output;
    bool crlf = false;
};

void run_export(store::Store& store, const ExportArgs& args) {
    store::Account account = require_user(store, args.address);
    // IMAP treats INBOX case-insensitively (RFC 9051 §5.1); every other name is exact.
    std::string name = args.mailbox;
    if (name.size() == 5 && strncasecmp(name.c_str(), "INBOX", 5) == 0) name = "INBOX";
    auto mailbox = store.find_mailbox(account.id, name);
    if (!mailbox) throw AdminError("no such mailbox for " + account.address + ": " + name);
    auto messages = store.list_messages(mailbox->id);

    // Open the output only once the request is known to be valid, so an error leaves no file.
    std::FILE* file = stdout;
    std::string file_name = "stdout";
    if (!args.output.empty() && args.output != "-") {
        file_name = args.output;
        int fd = ::open(args.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || !(file = ::fdopen(fd, "wb"))) {
            int err = errno;
            if (fd >= 0) ::close(fd);
            throw AdminError("cannot write " + args.output + ": " + std::strerror(err));
        }
    }
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(
        file == stdout ? nullptr : file, [](std::FILE* f) { return std::fclose(f); });

    Output out(file, file_name);
    const std::string_view eol = args.crlf ? "\r\n" : "\n";
    for (const auto& msg : messages) {
        std::string first =
            msg.size == 0 ? std::string()
                          : store.read_blob_range(msg.blob_hash, 0, std::min(msg.size, kChunk));
        out.write("From " + envelope_sender(first) + " " + mbox_date(msg.internal_date));
        out.write(eol);
        MboxrdBody body(out, args.crlf);
        body.feed(first);
        for (std::uint64_t off = first.size(); off < msg.size; off += kChunk)
            body.feed(store.read_blob_range(msg.blob_hash, off, std::min(kChunk, msg.size - off)));
        body.finish();
    }
    out.flush();
    if (closer) {
        // fclose reports the last write error (e.g. a full disk) of a buffered file.
        std::FILE* f = closer.release();
        if (std::fclose(f) != 0) out.fail();
    }
}

}  // namespace

void register_export_commands(CLI::App& app, const config::GlobalOptions& options) {
    auto args = std::make_shared<ExportArgs>();
    auto* cmd = app.add_subcommand("export",
                                   "write a mailbox as an mboxrd file (RFC 4155), to stdout "
                                   "or --output FILE")
                    ->fallthrough();
    cmd->add_option("ADDRESS", args->address, "e-mail address of the account")->required();
    cmd->add_option("MAILBOX", args->mailbox, "mailbox name")->capture_default_str();
    cmd->add_option("-o,--output", args->output, "write to FILE (mode 0600) instead of stdout");
    cmd->add_flag("--crlf", args->crlf,
                  "keep the stored CRLF line endings (byte-exact messages) instead of LF");
    cmd->callback([&options, args] {
        auto store = open_admin_store(options);
        run_export(*store, *args);
    });
}

}  // namespace hermod::admin
