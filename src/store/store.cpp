// store.cpp - backend-independent parts of the Store interface.
#include "store/store.hpp"

#include <future>

namespace hermod::store {

std::string_view to_string(SpecialUse use) {
    // RFC 6154 §2 attribute names.
    switch (use) {
        case SpecialUse::Sent:
            return "\\Sent";
        case SpecialUse::Drafts:
            return "\\Drafts";
        case SpecialUse::Trash:
            return "\\Trash";
        case SpecialUse::Junk:
            return "\\Junk";
        case SpecialUse::Archive:
            return "\\Archive";
        case SpecialUse::None:
            break;
    }
    return "";
}

void MailboxWatch::cancel() noexcept {
    if (auto cancel = std::exchange(cancel_, nullptr)) cancel();
}

std::vector<Appended> Store::append(std::vector<NewMessage> messages) {
    auto promise = std::make_shared<std::promise<std::vector<Appended>>>();
    auto future = promise->get_future();
    append_async(std::move(messages),
                 [promise](std::exception_ptr error, std::vector<Appended> done) {
                     if (error)
                         promise->set_exception(error);
                     else
                         promise->set_value(std::move(done));
                 });
    return future.get();
}

Delivered Store::deliver(std::vector<NewMessage> local, std::vector<NewQueueEntry> remote) {
    auto promise = std::make_shared<std::promise<Delivered>>();
    auto future = promise->get_future();
    deliver_async(std::move(local), std::move(remote),
                  [promise](std::exception_ptr error, Delivered done) {
                      if (error)
                          promise->set_exception(error);
                      else
                          promise->set_value(std::move(done));
                  });
    return future.get();
}

}  // namespace hermod::store
