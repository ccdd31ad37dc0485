// cmd_create.cpp - CREATE (RFC 9051 §6.3.4). A trailing hierarchy separator is dropped ("the
// client intends to create names under this name"), missing superior names are created first
// ("a/b/c" creates "a" and "a/b" when missing), INBOX and existing names are NO
// [ALREADYEXISTS], unusable names NO [CANNOT]. RFC 6154 §3 CREATE-SPECIAL-USE ("(USE (...))")
// is not offered (not advertised), so such a command is BAD.
#include <memory>

#include "imap/proto/arguments.hpp"
#include "imap/proto/mailbox_name.hpp"
#include "imap/server/list_match.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

namespace {

/// Creates the missing superiors of `name`, then `name` (AlreadyExists when it exists by then).
/// Separate transactions: a superior created here stays if a later step fails, which is
/// harmless (it is an ordinary, empty mailbox).
std::shared_ptr<BlockingJob> create_job(store::Store& store, store::Id account, std::string name) {
    auto job = std::make_shared<BlockingJob>();
    auto* st = &store;
    job->work = [st, account, name = std::move(name)] {
        for (auto superior : superior_names(name)) {
            if (st->find_mailbox(account, superior)) continue;
            try {
                st->create_mailbox(account, superior);
            } catch (const store::StoreError& e) {
                if (e.kind() != store::ErrorKind::AlreadyExists) throw;  // a concurrent CREATE
            }
        }
        st->create_mailbox(account, name);
    };
    return job;
}

}  // namespace

awaitable<void> cmd_create(Session& s, proto::Parser& p) {
    auto parsed = proto::parse_mailbox_argument(p);
    if (!parsed) {
        parse_failed(s, p);
        co_return;
    }
    std::string name = std::move(*parsed);
    // §6.3.4: "foo/" declares that names will be created under foo; create "foo".
    if (name.size() > 1 && name.back() == proto::kHierarchySeparator) name.pop_back();
    if (name == "INBOX") {  // §5.1: INBOX always exists
        s.done(Status::No, "INBOX already exists", {Code::AlreadyExists, {}});
        co_return;
    }
    if (auto problem = proto::mailbox_name_problem(name)) {
        s.done(Status::No, *problem, {Code::Cannot, {}});
        co_return;
    }
    try {
        if (s.find_mailbox(name)) {
            s.done(Status::No, "mailbox already exists", {Code::AlreadyExists, {}});
            co_return;
        }
    } catch (const std::exception& e) {
        store_failed(s, e, "CREATE");
        co_return;
    }
    auto job = create_job(s.store, s.account_id, name);
    co_await run_job(job);
    if (job->error) {
        store_failed(s, job->error, "CREATE");
        co_return;
    }
    s.done(Status::Ok, "CREATE completed");
}

}  // namespace hermod::imap
