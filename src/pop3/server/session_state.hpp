// session_state.hpp - internal to src/pop3/server: the per-connection state shared by the
// session loop and the command handlers (cmd_*.cpp), the command table and the async bridges.
// Security: the state machine here (AUTHORIZATION -> TRANSACTION, RFC 1939 §3) is what keeps
// every maildrop command behind a successful login and the maildrop lock.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "auth/authenticator.hpp"
#include "net/stream.hpp"
#include "pop3/proto/command.hpp"
#include "pop3/proto/reply.hpp"
#include "pop3/server/maildrop.hpp"
#include "pop3/server/session.hpp"

namespace hermod::pop3 {

using boost::asio::awaitable;

enum class State : std::uint8_t { Authorization, Transaction };

struct Session {
    Session(net::Stream& s, const Services& svc);

    net::Stream& stream;
    const config::Config& cfg;
    store::Store& store;
    auth::Authenticator* authenticator;
    std::string hostname;
    std::string peer_ip;
    bool loopback = false;

    State state = State::Authorization;
    std::optional<std::string> user;  ///< from USER, waiting for PASS
    std::string login;                ///< the canonical account address (TRANSACTION)
    store::Id account_id = 0;
    MaildropLocks::Lock lock;  ///< held in TRANSACTION, released however the session ends
    std::optional<Maildrop> maildrop;
    /// Small bodies read ahead for RETR/TOP (cmd_retr.cpp), by message number.
    std::map<std::uint32_t, std::string> prefetched;

    unsigned errors = 0;
    bool quit = false;     ///< end the session after flushing
    bool updated = false;  ///< QUIT in TRANSACTION ran the UPDATE state (RFC 1939 §6)
    std::string out;       ///< replies not yet written (RFC 2449 §6.6 pipelining)

    /// Queues a reply; "-ERR" replies count towards cfg.pop3.max_errors.
    void reply(const std::string& r);
    /// Writes queued replies; false when the connection is gone.
    awaitable<bool> flush();
    bool tls() const { return stream.is_tls(); }
    /// USER/PASS and AUTH PLAIN/LOGIN may be used now: TLS, or loopback with
    /// cfg.pop3.plaintext_auth_on_loopback (RFC 2595 §2, RFC 8314 §3).
    bool plaintext_allowed() const;
};

// --- Command table ----------------------------------------------------------------------
enum CommandFlag : unsigned {
    kAuthorization = 1u << 0,  ///< valid in the AUTHORIZATION state
    kTransaction = 1u << 1,    ///< valid in the TRANSACTION state
};

using CommandHandler = awaitable<void> (*)(Session&, const proto::Command&);

struct CommandEntry {
    proto::Verb verb;
    CommandHandler handler;
    unsigned flags;
};

/// The row for `verb`, or nullptr (Unknown).
const CommandEntry* find_command(proto::Verb verb);

// Handlers, one group per file.
awaitable<void> cmd_user(Session&, const proto::Command&);  // cmd_auth.cpp
awaitable<void> cmd_pass(Session&, const proto::Command&);
awaitable<void> cmd_apop(Session&, const proto::Command&);
awaitable<void> cmd_auth(Session&, const proto::Command&);
awaitable<void> cmd_stls(Session&, const proto::Command&);  // cmd_stls.cpp
awaitable<void> cmd_capa(Session&, const proto::Command&);  // cmd_capa_quit.cpp
awaitable<void> cmd_quit(Session&, const proto::Command&);
awaitable<void> cmd_stat(Session&, const proto::Command&);  // cmd_transaction.cpp
awaitable<void> cmd_list(Session&, const proto::Command&);  // LIST and UIDL
awaitable<void> cmd_dele(Session&, const proto::Command&);
awaitable<void> cmd_noop(Session&, const proto::Command&);
awaitable<void> cmd_rset(Session&, const proto::Command&);
awaitable<void> cmd_retr(Session&, const proto::Command&);  // cmd_retr.cpp: RETR and TOP

/// The message a number argument names (RFC 1939 §3), or nullptr after queuing the -ERR:
/// not a number, out of range, or deleted in this session.
const MaildropEntry* message_arg(Session& s, const std::string& arg, std::uint32_t& number);

// --- Async bridges (async.cpp): resume on the session's executor ------------------------
/// A password check in flight: shared with the Authenticator's thread, never captured as
/// strings (GCC 12 mishandles std::string captures and returns carried through a coroutine).
struct LoginCheck {
    std::string login;
    std::string password;
    std::string ip;
    auth::AuthResult result;
};
/// Runs the check; the result is in `check->result` afterwards.
awaitable<void> authenticate(auth::Authenticator& a, const std::shared_ptr<LoginCheck>& check);
/// Maildrop::commit (UPDATE state) or a blob range read: blocking store work, done on the
/// blocking pool (the commit waits for the group-commit fsync) and shared with it. Failures
/// are caught on the worker and reported in `error`.
struct StoreJob {
    store::Store* store = nullptr;
    // commit
    const Maildrop* drop = nullptr;
    bool expire_retrieved = false;
    // blob read
    std::string hash;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::string data;

    std::string error;  ///< what failed, "" on success

    void commit();     ///< runs Maildrop::commit
    void read_blob();  ///< reads [offset, offset + length) of `hash` into `data`
};
/// Runs job->commit() / job->read_blob() on the blocking pool. Not coroutines: GCC 12
/// mishandles locals and temporaries around co_await in small helper coroutines (double
/// frees seen in tests), so these only hand the shared job to net::run_blocking.
awaitable<void> commit_offloaded(const std::shared_ptr<StoreJob>& job);
awaitable<void> read_blob_offloaded(const std::shared_ptr<StoreJob>& job);

}  // namespace hermod::pop3
