// local_deliverer.hpp - the Deliverer of a single Hermod instance: resolves recipients against
// the store (resolver.hpp), applies relay policy and quotas, runs the delivery pipeline
// (pipeline.hpp) and writes local copies and outbound queue entries in one group commit.
//
// RFC 5321 §3.9 (aliases, lists), §3.6 (relaying), §4.5.3.1.10 and RFC 3463 (reply codes),
// RFC 2033 §4.2 (one result per recipient, for LMTP).
//
// Security: relaying needs SMTP AUTH or a client address in [smtp] trusted_networks; nothing
// else (no open relay by default, not even from localhost).
#pragma once

#include <memory>

#include "config/config.hpp"
#include "delivery/delivery.hpp"
#include "delivery/pipeline.hpp"
#include "delivery/resolver.hpp"
#include "store/store.hpp"

namespace hermod::delivery {

/// A Deliverer over `store` (which must outlive it) with the default pipeline.
std::unique_ptr<Deliverer> make_deliverer(store::Store& store, const config::Config& config);
/// The same with a custom pipeline (filters, Sieve, tests).
std::unique_ptr<Deliverer> make_deliverer(store::Store& store, const config::Config& config,
                                          Pipeline pipeline, ResolveLimits limits = {});

}  // namespace hermod::delivery
