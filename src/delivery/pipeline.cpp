// pipeline.cpp - the delivery pipeline (see pipeline.hpp).
#include "delivery/pipeline.hpp"

#include <exception>
#include <utility>

namespace hermod::delivery {

DeliveryContext::DeliveryContext(store::Store& store, const Envelope& envelope,
                                 const Recipient& recipient, std::string account,
                                 store::Id account_id,
                                 std::shared_ptr<const store::StagedBlob> message)
    : store_(&store),
      envelope_(&envelope),
      recipient_(&recipient),
      account_(std::move(account)),
      account_id_(account_id),
      message_(std::move(message)) {}

const std::string& DeliveryContext::message() {
    // The blob is staged, not committed yet: read it from the staging (memory or its file).
    if (!bytes_) bytes_ = store_->read_staged_blob(*message_);
    return *bytes_;
}

std::string DeliveryContext::message_range(std::uint64_t offset, std::uint64_t length) {
    if (bytes_) {
        if (offset >= bytes_->size()) return {};
        return bytes_->substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
    }
    return store_->read_staged_blob(*message_, offset, length);
}

Pipeline& Pipeline::add(std::shared_ptr<Stage> stage) {
    if (stage) stages_.push_back(std::move(stage));
    return *this;
}

StageResult Pipeline::run(DeliveryContext& context) const {
    for (const auto& stage : stages_) {
        StageResult result;
        try {
            result = stage->process(context);
        } catch (const std::exception& e) {
            return Reject{true, "filter " + std::string(stage->name()) + " failed: " + e.what()};
        } catch (...) {
            return Reject{true, "filter " + std::string(stage->name()) + " failed"};
        }
        if (!std::holds_alternative<Continue>(result)) return result;
    }
    return Continue{};
}

namespace {

class PassThrough final : public Stage {
  public:
    std::string_view name() const override { return "accept"; }
    StageResult process(DeliveryContext&) override { return Continue{}; }
};

}  // namespace

Pipeline default_pipeline() {
    Pipeline p;
    p.add(std::make_shared<PassThrough>());
    return p;
}

}  // namespace hermod::delivery
