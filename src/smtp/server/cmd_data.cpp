// cmd_data.cpp - DATA (RFC 5321 §4.1.1.4, §4.5.2) and the end of every message (DATA or
// BDAT): the trace prefix (Return-Path, Received with RFC 3848 protocol and TLS details,
// RFC 5321 §4.4), streaming into a store blob, delivery, and the final reply (one per
// recipient on LMTP, RFC 2033 §4.2).
// Security: SMTP smuggling - only <CRLF>.<CRLF> ends the data and bare CR/LF gets 550 5.6.0
// (proto::DataReceiver); the message is streamed, never held in memory; the 250 is sent only
// once the deliverer reports the message durable.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <span>

#include "smtp/proto/data_receiver.hpp"
#include "smtp/server/session_state.hpp"

namespace hermod::smtp {

namespace {

std::string received_header(const Session& s) {
    std::string h = "Received: from " + (s.helo_name.empty() ? "unknown" : s.helo_name) + " ([" +
                    s.peer_ip + "])\r\n";
    if (s.tls())
        h += "\t(using " + s.stream.tls_version() + " with cipher " + s.stream.tls_cipher() +
             ")\r\n";
    h += "\tby " + s.hostname + " (Hermod) with " + s.with_protocol() + " id " + s.queue_id;
    if (s.recipients.size() == 1) h += "\r\n\tfor <" + s.recipients.front().address + ">";
    h += "; " + rfc5322_date() + "\r\n";
    return h;
}

}  // namespace

std::unique_ptr<MessageWriter> open_message(Session& s) {
    s.queue_id = random_hex(16);
    std::string prefix = "Return-Path: <" + s.mail_from + ">\r\n";
    prefix += received_header(s);
    // Submission completes Date and Message-ID (RFC 6409 §8); relayed mail is left alone.
    bool fix = s.mode == Mode::Submission;
    auto w = std::make_unique<MessageWriter>(s.deliverer.new_message(), prefix, fix, s.hostname);
    return w;
}

void refuse_message(Session& s, const proto::Reply& r, bool count) {
    std::size_t n = s.mode == Mode::Lmtp ? std::max<std::size_t>(s.recipients.size(), 1) : 1;
    for (std::size_t i = 0; i < n; ++i)
        s.reply(r, count && i == 0);
    s.reset_transaction();
}

awaitable<void> finish_message(Session& s, MessageWriter& writer) {
    std::shared_ptr<const store::StagedBlob> blob;
    std::string failure;
    try {
        // Bodies past the inline limit go to their own file and are fsynced in finish().
        blob = co_await finish_blob(writer, writer.size() > s.cfg.store.inline_blob_max);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!blob) {
        spdlog::error("smtp: {} storing message failed: {}", s.peer_ip, failure);
        refuse_message(s, proto::temp_failure(), false);
        co_return;
    }
    delivery::Envelope env;
    env.mail_from = s.mail_from;
    env.dsn.ret = s.mail_params.ret == proto::Ret::Full   ? "FULL"
                  : s.mail_params.ret == proto::Ret::Hdrs ? "HDRS"
                                                          : "";
    env.dsn.envid = s.mail_params.envid.value_or("");
    env.smtputf8 = s.mail_params.smtputf8;
    env.eight_bit = s.mail_params.body == proto::Body::EightBitMime ||
                    s.mail_params.body == proto::Body::BinaryMime;
    env.recipients = s.recipients;
    env.client = s.client();
    // Only the Return-Path line: the Received header is part of the message proper.
    env.return_path_length = static_cast<std::uint32_t>(
        std::string_view("Return-Path: <>\r\n").size() + s.mail_from.size());
    std::size_t n = env.recipients.size();
    auto results = co_await deliver(s.deliverer, std::move(env), std::move(blob));
    results.resize(n);  // a short answer means "not done" (TempFail) for the rest

    if (s.mode == Mode::Lmtp) {
        for (const auto& r : results)
            s.reply(replies::delivery_result(r.status, s.queue_id), false);
    } else {
        std::size_t ok = 0;
        const delivery::RcptResult* temp = nullptr;
        const delivery::RcptResult* perm = nullptr;
        for (const auto& r : results) {
            if (r.status == delivery::RcptStatus::Local || r.status == delivery::RcptStatus::Remote)
                ++ok;
            else if (r.status == delivery::RcptStatus::TempFail)
                temp = temp ? temp : &r;
            else
                perm = perm ? perm : &r;
        }
        if (temp) {
            // A retry may duplicate the copies already delivered; losing the others is worse.
            s.reply(replies::delivery_result(temp->status, s.queue_id), false);
        } else if (ok == 0 && perm) {
            s.reply(replies::delivery_result(perm->status, s.queue_id), false);
        } else {
            if (perm)
                spdlog::warn("smtp: {} message {} not delivered to every recipient", s.peer_ip,
                             s.queue_id);
            s.reply(proto::message_accepted(s.queue_id), false);
        }
    }
    spdlog::info("smtp: {} message {} from <{}> to {} recipient(s)", s.peer_ip, s.queue_id,
                 s.mail_from, n);
    s.reset_transaction();
}

awaitable<void> cmd_data(Session& s, const proto::Command&) {
    if (!s.in_mail) {
        s.reply(proto::bad_sequence("Need MAIL command"));
        co_return;
    }
    if (s.bdat) {
        // RFC 3030 §3: DATA and BDAT may not be mixed in one transaction.
        s.reply(proto::bad_sequence("DATA during BDAT transfer"));
        co_return;
    }
    if (s.recipients.empty()) {
        s.reply(proto::need_recipients());
        co_return;
    }
    s.reply(proto::start_data());
    if (!co_await s.flush()) {
        s.quit = true;
        co_return;
    }
    auto writer = open_message(s);
    proto::DataLimits limits;
    limits.max_size = s.cfg.limits.max_message_size;
    limits.max_line = s.cfg.limits.smtp_text_line_length;
    proto::DataReceiver rx(limits, [&writer](std::string_view c) { writer->write(c); });

    auto& reader = s.stream.reader();
    std::string pending = reader.take_buffered();
    auto res = rx.feed(pending);
    if (res.status == proto::FeedStatus::Done) {
        // Pipelined commands after the final dot go back to the command reader.
        reader.feed(std::string_view(pending).substr(res.consumed));
    } else {
        std::span<char> buf = s.data_buffer();
        while (res.status != proto::FeedStatus::Done) {
            auto io = co_await s.read_some(buf);
            if (io.ec) {
                s.quit = true;
                s.out.clear();
                co_return;
            }
            std::string_view got(buf.data(), io.bytes);
            res = rx.feed(got);
            if (res.status == proto::FeedStatus::Done) reader.feed(got.substr(res.consumed));
        }
    }
    if (auto refusal = proto::rejection_reply(rx.outcome())) {
        refuse_message(s, *refusal, true);
        co_return;
    }
    co_await finish_message(s, *writer);
}

}  // namespace hermod::smtp
