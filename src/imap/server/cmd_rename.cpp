// cmd_rename.cpp - RENAME (RFC 9051 §6.3.6). The mailbox keeps its UIDVALIDITY and its inferior
// names follow it ("a" -> "n" renames "a/b" to "n/b"); renaming INBOX moves its messages into a
// new mailbox and leaves INBOX empty, its inferiors unrenamed (both done by
// Store::rename_mailbox in one transaction). Missing superior names of the new name are created
// first ("SHOULD create any superior hierarchical names that are needed"). A missing source is
// NO [NONEXISTENT], an existing target (INBOX included) NO [ALREADYEXISTS], an unusable new name
// or one inside the mailbox's own hierarchy NO [CANNOT]. Renaming the selected mailbox keeps it
// selected (same id, same UIDs); renaming INBOX while selected reports the moved messages as
// EXPUNGE through the usual sync.
#include <memory>

#include "imap/proto/arguments.hpp"
#include "imap/proto/mailbox_name.hpp"
#include "imap/server/list_match.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

namespace {

/// Creates the missing superiors of `new_name`, then renames. The superiors are separate
/// transactions: one created here stays if the rename then fails (an ordinary empty mailbox).
std::shared_ptr<BlockingJob> rename_job(store::Store& store, store::Id account,
                                        store::Id mailbox_id, std::string new_name) {
    auto job = std::make_shared<BlockingJob>();
    auto* st = &store;
    job->work = [st, account, mailbox_id, new_name = std::move(new_name)] {
        for (auto superior : superior_names(new_name)) {
            if (st->find_mailbox(account, superior)) continue;
            try {
                st->create_mailbox(account, superior);
            } catch (const store::StoreError& e) {
                if (e.kind() != store::ErrorKind::AlreadyExists) throw;  // a concurrent CREATE
            }
        }
        st->rename_mailbox(mailbox_id, new_name);
    };
    return job;
}

}  // namespace

awaitable<void> cmd_rename(Session& s, proto::Parser& p) {
    auto names = proto::parse_rename(p);
    if (!names) {
        parse_failed(s, p);
        co_return;
    }
    const std::string& from = names->first;
    const std::string& to = names->second;
    std::optional<store::Mailbox> source;
    bool target_exists = false;
    try {
        source = s.find_mailbox(from);
        if (source && to != "INBOX") target_exists = s.find_mailbox(to).has_value();
    } catch (const std::exception& e) {
        store_failed(s, e, "RENAME");
        co_return;
    }
    if (!source) {  // §6.3.6: "an error to attempt to rename from a mailbox name that does not
                    // exist"
        s.done(Status::No, "no such mailbox", {Code::Nonexistent, {}});
        co_return;
    }
    if (to == "INBOX" || target_exists) {  // "... or to a mailbox name that already exists"
        s.done(Status::No, "mailbox already exists", {Code::AlreadyExists, {}});
        co_return;
    }
    if (auto problem = proto::mailbox_name_problem(to)) {
        s.done(Status::No, *problem, {Code::Cannot, {}});
        co_return;
    }
    // Checked before any superior is created ("a" -> "a/x/y" would otherwise leave "a/x").
    if (source->name != "INBOX" && is_inferior(to, source->name)) {
        s.done(Status::No, "a mailbox cannot be renamed into its own hierarchy",
               {Code::Cannot, {}});
        co_return;
    }
    auto job = rename_job(s.store, s.account_id, source->id, to);
    co_await run_job(job);
    if (job->error) {
        store_failed(s, job->error, "RENAME");
        co_return;
    }
    s.done(Status::Ok, "RENAME completed");
}

}  // namespace hermod::imap
