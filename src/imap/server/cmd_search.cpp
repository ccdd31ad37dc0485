// cmd_search.cpp - SEARCH and UID SEARCH (RFC 9051 §6.4.4; RFC 3501 §6.4.4 SEARCH responses for
// IMAP4rev1 clients; RFC 4731 ESEARCH RETURN (MIN MAX ALL COUNT); RFC 5182 SAVE). Flag, size,
// date and set keys use the session's view only; header and body keys load the message's
// structure and octets, once per message and only when a key needs them.
#include <algorithm>
#include <ctime>

#include "imap/message/search.hpp"
#include "imap/proto/search.hpp"
#include "imap/proto/sequence_set.hpp"
#include "imap/server/message_cache.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

namespace {

/// Whether the command asks for RETURN (... SAVE ...), read from a copy of the parser: a SEARCH
/// with SAVE answered NO (an unknown CHARSET, a store failure) empties "$" (RFC 5182 §2.1,
/// RFC 9051 §6.4.4.1).
bool asks_save(proto::Parser probe) {
    if (!probe.sp() || !probe.accept_keyword("RETURN") || !probe.sp() || !probe.accept('('))
        return false;
    while (probe.ok() && !probe.at_end() && !probe.accept(')')) {
        if (probe.accept_keyword("SAVE")) return true;
        if (!probe.atom()) return false;
        probe.accept(' ');
    }
    return false;
}

}  // namespace

namespace {

/// True when a key looks at more than flags and numbers (size, dates, MODSEQ, content).
bool needs_rows(const proto::SearchKey& key) {
    using K = proto::SearchKeyKind;
    switch (key.kind) {
        case K::Before:
        case K::On:
        case K::Since:
        case K::Larger:
        case K::Smaller:
        case K::Older:
        case K::Younger:
        case K::ModSeq:
            return true;
        default:
            break;
    }
    if (message::needs_content(key)) return true;
    for (const auto& c : key.children)
        if (needs_rows(c)) return true;
    return false;
}

/// True when a key reads message bodies (BODY, TEXT); the others need the header at most.
bool needs_body(const proto::SearchKey& key) {
    if (key.kind == proto::SearchKeyKind::Body || key.kind == proto::SearchKeyKind::Text)
        return true;
    for (const auto& c : key.children)
        if (needs_body(c)) return true;
    return false;
}

}  // namespace

awaitable<void> cmd_search(Session& s, proto::Parser& p) {
    const bool save_asked = asks_save(p);
    auto req = proto::parse_search(p, !s.rev2);
    if (!req) {
        const auto& e = p.error();
        if (save_asked && e && e->kind == proto::ParseErrorKind::BadCharset) s.saved_search.clear();
        parse_failed(s, p);
        co_return;
    }
    auto& view = *s.selected;
    message::SearchContext ctx;
    ctx.now = static_cast<std::int64_t>(std::time(nullptr));
    ctx.largest_seq = view.exists();
    ctx.largest_uid = view.largest_uid();
    ctx.saved_uids = &s.saved_search;

    std::vector<std::uint32_t> seqs;
    try {
        // Size, dates, MODSEQ and bodies are in the store, not the session's view: one read of
        // the mailbox's rows when a key needs them (both lists ascend by UID).
        std::vector<store::Message> rows;
        if (needs_rows(req->root)) rows = s.store.list_messages(view.id());
        auto row = rows.begin();
        const bool whole = needs_body(req->root);
        store::Message bare;
        for (std::uint32_t seq = 1; seq <= view.exists(); ++seq) {
            const auto& v = view.at(seq);
            if (v.expunged) continue;
            while (row != rows.end() && row->uid < v.uid)
                ++row;
            bool have_row = row != rows.end() && row->uid == v.uid;
            if (!rows.empty() && !have_row) continue;  // expunged meanwhile
            const store::Message& msg = have_row ? *row : bare;
            std::shared_ptr<const CachedMessage> cached;
            std::optional<std::string> text;
            store::Store* st = &s.store;
            message::SearchMessage m;
            m.seq = seq;
            m.uid = v.uid;
            m.flags = v.flags;
            m.keywords = &view.keywords(v);
            m.internal_date = msg.internal_date;
            m.size = msg.size;
            m.modseq = msg.modseq;
            m.structure = [&cached, st, &msg]() -> const mime::Structure& {
                if (!cached) cached = MessageCache::shared().get(*st, msg.blob_hash);
                return cached->structure;
            };
            // Header keys need only the top-level header (it starts at offset 0): cached.
            m.text = [&text, &cached, &m, st, &msg, whole]() -> std::string_view {
                if (!whole) {
                    m.structure();
                    if (cached->header_complete) return cached->header;
                }
                if (!text)
                    text = whole ? st->read_blob(msg.blob_hash)
                                 : st->read_blob_range(msg.blob_hash, 0,
                                                       cached->structure.root.header_size);
                return *text;
            };
            if (message::matches(req->root, m, ctx)) seqs.push_back(seq);
        }
    } catch (const std::exception& e) {
        if (save_asked) s.saved_search.clear();
        store_failed(s, e, "search");
        co_return;
    }
    std::vector<std::uint32_t> numbers;
    for (auto seq : seqs)
        numbers.push_back(s.uid_command ? view.at(seq).uid : seq);

    const auto& r = req->result;
    if (r.save) {
        // RFC 5182 §2.1: the saved result is kept as UIDs, whichever form the command had;
        // SAVE with MIN and/or MAX but neither ALL nor COUNT saves only the minimum/maximum.
        s.saved_search.clear();
        if ((r.min || r.max) && !r.all && !r.count) {
            if (!seqs.empty()) {
                if (r.min) s.saved_search.push_back(view.at(seqs.front()).uid);
                if (r.max && (!r.min || seqs.size() > 1))
                    s.saved_search.push_back(view.at(seqs.back()).uid);
            }
        } else {
            for (auto seq : seqs)
                s.saved_search.push_back(view.at(seq).uid);
        }
    }
    bool only_save = r.esearch && r.save && !r.min && !r.max && !r.all && !r.count;
    if (r.esearch || s.rev2) {
        if (!only_save) {
            // RFC 4731 §3.1: "RETURN ()" means ALL; IMAP4rev2 answers plain SEARCH this way too.
            bool all = r.all || (!r.min && !r.max && !r.count);
            std::string line = "* ESEARCH (TAG ";
            proto::append_quoted(line, s.tag);
            line += ")";
            if (s.uid_command) line += " UID";
            if (!numbers.empty()) {
                if (r.min) line += " MIN " + std::to_string(numbers.front());
                if (r.max) line += " MAX " + std::to_string(numbers.back());
                if (all) line += " ALL " + proto::format_uid_set(numbers);
            }
            if (r.count) line += " COUNT " + std::to_string(numbers.size());
            s.send(line + "\r\n");
        }
    } else {
        std::string line = "* SEARCH";
        for (auto n : numbers)
            line += " " + std::to_string(n);
        s.send(line + "\r\n");
    }
    s.done(Status::Ok, "SEARCH completed");
}

}  // namespace hermod::imap
