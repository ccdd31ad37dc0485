// cmd_select.cpp - SELECT and EXAMINE (RFC 9051 §6.3.2-3; RFC 3501 §6.3.1 for IMAP4rev1 clients):
// the selected state, its view of sequence numbers and the store watch that feeds untagged
// updates (and wakes IDLE).
#include <algorithm>

#include "common/log.hpp"
#include "imap/proto/arguments.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

namespace {

const std::vector<std::string> kSystemFlags = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen",
                                               "\\Draft"};

awaitable<void> select(Session& s, proto::Parser& p, bool read_only) {
    auto req = proto::parse_select(p);
    if (!req) {
        parse_failed(s, p);
        co_return;
    }
    // A refused argument is BAD, which changes nothing: the current mailbox stays selected
    // (RFC 9051 §7.1.3; the deselect below is for SELECTs that are attempted).
    if (req->condstore) {
        s.done(Status::Bad, "CONDSTORE is not supported");
        co_return;
    }
    // RFC 9051 §6.3.2: a SELECT first deselects the current mailbox, even when it then fails;
    // IMAP4rev2 clients are told so with [CLOSED].
    bool was_selected = s.state == State::Selected;
    s.deselect();
    if (was_selected && s.rev2)
        s.untagged(Status::Ok, "previous mailbox closed", {Code::Closed, {}});
    std::optional<store::Mailbox> mb;
    std::vector<store::Message> messages;
    try {
        mb = s.find_mailbox(req->mailbox);
        if (mb) messages = s.store.list_messages(mb->id);
    } catch (const std::exception& e) {
        store_failed(s, e, "select");
        co_return;
    }
    if (!mb) {
        s.done(Status::No, "no such mailbox", {Code::Nonexistent, {}});
        co_return;
    }
    SelectedMailbox view(*mb, std::move(messages), read_only);
    // The watch keeps latest_modseq current and wakes IDLE; it runs on the store's writer
    // thread, so it only touches the shared atomics.
    try {
        auto latest = view.latest_modseq;
        auto waker = view.waker;
        view.watch = s.store.watch(mb->id, [latest, waker](std::uint64_t modseq) {
            std::uint64_t cur = latest->load();
            while (cur < modseq && !latest->compare_exchange_weak(cur, modseq)) {
            }
            waker->fire();
        });
        // A change committed between list_messages and the watch is caught by this re-read.
        if (auto now = s.store.get_mailbox(mb->id))
            view.latest_modseq->store(std::max(view.known_modseq, now->highestmodseq));
    } catch (const std::exception& e) {
        spdlog::warn("imap: {} watch of {} failed: {}", s.peer_ip, mb->name, e.what());
    }

    std::string out;
    out += "* " + std::to_string(view.exists()) + " EXISTS\r\n";
    if (!s.rev2) out += "* 0 RECENT\r\n";  // \Recent is not kept (docs/imap.md)
    out += "* FLAGS ";
    proto::append_atom_list(out, kSystemFlags);
    out += "\r\n";
    out += proto::untagged(
        Status::Ok, "flags clients may set",
        proto::permanentflags(read_only ? std::vector<std::string>{} : kSystemFlags, !read_only));
    if (!s.rev2) {
        // RFC 3501 §6.3.1: the first unseen message (IMAP4rev2 dropped it).
        const auto& msgs = view.messages();
        auto it = std::find_if(msgs.begin(), msgs.end(),
                               [](const ViewMessage& m) { return !(m.flags & store::kSeen); });
        if (it != msgs.end())
            out += "* OK [UNSEEN " + std::to_string(it - msgs.begin() + 1) + "] first unseen\r\n";
    }
    out += proto::untagged(Status::Ok, "UIDs valid", proto::uidvalidity(mb->uidvalidity));
    out += proto::untagged(Status::Ok, "predicted next UID", proto::uidnext(mb->uidnext));
    if (s.rev2) {
        // RFC 9051 §6.3.2: the mailbox's LIST response (its canonical name).
        out += "* LIST () \"/\" ";
        proto::append_mailbox(out, mb->name, s.encode_options());
        out += "\r\n";
    }
    s.send(out);
    s.selected.emplace(std::move(view));
    s.state = State::Selected;
    s.done(Status::Ok, read_only ? "EXAMINE completed" : "SELECT completed",
           {read_only ? Code::ReadOnly : Code::ReadWrite, {}});
}

}  // namespace

awaitable<void> cmd_select(Session& s, proto::Parser& p) {
    co_await select(s, p, false);
}

awaitable<void> cmd_examine(Session& s, proto::Parser& p) {
    co_await select(s, p, true);
}

}  // namespace hermod::imap
