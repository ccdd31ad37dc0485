// session.cpp - the IMAP session loop (RFC 9051 §2.2, §3, §7.5): greeting, command assembly with
// literals (synchronizing "+" continuations, LITERAL+ RFC 7888, APPEND messages streamed to blob
// files), the command table's state gate, untagged updates before each tagged response
// (RFC 9051 §7.5.1), and the per-connection helpers.
// Security: lines are bounded by the LineReader (limits.imap_line_length) and commands with their
// literals by the CommandAssembler (limits.imap_literal_size, TOOBIG); APPEND messages never sit
// in memory whole (they stream into the store's BlobWriter); output is flushed whenever it passes
// 64 KiB, so a pipelining client cannot make us buffer without bound.
#include <algorithm>
#include <array>
#include <chrono>
#include <memory>

#include "common/log.hpp"
#include "imap/proto/command_reader.hpp"
#include "imap/proto/mailbox_name.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

namespace {

using proto::Verb;

constexpr unsigned kAuth = kAuthenticated | kSelected;
constexpr unsigned kAny = kNotAuthenticated | kAuth;

constexpr std::array kCommands = {
    CommandEntry{Verb::Capability, cmd_capability, kAny},
    CommandEntry{Verb::Noop, cmd_noop, kAny},
    CommandEntry{Verb::Logout, cmd_logout, kAny},
    CommandEntry{Verb::Starttls, cmd_starttls, kNotAuthenticated},
    CommandEntry{Verb::Authenticate, cmd_authenticate, kNotAuthenticated},
    CommandEntry{Verb::Login, cmd_login, kNotAuthenticated},
    CommandEntry{Verb::Id, cmd_id, kAny},  // RFC 2971 §3.1: any state
    CommandEntry{Verb::Enable, cmd_enable, kAuth},
    CommandEntry{Verb::Select, cmd_select, kAuth},
    CommandEntry{Verb::Examine, cmd_examine, kAuth},
    CommandEntry{Verb::Create, cmd_create, kAuth},
    CommandEntry{Verb::Delete, cmd_delete, kAuth},
    CommandEntry{Verb::Rename, cmd_rename, kAuth},
    CommandEntry{Verb::Subscribe, cmd_subscribe, kAuth},
    CommandEntry{Verb::Unsubscribe, cmd_unsubscribe, kAuth},
    CommandEntry{Verb::List, cmd_list, kAuth},
    CommandEntry{Verb::Lsub, cmd_lsub, kAuth},
    CommandEntry{Verb::Namespace, cmd_namespace, kAuth},
    CommandEntry{Verb::Status, cmd_status, kAuth},
    CommandEntry{Verb::Append, cmd_append, kAuth},
    CommandEntry{Verb::Idle, cmd_idle, kAuth},
    CommandEntry{Verb::Check, cmd_noop, kSelected},
    CommandEntry{Verb::Close, cmd_close, kSelected},
    CommandEntry{Verb::Unselect, cmd_unselect, kSelected},
    CommandEntry{Verb::Expunge, cmd_expunge, kSelected},
    CommandEntry{Verb::Search, cmd_search, kSelected},
    CommandEntry{Verb::Fetch, cmd_fetch, kSelected},
    CommandEntry{Verb::Store, cmd_store, kSelected},
    CommandEntry{Verb::Copy, cmd_copy, kSelected},
    CommandEntry{Verb::Move, cmd_move, kSelected},
};

/// Output queued beyond this is written before the next command runs.
constexpr std::size_t kFlushAt = 64 * 1024;
/// Read size while receiving literal octets (allocated only then: idle sessions stay small).
constexpr std::size_t kLiteralChunk = 64 * 1024;
/// Longest command and literal accepted before login.
constexpr std::size_t kPreAuthMax = 16 * 1024;

unsigned state_flag(State st) {
    switch (st) {
        case State::NotAuthenticated:
            return kNotAuthenticated;
        case State::Authenticated:
            return kAuthenticated;
        case State::Selected:
            return kSelected;
        case State::Logout:
            return 0;
    }
    return 0;
}

/// Streams an APPEND message literal into a blob, turning bare LF into CRLF on the way (stored
/// messages are always CRLF text, RFC 9051 §6.3.12 expects RFC 5322 messages).
class AppendSink {
  public:
    explicit AppendSink(store::Store& store) : writer_(store.new_blob()) {}
    void write(std::string_view bytes) {
        std::size_t start = 0;
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            if (bytes[i] == '\n' && !(i == 0 ? last_cr_ : bytes[i - 1] == '\r')) {
                writer_->write(bytes.substr(start, i - start));
                writer_->write("\r\n");
                start = i + 1;
            }
        }
        writer_->write(bytes.substr(start));
        if (!bytes.empty()) last_cr_ = bytes.back() == '\r';
    }
    std::shared_ptr<const store::StagedBlob> finish() { return writer_->finish(); }

  private:
    std::unique_ptr<store::BlobWriter> writer_;
    bool last_cr_ = false;
};

}  // namespace

const CommandEntry* find_command(Verb verb) {
    for (const auto& e : kCommands)
        if (e.verb == verb) return &e;
    return nullptr;
}

Session::Session(net::Stream& s, const Services& svc)
    : stream(s),
      cfg(*svc.cfg),
      store(*svc.store),
      authenticator(svc.authenticator),
      peer_ip(s.peer_address()),
      loopback(s.peer_is_loopback()) {}

void Session::done(Status status, std::string_view text, const ResponseCode& code) {
    // RFC 9051 §7.5.1: pending mailbox updates go out before the tagged response; EXPUNGE
    // only where the client's sequence numbers may change (not FETCH, STORE, SEARCH).
    if (state == State::Selected && status != Status::Bad) {
        bool allow_expunge =
            uid_command || (verb != proto::Verb::Fetch && verb != proto::Verb::Store &&
                            verb != proto::Verb::Search);
        try {
            sync_selected(allow_expunge);
        } catch (const std::exception& e) {
            // The updates stay owed: the next command tries again.
            spdlog::warn("imap: {} {} mailbox update failed: {}", peer_ip, login, e.what());
        }
    }
    if (status == Status::Bad) ++errors;
    out += proto::tagged(tag, status, text, code);
}

void Session::untagged(Status status, std::string_view text, const ResponseCode& code) {
    out += proto::untagged(status, text, code);
}

awaitable<bool> Session::flush() {
    if (out.empty()) co_return stream.is_open();
    std::string data;
    data.swap(out);
    auto r = co_await stream.write(data);
    co_return !r.ec;
}

bool Session::plaintext_allowed() const {
    if (!authenticator) return false;
    return tls() || (loopback && cfg.imap.plaintext_auth_on_loopback);
}

std::vector<std::string_view> Session::capabilities() const {
    std::vector<std::string_view> caps = {"IMAP4rev1", "IMAP4rev2", "LITERAL+", "SASL-IR",
                                          "ENABLE",    "ID",        "IDLE"};
    if (state == State::NotAuthenticated) {
        if (!tls() && stream.tls_available()) caps.push_back("STARTTLS");
        if (plaintext_allowed()) {
            caps.push_back("AUTH=PLAIN");
            caps.push_back("AUTH=LOGIN");
        } else {
            caps.push_back("LOGINDISABLED");  // RFC 9051 §6.2.3
        }
        return caps;
    }
    for (auto c :
         {"NAMESPACE", "UNSELECT", "UIDPLUS", "CHILDREN", "LIST-EXTENDED", "LIST-STATUS",
          "SPECIAL-USE", "MOVE", "ESEARCH", "SEARCHRES", "BINARY", "STATUS=SIZE", "UTF8=ACCEPT"})
        caps.push_back(c);
    return caps;
}

std::optional<store::Mailbox> Session::find_mailbox(std::string_view name) {
    return store.find_mailbox(account_id, name);
}

void Session::sync_selected(bool allow_expunge) {
    if (!selected) return;
    auto& v = *selected;
    std::uint64_t latest = v.latest_modseq->load();
    bool owed = allow_expunge && v.pending_expunges > 0;
    if (latest <= v.known_modseq && !owed) return;
    std::vector<std::uint32_t> expunged, touched;
    std::uint64_t newest = v.known_modseq;
    if (latest > v.known_modseq) {
        for (const auto& c : store.changes_since(v.id(), v.known_modseq)) {
            newest = std::max(newest, c.modseq);
            if (c.kind == store::ChangeKind::Expunged)
                expunged.push_back(c.uid);
            else
                touched.push_back(c.uid);
        }
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    std::vector<store::Message> current;
    if (!touched.empty()) current = store.find_messages(v.id(), touched);
    // A UID appended and expunged within the window is not in `current`; one expunged and
    // reported as touched is dropped by apply() (it is marked first).
    auto update = v.apply(expunged, current, allow_expunge);
    v.known_modseq = newest;
    for (auto seq : update.expunged_seqs)
        out += "* " + std::to_string(seq) + " EXPUNGE\r\n";
    if (update.exists) out += "* " + std::to_string(update.exists) + " EXISTS\r\n";
    for (auto seq : update.flag_seqs) {
        const auto& m = v.at(seq);
        out += "* " + std::to_string(seq) + " FETCH (UID " + std::to_string(m.uid) + " FLAGS ";
        proto::append_atom_list(out, flag_atoms(m.flags, v.keywords(m)));
        out += ")\r\n";
    }
}

void Session::deselect() {
    selected.reset();
    saved_search.clear();
    if (state == State::Selected) state = State::Authenticated;
}

void parse_failed(Session& s, const proto::Parser& p) {
    const auto& e = p.error();
    if (e && e->kind == proto::ParseErrorKind::BadCharset) {
        s.done(Status::No, e->text, proto::badcharset());
        return;
    }
    s.done(Status::Bad, e ? e->text : "syntax error");
}

void store_failed(Session& s, const std::exception& e, std::string_view what) {
    auto* se = dynamic_cast<const store::StoreError*>(&e);
    if (!se) {
        spdlog::warn("imap: {} {} {} failed: {}", s.peer_ip, s.login, what, e.what());
        s.done(Status::No, "internal error, try again later", {Code::ServerBug, {}});
        return;
    }
    switch (se->kind()) {
        case store::ErrorKind::NotFound:
            s.done(Status::No, "no such mailbox", {Code::Nonexistent, {}});
            return;
        case store::ErrorKind::AlreadyExists:
            s.done(Status::No, "mailbox already exists", {Code::AlreadyExists, {}});
            return;
        case store::ErrorKind::QuotaExceeded:
            s.done(Status::No, "quota exceeded", {Code::OverQuota, {}});
            return;
        case store::ErrorKind::Invalid:
            s.done(Status::No, se->what(), {Code::Cannot, {}});
            return;
        case store::ErrorKind::Io:
            spdlog::warn("imap: {} {} {} failed: {}", s.peer_ip, s.login, what, e.what());
            s.done(Status::No, "temporary storage failure, try again later",
                   {Code::Unavailable, {}});
            return;
    }
}

void store_failed(Session& s, std::exception_ptr error, std::string_view what) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        store_failed(s, e, what);
    } catch (...) {
        s.done(Status::No, "internal error, try again later", {Code::ServerBug, {}});
    }
}

std::vector<std::string> flag_atoms(std::uint32_t flags, const std::vector<std::string>& keywords) {
    std::vector<std::string> atoms;
    if (flags & store::kSeen) atoms.emplace_back("\\Seen");
    if (flags & store::kAnswered) atoms.emplace_back("\\Answered");
    if (flags & store::kFlagged) atoms.emplace_back("\\Flagged");
    if (flags & store::kDeleted) atoms.emplace_back("\\Deleted");
    if (flags & store::kDraft) atoms.emplace_back("\\Draft");
    for (const auto& k : keywords)
        atoms.push_back(k);
    return atoms;
}

void split_flags(const std::vector<std::string>& atoms, std::uint32_t& flags,
                 std::vector<std::string>& keywords) {
    flags = 0;
    keywords.clear();
    for (const auto& a : atoms) {
        if (a == "\\Seen")
            flags |= store::kSeen;
        else if (a == "\\Answered")
            flags |= store::kAnswered;
        else if (a == "\\Flagged")
            flags |= store::kFlagged;
        else if (a == "\\Deleted")
            flags |= store::kDeleted;
        else if (a == "\\Draft")
            flags |= store::kDraft;
        else if (!a.starts_with("\\") &&
                 std::find(keywords.begin(), keywords.end(), a) == keywords.end())
            keywords.push_back(a);
        // \Recent and unknown system flags are not stored (RFC 9051 §2.3.2).
    }
}

void logged_in(Session& s, const std::string& account) {
    std::optional<store::Account> acct;
    try {
        acct = s.store.find_account(account);
    } catch (const std::exception& e) {
        spdlog::warn("imap: {} account lookup failed: {}", s.peer_ip, e.what());
    }
    if (!acct) {
        s.done(Status::No, "temporary failure, try again later", {Code::Unavailable, {}});
        return;
    }
    s.login = account;
    s.account_id = acct->id;
    s.state = State::Authenticated;
    spdlog::info("imap: {} login {}{}", s.peer_ip, account, s.tls() ? " (TLS)" : "");
    s.done(Status::Ok, "logged in", proto::capability(s.capabilities()));
}

awaitable<void> run_session(net::Stream& stream, Services services) {
    Session s(stream, services);
    stream.reader().set_max_line(s.cfg.limits.imap_line_length);
    // RFC 9051 §5.4: the autologout timer is at least 30 minutes.
    stream.set_idle_timeout(std::chrono::minutes(std::max(s.cfg.imap.autologout_minutes, 30u)));

    proto::AssemblyLimits limits;
    limits.max_command = s.cfg.limits.imap_line_length;
    limits.max_literal =
        std::min<std::uint64_t>(s.cfg.limits.imap_literal_size, s.cfg.limits.max_message_size);
    limits.max_discard = limits.max_literal;
    // Before login only small literals (a LOGIN password) are read, and nothing is streamed
    // to disk: an unauthenticated peer must not make us store an APPEND (RFC 9051 §6.3.12 is
    // an authenticated-state command anyway).
    proto::AssemblyLimits pre_auth = limits;
    pre_auth.max_command = std::min<std::size_t>(limits.max_command, kPreAuthMax);
    pre_auth.max_literal = kPreAuthMax;
    pre_auth.max_discard = kPreAuthMax;
    pre_auth.stream_append = false;
    auto assembler = std::make_unique<proto::CommandAssembler>(pre_auth);
    bool full_limits = false;

    s.out +=
        proto::untagged(Status::Ok, "Hermod IMAP4rev2 ready", proto::capability(s.capabilities()));
    while (!s.logout) {
        if (stream.shutting_down()) {
            s.untagged(Status::Bye, "server shutting down");
            break;
        }
        if (s.out.size() >= kFlushAt ||
            stream.reader().buffered().find('\n') == std::string_view::npos) {
            bool ok = co_await s.flush();
            if (!ok) break;
        }
        auto r = co_await stream.read_line();
        if (r.ec) break;  // closed, reset, or timed out
        if (stream.shutting_down()) {
            s.untagged(Status::Bye, "server shutting down");
            break;
        }
        if (!full_limits && s.state != State::NotAuthenticated && assembler->idle()) {
            assembler = std::make_unique<proto::CommandAssembler>(limits);
            full_limits = true;
        }
        assembler->set_parser_options(s.parser_options());
        proto::Step step = r.line.status == net::LineReader::Status::TooLong
                               ? assembler->line_too_long()
                               : assembler->feed_line(r.line.text);
        s.append_blobs.clear();
        // Literals: octets follow, then the rest of the command on a new line.
        bool lost = false;
        while (step.kind == proto::Step::Kind::Literal ||
               (step.kind == proto::Step::Kind::Reject && assembler->literal_remaining() > 0)) {
            if (step.kind == proto::Step::Kind::Reject) {
                s.out += step.error->response();
                if (step.error->recovery == proto::Recovery::Close) {
                    lost = true;
                    break;
                }
            } else if (step.send_continuation) {
                s.out += proto::continuation();
            }
            if (!co_await s.flush()) {
                lost = true;
                break;
            }
            std::unique_ptr<AppendSink> sink;
            if (step.kind == proto::Step::Kind::Literal && step.streamed)
                sink = std::make_unique<AppendSink>(s.store);
            std::unique_ptr<char[]> chunk;
            while (assembler->literal_remaining() > 0) {
                auto buffered = stream.reader().buffered();
                std::string_view bytes;
                if (!buffered.empty()) {
                    bytes =
                        buffered.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(
                                               buffered.size(), assembler->literal_remaining())));
                } else {
                    if (!chunk) chunk = std::make_unique<char[]>(kLiteralChunk);
                    auto io = co_await stream.read_some(std::span<char>(
                        chunk.get(), static_cast<std::size_t>(std::min<std::uint64_t>(
                                         kLiteralChunk, assembler->literal_remaining()))));
                    if (io.ec) {
                        lost = true;
                        break;
                    }
                    bytes = std::string_view(chunk.get(), io.bytes);
                }
                if (sink) sink->write(bytes);
                std::size_t used = assembler->feed_literal(bytes);
                if (!buffered.empty()) stream.reader().consume(used);
            }
            if (lost) break;
            if (sink) s.append_blobs.push_back({step.literal_index, sink->finish()});
            auto next = co_await stream.read_line();
            if (next.ec) {
                lost = true;
                break;
            }
            step = next.line.status == net::LineReader::Status::TooLong
                       ? assembler->line_too_long()
                       : assembler->feed_line(next.line.text);
        }
        if (lost) break;
        if (step.kind == proto::Step::Kind::Reject) {
            s.out += step.error->response();
            ++s.errors;
            if (step.error->recovery == proto::Recovery::Close) break;
            continue;
        }
        if (step.kind != proto::Step::Kind::Complete) continue;  // blank line or discarding

        const auto& command = assembler->command();
        proto::Parser p(command, s.parser_options());
        auto head = p.command_head();
        s.uid_command = false;
        s.verb = Verb::Unknown;
        if (!head) {
            s.tag = std::string(assembler->tag());
            if (s.tag.empty() || s.tag == "*" || s.tag == "+") {
                ++s.errors;
                s.out += proto::untagged(Status::Bad, "invalid tag or command");
            } else {
                parse_failed(s, p);
            }
        } else {
            s.tag = std::string(head->tag);
            s.uid_command = head->uid;
            s.verb = head->verb;
            const CommandEntry* entry = find_command(head->verb);
            if (!entry) {
                s.done(Status::Bad, "unknown command");
            } else if (!(entry->flags & state_flag(s.state))) {
                s.done(Status::Bad,
                       s.state == State::NotAuthenticated
                           ? "log in first"
                           : (s.state == State::Authenticated ? "select a mailbox first"
                                                              : "not valid now"));
            } else {
                std::string failure;
                try {
                    co_await entry->handler(s, p);
                } catch (const std::exception& e) {
                    failure = e.what();
                }
                if (!failure.empty()) {
                    // A handler bug or an unexpected store error ends the command, not the
                    // session.
                    spdlog::error("imap: {} {} {} failed: {}", s.peer_ip, s.login,
                                  proto::verb_name(s.verb), failure);
                    s.out +=
                        proto::tagged(s.tag, Status::No, "internal error", {Code::ServerBug, {}});
                }
            }
        }
        s.append_blobs.clear();
        if (s.errors >= s.cfg.imap.max_errors && !s.logout) {
            spdlog::info("imap: {} too many errors, closing", s.peer_ip);
            s.untagged(Status::Bye, "too many errors");
            break;
        }
    }
    co_await s.flush();
    s.selected.reset();
}

net::Handler make_handler(Services services) {
    return [services](net::Stream& stream) -> awaitable<void> {
        return run_session(stream, services);
    };
}

}  // namespace hermod::imap
