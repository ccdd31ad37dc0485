// pipeline_test.cpp - delivery pipeline stages: file into Junk with flags, discard, reject
// (temporary and permanent), filters that throw, lazy message access.
#include "delivery/pipeline.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "delivery_fixture.hpp"

namespace hermod::delivery::test {

namespace {

/// A stand-in spam filter: files messages whose subject says so into Junk, flagged.
class JunkBySubject final : public Stage {
  public:
    std::string_view name() const override { return "junk"; }
    StageResult process(DeliveryContext& ctx) override {
        ++calls;
        // Only the start of the message: a filter need not load a large body.
        if (ctx.message_range(0, 200).find("Subject: SPAM") != std::string::npos) {
            ctx.mailbox = "Junk";
            ctx.flags |= store::kFlagged;
            ctx.keywords.push_back("$Junk");
        }
        return Continue{};
    }
    std::atomic<int> calls{0};
};

/// Acts on one account only, to show per-recipient decisions.
class ForAccount final : public Stage {
  public:
    ForAccount(std::string account, StageResult verdict)
        : account_(std::move(account)), verdict_(std::move(verdict)) {}
    std::string_view name() const override { return "for-account"; }
    StageResult process(DeliveryContext& ctx) override {
        if (ctx.account() == account_) return verdict_;
        return Continue{};
    }

  private:
    std::string account_;
    StageResult verdict_;
};

class Throws final : public Stage {
  public:
    std::string_view name() const override { return "broken"; }
    StageResult process(DeliveryContext&) override { throw std::runtime_error("boom"); }
};

class SeesEnvelope final : public Stage {
  public:
    std::string_view name() const override { return "sees"; }
    StageResult process(DeliveryContext& ctx) override {
        seen_from = ctx.envelope().mail_from;
        seen_rcpt = ctx.recipient().address;
        seen_account = ctx.account();
        seen_size = ctx.message_size();
        seen_body = ctx.message();
        return Continue{};
    }
    std::string seen_from, seen_rcpt, seen_account, seen_body;
    std::uint64_t seen_size = 0;
};

}  // namespace

class PipelineTest : public DeliveryTest {
  protected:
    void use(Pipeline p) { deliverer_ = make_deliverer(*store_, config_, std::move(p)); }
};

TEST_F(PipelineTest, DefaultPipelinePassesThroughToInbox) {
    EXPECT_EQ(default_pipeline().size(), 1u);
    auto r = deliver(envelope({"alice@example.org"}), message("Subject: SPAM\r\n\r\n"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Local);
    EXPECT_EQ(count("alice@example.org"), 1u);
    EXPECT_EQ(count("alice@example.org", "Junk"), 0u);
}

TEST_F(PipelineTest, StageFilesIntoJunkWithFlags) {
    auto junk = std::make_shared<JunkBySubject>();
    use(Pipeline().add(junk));
    auto r = deliver(envelope({"alice@example.org", "bob@example.org"}),
                     message("Subject: SPAM offer\r\n\r\nbuy\r\n"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Local);
    EXPECT_EQ(r.at(1).status, RcptStatus::Local);
    EXPECT_EQ(junk->calls, 2);
    EXPECT_EQ(count("alice@example.org"), 0u);
    auto msgs = store_->list_messages(inbox_of("alice@example.org", "Junk"));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].flags, store::kFlagged);
    EXPECT_EQ(msgs[0].keywords, std::vector<std::string>{"$Junk"});
    EXPECT_EQ(count("bob@example.org", "Junk"), 1u);
    // A clean message still goes to INBOX.
    deliver(envelope({"alice@example.org"}), message("Subject: lunch\r\n\r\n"));
    EXPECT_EQ(count("alice@example.org"), 1u);
}

TEST_F(PipelineTest, MissingMailboxFallsBackToInbox) {
    auto a = store_->find_account("alice@example.org");
    store_->delete_mailbox(store_->find_mailbox(a->id, "Junk")->id);
    use(Pipeline().add(std::make_shared<JunkBySubject>()));
    auto r = deliver(envelope({"alice@example.org"}), message("Subject: SPAM\r\n\r\n"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Local);
    EXPECT_EQ(count("alice@example.org"), 1u);
}

TEST_F(PipelineTest, DiscardAcceptsButFilesNothing) {
    use(Pipeline().add(std::make_shared<ForAccount>("bob@example.org", Discard{"vacation"})));
    auto r = deliver(envelope({"alice@example.org", "bob@example.org"}), message("x"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Local);
    EXPECT_EQ(r.at(1).status, RcptStatus::Local);
    EXPECT_EQ(count("alice@example.org"), 1u);
    EXPECT_EQ(count("bob@example.org"), 0u);
}

TEST_F(PipelineTest, RejectPermanentAndTemporary_Rfc3463) {
    use(Pipeline()
            .add(std::make_shared<ForAccount>("bob@example.org", Reject{false, "virus found"}))
            .add(std::make_shared<ForAccount>("carol@example.org", Reject{true, "try later"})));
    auto r = deliver(envelope({"alice@example.org", "bob@example.org", "carol@example.org"}),
                     message("x"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Local);
    EXPECT_EQ(r.at(1).status, RcptStatus::RelayDenied);  // 554 5.7.1
    EXPECT_EQ(r.at(1).detail, "virus found");
    EXPECT_EQ(r.at(2).status, RcptStatus::TempFail);  // 451 4.3.0
    EXPECT_EQ(r.at(2).detail, "try later");
    EXPECT_EQ(count("bob@example.org"), 0u);
    EXPECT_EQ(count("carol@example.org"), 0u);
}

TEST_F(PipelineTest, RejectOfOneListMemberKeepsTheOthers) {
    store_->add_list("all@example.org");
    store_->subscribe("all@example.org", "alice@example.org");
    store_->subscribe("all@example.org", "bob@example.org");
    use(Pipeline().add(std::make_shared<ForAccount>("bob@example.org", Reject{false, "no"})));
    auto r = deliver(envelope({"all@example.org"}), message("x"));
    EXPECT_EQ(r.at(0).status, RcptStatus::Local);
    EXPECT_EQ(count("alice@example.org"), 1u);
    EXPECT_EQ(count("bob@example.org"), 0u);
}

TEST_F(PipelineTest, ThrowingStageIsATemporaryReject) {
    use(Pipeline().add(std::make_shared<Throws>()));
    auto r = deliver(envelope({"alice@example.org"}), message("x"));
    EXPECT_EQ(r.at(0).status, RcptStatus::TempFail);
    EXPECT_NE(r.at(0).detail.find("boom"), std::string::npos);
    EXPECT_EQ(count("alice@example.org"), 0u);
}

TEST_F(PipelineTest, StagesStopAtFirstVerdict) {
    auto junk = std::make_shared<JunkBySubject>();
    use(Pipeline().add(std::make_shared<ForAccount>("alice@example.org", Discard{})).add(junk));
    deliver(envelope({"alice@example.org"}), message("x"));
    EXPECT_EQ(junk->calls, 0);
}

TEST_F(PipelineTest, ContextCarriesEnvelopeRecipientAndStagedMessage) {
    store_->add_alias("info@example.org", "alice@example.org");
    auto sees = std::make_shared<SeesEnvelope>();
    use(Pipeline().add(sees));
    // Larger than the inline limit: read from its staged file before it is committed.
    std::string big = "Subject: big\r\n\r\n" + std::string(1500000, 'b');
    deliver(envelope({"info@example.org"}), message(big));
    EXPECT_EQ(sees->seen_from, "sender@remote.example");
    EXPECT_EQ(sees->seen_rcpt, "info@example.org");
    EXPECT_EQ(sees->seen_account, "alice@example.org");
    EXPECT_EQ(sees->seen_size, big.size());
    EXPECT_EQ(sees->seen_body, big);
}

}  // namespace hermod::delivery::test
