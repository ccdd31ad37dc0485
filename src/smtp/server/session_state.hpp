// session_state.hpp - internal to src/smtp/server: the per-connection state shared by the
// session loop and the command handlers (cmd_*.cpp), the command table and the async helpers.
// Security: the state machine here is what enforces command order (RFC 5321 §4.1.4), the AUTH
// requirement on submission (RFC 6409 §4.1) and the forgetting of state after STARTTLS
// (RFC 3207 §4.2).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/authenticator.hpp"
#include "delivery/delivery.hpp"
#include "net/stream.hpp"
#include "smtp/proto/bdat_receiver.hpp"
#include "smtp/proto/command.hpp"
#include "smtp/proto/reply.hpp"
#include "smtp/server/message_writer.hpp"
#include "smtp/server/session.hpp"

namespace hermod::smtp {

using boost::asio::awaitable;

struct IdleWatch;

/// One BDAT transaction in progress (RFC 3030).
struct BdatState {
    std::unique_ptr<MessageWriter> writer;
    std::unique_ptr<proto::BdatReceiver> receiver;
};

struct Session {
    Session(net::Stream& s, const Services& svc, Mode m);
    ~Session();

    net::Stream& stream;
    const config::Config& cfg;
    delivery::Deliverer& deliverer;
    auth::Authenticator* authenticator;
    Mode mode;
    std::string hostname;
    std::string peer_ip;
    bool loopback = false;
    bool trusted = false;

    // Connection state (forgotten after STARTTLS, RFC 3207 §4.2).
    bool greeted = false;  ///< HELO/EHLO/LHLO seen
    bool esmtp = false;    ///< EHLO/LHLO rather than HELO
    std::string helo_name;
    bool authenticated = false;
    std::string login;

    // Transaction state (RFC 5321 §4.1.4: reset by RSET, HELO/EHLO and a finished message).
    bool in_mail = false;
    std::string mail_from;  ///< reverse-path mailbox, "" for <>
    proto::MailParams mail_params;
    std::vector<delivery::Recipient> recipients;
    std::optional<BdatState> bdat;
    std::string queue_id;  ///< of the message being received (Received id, 250 reply)

    unsigned errors = 0;
    bool quit = false;  ///< end the session after flushing
    std::string out;    ///< replies not yet written (RFC 2920 pipelining)
    std::shared_ptr<IdleWatch> watch;
    std::unique_ptr<char[]> data_buf;  ///< see data_buffer()

    /// Queues a reply. Negative replies count towards cfg.smtp.max_errors unless `count` is
    /// false (per-recipient LMTP results are not the client's fault).
    void reply(const proto::Reply& r, bool count = true);
    /// Writes queued replies; false when the connection is gone.
    awaitable<bool> flush();
    /// Reads one line (marks the session as waiting for the client, for the idle watch).
    awaitable<net::LineResult> read_line();
    /// Reads raw bytes into `buf` (DATA/BDAT).
    awaitable<net::IoResult> read_some(std::span<char> buf);
    /// The buffer DATA and BDAT read message octets into: allocated on the first message and
    /// kept for the connection's later ones (a fresh zero-filled vector per message cost a
    /// 64 KiB memset and heap churn on every message).
    std::span<char> data_buffer();
    void reset_transaction();
    /// Forgets everything learned from the client (STARTTLS).
    void reset_connection();

    delivery::Client client() const;
    bool tls() const { return stream.is_tls(); }
    /// AUTH may be offered: an authenticator exists, not LMTP, and the line is encrypted or
    /// on loopback with cfg.smtp.plaintext_auth_on_loopback (RFC 4954 §4, RFC 8314 §3).
    bool auth_offered() const;
    /// "ESMTPSA" etc. (RFC 3848) for the Received header.
    std::string with_protocol() const;
};

// --- Command table (STYLE §3.2, Postfix smtpd_cmd_table) ---------------------------------
enum CommandFlag : unsigned {
    kPreTls = 1u << 0,     ///< allowed before STARTTLS where TLS is required
    kPreAuth = 1u << 1,    ///< allowed before AUTH where AUTH is required (submission)
    kEndsGroup = 1u << 2,  ///< last in a PIPELINING group: flush replies (RFC 2920 §3.1)
    kNotLmtp = 1u << 3,    ///< not part of LMTP (RFC 2033 §4.1)
    kLmtpOnly = 1u << 4,   ///< LHLO
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
awaitable<void> cmd_helo(Session&, const proto::Command&);      // cmd_helo.cpp: HELO
awaitable<void> cmd_ehlo(Session&, const proto::Command&);      // EHLO and LHLO
awaitable<void> cmd_mail(Session&, const proto::Command&);      // cmd_mail.cpp
awaitable<void> cmd_rcpt(Session&, const proto::Command&);      // cmd_rcpt.cpp
awaitable<void> cmd_data(Session&, const proto::Command&);      // cmd_data.cpp
awaitable<void> cmd_bdat(Session&, const proto::Command&);      // cmd_bdat.cpp
awaitable<void> cmd_auth(Session&, const proto::Command&);      // cmd_auth.cpp
awaitable<void> cmd_starttls(Session&, const proto::Command&);  // cmd_starttls.cpp
awaitable<void> cmd_rset(Session&, const proto::Command&);      // cmd_misc.cpp
awaitable<void> cmd_noop(Session&, const proto::Command&);
awaitable<void> cmd_quit(Session&, const proto::Command&);
awaitable<void> cmd_help(Session&, const proto::Command&);
awaitable<void> cmd_vrfy(Session&, const proto::Command&);
awaitable<void> cmd_expn(Session&, const proto::Command&);

/// Reads and drops `n` message octets (a refused BDAT chunk); false if the connection ended.
awaitable<bool> skip_chunk(Session& s, std::uint64_t n);

// --- Shared by DATA and BDAT (cmd_data.cpp) ----------------------------------------------
/// A writer for the current transaction's message: Return-Path and Received first, then on
/// submission Date/Message-ID when missing.
std::unique_ptr<MessageWriter> open_message(Session& s);
/// Refuses the whole message: once, or on LMTP once per accepted recipient (RFC 2033 §4.2),
/// counting as one error when `count`. Resets the transaction.
void refuse_message(Session& s, const proto::Reply& r, bool count);
/// Finishes the blob, delivers it, queues the final reply (one per recipient on LMTP) and
/// resets the transaction.
awaitable<void> finish_message(Session& s, MessageWriter& writer);

// --- Async bridges (async.cpp): resume on the session's executor -------------------------
awaitable<std::vector<delivery::RcptResult>> deliver(delivery::Deliverer& d,
                                                     delivery::Envelope envelope,
                                                     std::shared_ptr<const store::StagedBlob> blob);
awaitable<auth::AuthResult> authenticate(auth::Authenticator& a, std::string login,
                                         std::string password, std::string ip);

/// MessageWriter::finish(); with `offload` (large bodies, which are fsynced) on a small
/// thread pool so the fsync does not block an I/O thread.
awaitable<std::shared_ptr<const store::StagedBlob>> finish_blob(MessageWriter& writer,
                                                                bool offload);

/// Starts the idle watch (RFC 5321 §4.5.3.2: 421 4.4.2 when the client stays silent).
awaitable<void> start_idle_watch(Session& s);
void stop_idle_watch(Session& s);
/// The idle watch has cancelled the session's read: end with 421 4.4.2 (RFC 5321 §4.5.3.2).
bool idle_timed_out(const Session& s);
void set_waiting(Session& s, bool waiting);

// --- The reply for a delivery outcome (replies.cpp) --------------------------------------
namespace replies {
proto::Reply delivery_result(delivery::RcptStatus status, std::string_view queue_id);
}  // namespace replies

}  // namespace hermod::smtp
