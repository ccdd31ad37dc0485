// cmd_delete.cpp - DELETE (RFC 9051 §6.3.5). INBOX cannot be deleted (NO [CANNOT]), a missing
// name is NO [NONEXISTENT]. §6.3.5 lets a server refuse to delete a name that has inferior
// names, with NO [HASCHILDREN] (§7.1); Hermod does, like Dovecot, so a hierarchy never keeps
// holes that would need \Noselect placeholders.
// The selected mailbox may be deleted (§6.3.5 does not forbid it): after the delete the session
// leaves the selected state and says so with an untagged OK [CLOSED] (the response code of
// RFC 9051 §7.1 that marks the end of a mailbox's responses).
#include <memory>

#include "imap/proto/arguments.hpp"
#include "imap/server/list_match.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

namespace {

std::shared_ptr<BlockingJob> delete_job(store::Store& store, store::Id mailbox_id) {
    auto job = std::make_shared<BlockingJob>();
    auto* st = &store;
    job->work = [st, mailbox_id] { st->delete_mailbox(mailbox_id); };
    return job;
}

}  // namespace

awaitable<void> cmd_delete(Session& s, proto::Parser& p) {
    auto name = proto::parse_mailbox_argument(p);
    if (!name) {
        parse_failed(s, p);
        co_return;
    }
    if (*name == "INBOX") {  // §6.3.5: "It is an error to attempt to delete INBOX"
        s.done(Status::No, "INBOX cannot be deleted", {Code::Cannot, {}});
        co_return;
    }
    std::optional<store::Mailbox> mb;
    bool children = false;
    try {
        mb = s.find_mailbox(*name);
        if (mb) {
            for (const auto& other : s.store.list_mailboxes(s.account_id)) {
                if (is_inferior(other.name, mb->name)) {
                    children = true;
                    break;
                }
            }
        }
    } catch (const std::exception& e) {
        store_failed(s, e, "DELETE");
        co_return;
    }
    if (!mb) {
        s.done(Status::No, "no such mailbox", {Code::Nonexistent, {}});
        co_return;
    }
    if (children) {
        s.done(Status::No, "mailbox has inferior mailboxes, delete them first",
               {Code::HasChildren, {}});
        co_return;
    }
    const store::Id id = mb->id;
    auto job = delete_job(s.store, id);
    co_await run_job(job);
    if (job->error) {
        store_failed(s, job->error, "DELETE");
        co_return;
    }
    if (s.selected && s.selected->id() == id) {
        // Deselected after the delete succeeded, so a failed DELETE leaves the session as it
        // was; nothing more is reported for the deleted mailbox (done() syncs only while
        // selected).
        s.deselect();
        s.untagged(Status::Ok, "selected mailbox deleted, no mailbox selected now",
                   {Code::Closed, {}});
    }
    s.done(Status::Ok, "DELETE completed");
}

}  // namespace hermod::imap
