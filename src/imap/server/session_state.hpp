// session_state.hpp - internal to src/imap/server: the per-connection state shared by the
// session loop and the command handlers (cmd_*.cpp), the command table, the selected mailbox's
// view and the async bridges.
// Security: the state gate in the command table (RFC 9051 §3) keeps every mailbox command
// behind a successful login; handlers only ever name mailboxes of s.account_id.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/authenticator.hpp"
#include "imap/proto/encoder.hpp"
#include "imap/proto/parser.hpp"
#include "imap/server/selected.hpp"
#include "imap/server/session.hpp"
#include "net/stream.hpp"
#include "store/store.hpp"

namespace hermod::imap {

using boost::asio::awaitable;
using proto::Code;
using proto::ResponseCode;
using proto::Status;

enum class State : std::uint8_t { NotAuthenticated, Authenticated, Selected, Logout };

/// A message literal of an APPEND, streamed into a blob while the command was read.
struct AppendBlob {
    std::size_t literal_index = 0;
    std::shared_ptr<const store::StagedBlob> blob;
};

struct Session {
    Session(net::Stream& s, const Services& svc);

    net::Stream& stream;
    const config::Config& cfg;
    store::Store& store;
    auth::Authenticator* authenticator;
    std::string peer_ip;
    bool loopback = false;

    State state = State::NotAuthenticated;
    std::string login;  ///< the canonical account address once authenticated
    store::Id account_id = 0;

    // ENABLE (RFC 5161) and what it changes.
    bool rev2 = false;  ///< ENABLE IMAP4rev2: rev2 responses (no RECENT, ESEARCH for SEARCH)
    bool utf8 = false;  ///< ENABLE UTF8=ACCEPT (RFC 6855) or IMAP4rev2: UTF-8 mailbox names

    std::optional<SelectedMailbox> selected;
    /// SEARCH RETURN (SAVE) result (RFC 5182), as UIDs; reset by SELECT/EXAMINE/CLOSE.
    std::vector<std::uint32_t> saved_search;

    /// Message literals of the command being run (APPEND), streamed to blobs by the loop.
    std::vector<AppendBlob> append_blobs;

    /// The command being run.
    std::string tag;
    bool uid_command = false;  ///< "UID ..." form
    proto::Verb verb = proto::Verb::Unknown;
    unsigned errors = 0;  ///< BAD responses so far (cfg.imap.max_errors)

    bool logout = false;  ///< end the session after flushing
    std::string out;      ///< responses not yet written

    // --- output -----------------------------------------------------------------------
    /// Queues raw response text (already CRLF-terminated).
    void send(std::string_view text) { out.append(text); }
    /// Queues "tag STATUS [code] text" for the current command.
    void done(Status status, std::string_view text, const ResponseCode& code = {});
    /// Queues "* STATUS [code] text".
    void untagged(Status status, std::string_view text, const ResponseCode& code = {});
    /// Writes queued output; false when the connection is gone.
    awaitable<bool> flush();

    proto::EncodeOptions encode_options() const {
        proto::EncodeOptions o;
        o.utf8 = utf8;
        return o;
    }
    proto::ParserOptions parser_options() const {
        proto::ParserOptions o;
        o.utf8 = utf8;
        return o;
    }

    bool tls() const { return stream.is_tls(); }
    /// LOGIN and AUTHENTICATE PLAIN/LOGIN may be used now: TLS, or loopback with
    /// cfg.imap.plaintext_auth_on_loopback (RFC 9051 §6.2.3 LOGINDISABLED, RFC 8314 §3).
    bool plaintext_allowed() const;

    /// Capabilities for the current state (RFC 9051 §7.2.2).
    std::vector<std::string_view> capabilities() const;

    /// The mailbox `name` (UTF-8, INBOX normalised) of this account, or nullopt.
    std::optional<store::Mailbox> find_mailbox(std::string_view name);

    /// Sends what changed in the selected mailbox since the last call (RFC 9051 §7.5.1):
    /// EXISTS, FETCH FLAGS, and EXPUNGE only when `allow_expunge` (never during FETCH, STORE
    /// and SEARCH, whose sequence numbers the client is using).
    void sync_selected(bool allow_expunge);

    /// Leaves the selected state (CLOSE, UNSELECT, SELECT of another mailbox, DELETE of it).
    void deselect();
};

// --- Command table ----------------------------------------------------------------------
enum CommandFlag : unsigned {
    kNotAuthenticated = 1u << 0,
    kAuthenticated = 1u << 1,
    kSelected = 1u << 2,
};

/// A handler gets the parser standing after the command name (at the SP before arguments).
using CommandHandler = awaitable<void> (*)(Session&, proto::Parser&);

struct CommandEntry {
    proto::Verb verb;
    CommandHandler handler;
    unsigned flags;
};

/// The row for `verb`, or nullptr.
const CommandEntry* find_command(proto::Verb verb);

// Handlers: one file per command (SELECT/EXAMINE, SUBSCRIBE/UNSUBSCRIBE, LIST/LSUB,
// CLOSE/UNSELECT, COPY/MOVE, NOOP/CHECK share theirs).
awaitable<void> cmd_capability(Session&, proto::Parser&);    // cmd_capability.cpp
awaitable<void> cmd_noop(Session&, proto::Parser&);          // cmd_noop.cpp (NOOP, CHECK)
awaitable<void> cmd_logout(Session&, proto::Parser&);        // cmd_logout.cpp
awaitable<void> cmd_starttls(Session&, proto::Parser&);      // cmd_starttls.cpp
awaitable<void> cmd_authenticate(Session&, proto::Parser&);  // cmd_authenticate.cpp
awaitable<void> cmd_login(Session&, proto::Parser&);         // cmd_login.cpp
awaitable<void> cmd_enable(Session&, proto::Parser&);        // cmd_enable.cpp
awaitable<void> cmd_id(Session&, proto::Parser&);            // cmd_id.cpp
awaitable<void> cmd_namespace(Session&, proto::Parser&);     // cmd_namespace.cpp
awaitable<void> cmd_select(Session&, proto::Parser&);        // cmd_select.cpp (and EXAMINE)
awaitable<void> cmd_examine(Session&, proto::Parser&);
awaitable<void> cmd_create(Session&, proto::Parser&);       // cmd_create.cpp
awaitable<void> cmd_delete(Session&, proto::Parser&);       // cmd_delete.cpp
awaitable<void> cmd_rename(Session&, proto::Parser&);       // cmd_rename.cpp
awaitable<void> cmd_subscribe(Session&, proto::Parser&);    // cmd_subscribe.cpp
awaitable<void> cmd_unsubscribe(Session&, proto::Parser&);  //   (and UNSUBSCRIBE)
awaitable<void> cmd_list(Session&, proto::Parser&);         // cmd_list.cpp (and LSUB)
awaitable<void> cmd_lsub(Session&, proto::Parser&);
awaitable<void> cmd_status(Session&, proto::Parser&);  // cmd_status.cpp
awaitable<void> cmd_append(Session&, proto::Parser&);  // cmd_append.cpp
awaitable<void> cmd_idle(Session&, proto::Parser&);    // cmd_idle.cpp
awaitable<void> cmd_close(Session&, proto::Parser&);   // cmd_close.cpp (and UNSELECT)
awaitable<void> cmd_unselect(Session&, proto::Parser&);
awaitable<void> cmd_expunge(Session&, proto::Parser&);  // cmd_expunge.cpp (and UID EXPUNGE)
awaitable<void> cmd_search(Session&, proto::Parser&);   // cmd_search.cpp
awaitable<void> cmd_fetch(Session&, proto::Parser&);    // cmd_fetch.cpp
awaitable<void> cmd_store(Session&, proto::Parser&);    // cmd_store.cpp
awaitable<void> cmd_copy(Session&, proto::Parser&);     // cmd_copy.cpp (and MOVE)
awaitable<void> cmd_move(Session&, proto::Parser&);

/// Answers a failed parse: BAD with the parser's text, or NO [BADCHARSET].
void parse_failed(Session& s, const proto::Parser& p);

/// The response for a store failure (NO [NONEXISTENT] / [ALREADYEXISTS] / [OVERQUOTA] /
/// [CANNOT] / [SERVERBUG]) with `what` as context for the log.
void store_failed(Session& s, const std::exception& e, std::string_view what);
/// The same for a BlockingJob's error.
void store_failed(Session& s, std::exception_ptr error, std::string_view what);

// --- Async bridges (async.cpp): resume on the session's executor ------------------------
/// A password check in flight, shared with the Authenticator's thread (GCC 12: never capture
/// strings by value across co_await, see pop3/server/session_state.hpp).
struct LoginCheck {
    std::string login;
    std::string password;
    std::string ip;
    auth::AuthResult result;
};
awaitable<void> authenticate(auth::Authenticator& a, const std::shared_ptr<LoginCheck>& check);

/// Blocking store work (writes wait for the group-commit fsync) for the blocking pool. `work`
/// runs there; an exception it throws is caught there and kept in `error`.
struct BlockingJob {
    std::function<void()> work;
    std::exception_ptr error;
    void run();
};
/// Runs job->work on the blocking pool (net::run_blocking). Not a coroutine (GCC 12, see
/// net/offload.hpp): build the job, then `co_await run_job(job)`, then check job->error.
awaitable<void> run_job(const std::shared_ptr<BlockingJob>& job);

/// Checks a login (LOGIN, AUTHENTICATE) and answers it: logged_in() or NO [AUTHENTICATIONFAILED].
awaitable<void> check_and_log_in(Session& s, std::shared_ptr<LoginCheck> check);

/// Logs in `account` (verified): the authenticated state, CAPABILITY in the OK (RFC 9051
/// §6.2.2 "server MAY include a CAPABILITY response code").
void logged_in(Session& s, const std::string& account);

/// The flag atoms of a message ("\Seen" ... then keywords), for FLAGS responses.
std::vector<std::string> flag_atoms(std::uint32_t flags, const std::vector<std::string>& keywords);
/// Splits a parsed flag list into system-flag bits and keywords. \Recent is ignored.
void split_flags(const std::vector<std::string>& atoms, std::uint32_t& flags,
                 std::vector<std::string>& keywords);

}  // namespace hermod::imap
