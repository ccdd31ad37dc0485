// async.cpp - the foreign-thread work of an IMAP session: password checks on the
// Authenticator's threads and store writes (which wait for the group-commit fsync) on the
// blocking pool.
// Security: completions always resume the coroutine on its own executor (net/offload.hpp), so
// session state is touched by one strand only.
#include <memory>

#include "imap/server/session_state.hpp"
#include "net/offload.hpp"

namespace hermod::imap {

awaitable<void> authenticate(auth::Authenticator& a, const std::shared_ptr<LoginCheck>& check) {
    auto* authenticator = &a;
    return net::await_done([authenticator, check](std::function<void()> done) {
        authenticator->check_async(std::move(check->login), std::move(check->password),
                                   std::move(check->ip),
                                   [check, done = std::move(done)](auth::AuthResult r) {
                                       check->result = std::move(r);
                                       done();
                                   });
    });
}

void BlockingJob::run() {
    try {
        work();
    } catch (...) {
        error = std::current_exception();
    }
}

awaitable<void> run_job(const std::shared_ptr<BlockingJob>& job) {
    return net::run_blocking([job] { job->run(); });
}

}  // namespace hermod::imap
