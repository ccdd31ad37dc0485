// cmd_fetch.cpp - FETCH and UID FETCH (RFC 9051 §6.4.5, §7.5.2; RFC 3516 BINARY): metadata from the
// session's view, ENVELOPE/BODYSTRUCTURE from the structure parsed once at delivery, and body
// sections read as byte ranges of the stored message (never the whole message unless asked).
// Non-PEEK body fetches set \Seen first (one store write for the whole set) and report FLAGS.
#include <algorithm>

#include "imap/message/render.hpp"
#include "imap/proto/fetch.hpp"
#include "imap/server/message_cache.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

namespace {

/// Ranges above this are streamed from the store in pieces instead of read whole.
constexpr std::uint64_t kStreamAbove = 1 << 20;
constexpr std::uint64_t kStreamPiece = 1 << 20;
/// Messages up to this size are read once when several sections need their octets.
constexpr std::uint64_t kReadWholeBelow = 256 * 1024;

/// What one message's FETCH needs from the store, loaded on first use. Structure and header
/// come from the process-wide MessageCache.
struct Loaded {
    const store::Message* msg = nullptr;
    store::Store* store = nullptr;
    std::shared_ptr<const CachedMessage> cached;
    std::optional<std::string> whole;  ///< the message, for small ones

    const CachedMessage& entry() {
        if (!cached) cached = MessageCache::shared().get(*store, msg->blob_hash);
        return *cached;
    }
    const mime::Structure& parsed() { return entry().structure; }
    std::string range(std::uint64_t offset, std::uint64_t length) {
        if (offset >= msg->size) return {};
        length = std::min(length, msg->size - offset);
        // Header sections (HEADER, HEADER.FIELDS: what mail clients list messages with) are
        // served from the cached top-level header.
        const auto& e = entry();
        if (e.header_complete && offset + length <= e.header.size())
            return e.header.substr(static_cast<std::size_t>(offset),
                                   static_cast<std::size_t>(length));
        if (msg->size <= kReadWholeBelow) {
            if (!whole) whole = store->read_blob(msg->blob_hash);
            return whole->substr(
                static_cast<std::size_t>(std::min<std::uint64_t>(offset, whole->size())),
                static_cast<std::size_t>(length));
        }
        return store->read_blob_range(msg->blob_hash, offset, length);
    }
};

/// Applies <partial> (RFC 9051 §6.4.5: an origin past the end gives an empty string).
void clip(std::uint64_t& offset, std::uint64_t& length, const std::optional<proto::Partial>& part) {
    if (!part) return;
    if (part->offset >= length) {
        offset += length;
        length = 0;
        return;
    }
    offset += part->offset;
    length = std::min(length - part->offset, part->length);
}

}  // namespace

awaitable<void> cmd_fetch(Session& s, proto::Parser& p) {
    auto req = proto::parse_fetch(p);
    if (!req) {
        parse_failed(s, p);
        co_return;
    }
    if (req->changed_since || req->vanished) {
        s.done(Status::Bad, "CONDSTORE/QRESYNC are not supported");
        co_return;
    }
    bool ok = true;
    auto seqs = s.selected->resolve(req->set, s.uid_command, s.saved_search, ok);
    if (!ok) {
        s.done(Status::Bad, "invalid message sequence number");
        co_return;
    }
    // \Seen first, for all messages at once (RFC 9051 §6.4.5 BODY[]: "the \Seen flag is set").
    std::vector<std::uint32_t> seen_now;
    if (req->sets_seen() && !s.selected->read_only()) {
        std::vector<std::uint32_t> uids;
        for (auto seq : seqs) {
            const auto& v = s.selected->at(seq);
            if (!v.expunged && !(v.flags & store::kSeen)) {
                uids.push_back(v.uid);
                seen_now.push_back(seq);
            }
        }
        if (!uids.empty()) {
            auto job = std::make_shared<BlockingJob>();
            store::Store* st = &s.store;
            store::Id mailbox = s.selected->id();
            job->work = [st, mailbox, &uids] {
                st->store_flags(mailbox, uids, store::kSeen, {}, store::FlagMode::Add);
            };
            co_await run_job(job);
            if (job->error) {
                store_failed(s, job->error, "fetch");
                co_return;
            }
            for (auto seq : seen_now)
                s.selected->at(seq).flags |= store::kSeen;
        }
    }
    bool want_uid = s.uid_command;
    bool want_flags = false;
    bool want_rows = false;  // anything beyond UID and FLAGS comes from the store's rows
    for (const auto& a : req->attributes) {
        if (a.item == proto::FetchItem::Uid) want_uid = false;  // listed explicitly
        if (a.item == proto::FetchItem::Flags) want_flags = true;
        if (a.item != proto::FetchItem::Uid && a.item != proto::FetchItem::Flags) want_rows = true;
    }
    std::vector<store::Message> rows;
    if (want_rows) {
        std::vector<std::uint32_t> uids;
        for (auto seq : seqs)
            if (!s.selected->at(seq).expunged) uids.push_back(s.selected->at(seq).uid);
        try {
            rows = s.store.find_messages(s.selected->id(), uids);  // ascending UID
        } catch (const std::exception& e) {
            store_failed(s, e, "fetch");
            co_return;
        }
    }
    auto row = rows.begin();
    auto opt = s.encode_options();
    bool expunged_skipped = false;
    for (auto seq : seqs) {
        const auto& view = s.selected->at(seq);
        if (view.expunged) {
            expunged_skipped = true;
            continue;
        }
        store::Message m;
        if (want_rows) {
            while (row != rows.end() && row->uid < view.uid)
                ++row;
            if (row == rows.end() || row->uid != view.uid) {
                expunged_skipped = true;  // gone from the store since the view last synced
                continue;
            }
            m = *row;
        }
        m.uid = view.uid;
        m.flags = view.flags;
        m.keywords = s.selected->keywords(view);
        Loaded loaded{&m, &s.store, nullptr, std::nullopt};
        std::string& out = s.out;
        const std::size_t start = out.size();
        bool streamed = false;  // part of this response is on the wire already
        out += "* " + std::to_string(seq) + " FETCH (";
        bool first = true;
        auto sep = [&] {
            if (!first) out += ' ';
            first = false;
        };
        // RFC 9051 §6.4.9: UID FETCH responses always carry the UID.
        if (want_uid) {
            sep();
            out += "UID " + std::to_string(m.uid);
        }
        try {
            for (const auto& a : req->attributes) {
                sep();
                switch (a.item) {
                    case proto::FetchItem::Uid:
                        out += "UID " + std::to_string(m.uid);
                        break;
                    case proto::FetchItem::Flags:
                        out += "FLAGS ";
                        proto::append_atom_list(out, flag_atoms(m.flags, m.keywords));
                        break;
                    case proto::FetchItem::InternalDate:
                        out += "INTERNALDATE " + proto::format_internal_date(m.internal_date);
                        break;
                    case proto::FetchItem::Rfc822Size:
                        out += "RFC822.SIZE " + std::to_string(m.size);
                        break;
                    case proto::FetchItem::ModSeq:
                        out += "MODSEQ (" + std::to_string(m.modseq) + ")";
                        break;
                    case proto::FetchItem::Envelope: {
                        out += "ENVELOPE ";
                        const auto& root = loaded.parsed().root;
                        message::append_envelope(out, root.envelope.value_or(mime::Envelope{}),
                                                 opt);
                        break;
                    }
                    case proto::FetchItem::Body:
                    case proto::FetchItem::BodyStructure:
                        out += a.item == proto::FetchItem::Body ? "BODY " : "BODYSTRUCTURE ";
                        message::append_body_structure(out, loaded.parsed().root,
                                                       a.item == proto::FetchItem::BodyStructure,
                                                       opt);
                        break;
                    case proto::FetchItem::Rfc822:
                    case proto::FetchItem::Rfc822Header:
                    case proto::FetchItem::Rfc822Text:
                    case proto::FetchItem::BodySection: {
                        proto::Section section = a.section;
                        std::string name;
                        if (a.item == proto::FetchItem::Rfc822) {
                            name = "RFC822";
                        } else if (a.item == proto::FetchItem::Rfc822Header) {
                            name = "RFC822.HEADER";
                            section.text = proto::SectionText::Header;
                        } else if (a.item == proto::FetchItem::Rfc822Text) {
                            name = "RFC822.TEXT";
                            section.text = proto::SectionText::Text;
                        } else {
                            name = proto::fetch_response_name(a);
                        }
                        out += name;
                        out += ' ';
                        auto range = message::section_range(loaded.parsed(), section, m.size);
                        if (!range) {
                            // A part that does not exist is empty, as in Dovecot (RFC 9051
                            // §6.4.5 does not say; clients take "" more easily than NIL).
                            out += "{0}\r\n";
                            break;
                        }
                        std::uint64_t offset = range->offset, length = range->length;
                        if (range->header_filter) {
                            auto block = loaded.range(offset, length);
                            auto filtered = message::filter_header_fields(
                                block, section.fields,
                                section.text == proto::SectionText::HeaderFieldsNot);
                            std::uint64_t o = 0, l = filtered.size();
                            clip(o, l, a.partial);
                            proto::append_literal(out, std::string_view(filtered).substr(o, l));
                            break;
                        }
                        clip(offset, length, a.partial);
                        if (length <= kStreamAbove) {
                            proto::append_literal(out, loaded.range(offset, length));
                            break;
                        }
                        // Large: the literal's octets go out piece by piece.
                        out += "{" + std::to_string(length) + "}\r\n";
                        streamed = true;
                        if (!co_await s.flush()) {
                            s.logout = true;
                            co_return;
                        }
                        for (std::uint64_t done = 0; done < length;) {
                            std::uint64_t n = std::min(kStreamPiece, length - done);
                            auto piece = s.store.read_blob_range(m.blob_hash, offset + done, n);
                            if (piece.size() != n)
                                throw std::runtime_error("blob shorter than its recorded size");
                            auto w = co_await s.stream.write(piece);
                            if (w.ec) {
                                s.logout = true;
                                co_return;
                            }
                            done += n;
                        }
                        break;
                    }
                    case proto::FetchItem::BinarySection:
                    case proto::FetchItem::BinarySize: {
                        const auto& parsed = loaded.parsed();
                        std::string whole = loaded.range(0, m.size);
                        bool unknown = false;
                        auto data = message::binary_section(whole, parsed, a.section.part, unknown);
                        if (unknown) {
                            // RFC 3516 §4.3: the part's encoding cannot be undone.
                            if (streamed) {
                                s.logout = true;  // half a response is out: cannot recover
                                co_return;
                            }
                            out.resize(start);
                            s.done(Status::No, "unknown Content-Transfer-Encoding",
                                   {Code::UnknownCte, {}});
                            co_return;
                        }
                        out += proto::fetch_response_name(a);
                        out += ' ';
                        if (!data) data.emplace();  // as for BODY[]: missing is empty
                        if (a.item == proto::FetchItem::BinarySize) {
                            out += std::to_string(data->size());
                            break;
                        }
                        std::uint64_t o = 0, l = data->size();
                        clip(o, l, a.partial);
                        std::string_view bytes = std::string_view(*data).substr(o, l);
                        // literal8 when decoding happened (as Dovecot) or a NUL forces it.
                        if (message::binary_was_decoded(parsed, a.section.part) ||
                            bytes.find('\0') != std::string_view::npos)
                            proto::append_literal8(out, bytes);
                        else
                            proto::append_literal(out, bytes);
                        break;
                    }
                }
            }
        } catch (const std::exception& e) {
            if (streamed) {
                s.logout = true;
                co_return;
            }
            out.resize(start);
            store_failed(s, e, "fetch");
            co_return;
        }
        // RFC 9051 §6.4.5: a \Seen set by this FETCH is reported with the message.
        if (!want_flags && std::binary_search(seen_now.begin(), seen_now.end(), seq)) {
            sep();
            out += "FLAGS ";
            proto::append_atom_list(out, flag_atoms(m.flags, m.keywords));
        }
        out += ")\r\n";
        if (out.size() >= 64 * 1024 && !co_await s.flush()) {
            s.logout = true;
            co_return;
        }
    }
    if (expunged_skipped) {
        // RFC 9051 §7.1 EXPUNGEISSUED: some messages were expunged by another session.
        s.done(Status::No, "some messages were expunged", {Code::ExpungeIssued, {}});
        co_return;
    }
    s.done(Status::Ok, "FETCH completed");
}

}  // namespace hermod::imap
