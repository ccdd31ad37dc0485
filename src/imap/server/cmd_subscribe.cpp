// cmd_subscribe.cpp - SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8).
// Subscriptions are an attribute of the stored mailbox (store::Mailbox::subscribed), so only
// existing mailboxes can be subscribed: SUBSCRIBE of a missing name is NO [NONEXISTENT]
// (§6.3.7: "A server MAY validate the mailbox argument to SUBSCRIBE to verify that it
// exists"), and so is UNSUBSCRIBE of one. A subscription follows its mailbox through RENAME and
// goes with it on DELETE. UNSUBSCRIBE of an existing, unsubscribed mailbox is OK (idempotent).
#include <memory>

#include "imap/proto/arguments.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

namespace {

std::shared_ptr<BlockingJob> subscribe_job(store::Store& store, store::Id mailbox_id, bool on) {
    auto job = std::make_shared<BlockingJob>();
    auto* st = &store;
    job->work = [st, mailbox_id, on] { st->set_subscribed(mailbox_id, on); };
    return job;
}

awaitable<void> set_subscription(Session& s, proto::Parser& p, bool on) {
    auto name = proto::parse_mailbox_argument(p);
    if (!name) {
        parse_failed(s, p);
        co_return;
    }
    std::optional<store::Mailbox> mb;
    try {
        mb = s.find_mailbox(*name);
    } catch (const std::exception& e) {
        store_failed(s, e, on ? "SUBSCRIBE" : "UNSUBSCRIBE");
        co_return;
    }
    if (!mb) {
        s.done(Status::No, "no such mailbox", {Code::Nonexistent, {}});
        co_return;
    }
    auto job = subscribe_job(s.store, mb->id, on);
    co_await run_job(job);
    if (job->error) {
        store_failed(s, job->error, on ? "SUBSCRIBE" : "UNSUBSCRIBE");
        co_return;
    }
    s.done(Status::Ok, on ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed");
}

}  // namespace

awaitable<void> cmd_subscribe(Session& s, proto::Parser& p) {
    return set_subscription(s, p, true);
}

awaitable<void> cmd_unsubscribe(Session& s, proto::Parser& p) {
    return set_subscription(s, p, false);
}

}  // namespace hermod::imap
