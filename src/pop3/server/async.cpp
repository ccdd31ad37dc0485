// async.cpp - the blocking and foreign-thread work of a POP3 session: password checks on the
// Authenticator's threads, the UPDATE-state commit and large blob reads on the blocking pool.
// Security: completions always resume the coroutine on its own executor (net/offload.hpp), so
// session state is touched by one strand only.
#include <memory>

#include "net/offload.hpp"
#include "pop3/server/session_state.hpp"

namespace hermod::pop3 {

// The strings travel in a shared_ptr, never captured by value from the coroutine frame: GCC
// 12 mis-relocates std::string captures carried into an async initiation (see
// smtp/server/async.cpp).
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

void StoreJob::commit() {
    error.clear();
    try {
        drop->commit(*store, expire_retrieved);
    } catch (const std::exception& e) {
        error = e.what();
        if (error.empty()) error = "unknown error";
    }
}

void StoreJob::read_blob() {
    error.clear();
    data.clear();
    try {
        data = store->read_blob_range(hash, offset, length);
    } catch (const std::exception& e) {
        error = e.what();
        if (error.empty()) error = "unknown error";
    }
}

awaitable<void> commit_offloaded(const std::shared_ptr<StoreJob>& job) {
    return net::run_blocking([job] { job->commit(); });
}

awaitable<void> read_blob_offloaded(const std::shared_ptr<StoreJob>& job) {
    return net::run_blocking([job] { job->read_blob(); });
}

}  // namespace hermod::pop3
