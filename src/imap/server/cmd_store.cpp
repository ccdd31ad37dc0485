// cmd_store.cpp - STORE and UID STORE (RFC 9051 §6.4.6, §6.4.9): FLAGS / +FLAGS / -FLAGS with
// .SILENT. The new flags are reported in FETCH responses (with the UID for UID STORE).
#include <algorithm>

#include "common/ascii.hpp"
#include "imap/proto/arguments.hpp"
#include "imap/server/session_state.hpp"

namespace hermod::imap {

namespace {

/// Keywords are atoms, compared without case (RFC 9051 §9: "all alphabetic characters are
/// case-insensitive"), while the store compares bytes: a requested keyword takes the spelling
/// the target messages already use, so "+FLAGS ($label)" adds nothing to "$Label" and
/// "-FLAGS ($label)" removes it. For a removal every matching spelling is listed.
std::vector<std::string> canonical_keywords(const SelectedMailbox& view,
                                            const std::vector<std::uint32_t>& seqs,
                                            const std::vector<std::string>& requested,
                                            bool remove) {
    std::vector<std::string> known;
    for (auto seq : seqs)
        for (const auto& k : view.keywords(view.messages()[seq - 1]))
            if (std::find(known.begin(), known.end(), k) == known.end()) known.push_back(k);
    std::vector<std::string> out;
    auto add = [&](const std::string& k) {
        bool dup = remove ? std::find(out.begin(), out.end(), k) != out.end()
                          : std::any_of(out.begin(), out.end(),
                                        [&](const std::string& o) { return iequals(o, k); });
        if (!dup) out.push_back(k);
    };
    for (const auto& r : requested) {
        bool found = false;
        for (const auto& k : known) {
            if (!iequals(k, r)) continue;
            found = true;
            add(k);
            if (!remove) break;
        }
        if (!found) add(r);
    }
    return out;
}

/// The view's copy of the STORE, with the store's keyword order (sorted, as its std::set), so
/// the next sync sees no difference and sends no second FETCH.
void apply_locally(store::Message& m, proto::StoreRequest::Op op, std::uint32_t flags,
                   const std::vector<std::string>& keywords) {
    using Op = proto::StoreRequest::Op;
    switch (op) {
        case Op::Replace:
            m.flags = flags;
            m.keywords = keywords;
            break;
        case Op::Add:
            m.flags |= flags;
            for (const auto& k : keywords)
                if (std::find(m.keywords.begin(), m.keywords.end(), k) == m.keywords.end())
                    m.keywords.push_back(k);
            break;
        case Op::Remove:
            m.flags &= ~flags;
            std::erase_if(m.keywords, [&](const std::string& k) {
                return std::find(keywords.begin(), keywords.end(), k) != keywords.end();
            });
            break;
    }
    std::sort(m.keywords.begin(), m.keywords.end());
    m.keywords.erase(std::unique(m.keywords.begin(), m.keywords.end()), m.keywords.end());
}

}  // namespace

awaitable<void> cmd_store(Session& s, proto::Parser& p) {
    auto req = proto::parse_store(p);
    if (!req) {
        parse_failed(s, p);
        co_return;
    }
    if (req->unchanged_since) {
        s.done(Status::Bad, "CONDSTORE is not supported");
        co_return;
    }
    bool ok = true;
    auto seqs = s.selected->resolve(req->set, s.uid_command, s.saved_search, ok);
    if (!ok) {
        s.done(Status::Bad, "invalid message sequence number");
        co_return;
    }
    if (s.selected->read_only()) {
        s.done(Status::No, "mailbox is read-only", {Code::ReadOnly, {}});
        co_return;
    }
    std::uint32_t flags = 0;
    std::vector<std::string> requested;
    split_flags(req->flags, flags, requested);
    std::vector<std::uint32_t> uids;
    std::vector<std::uint32_t> live;
    for (auto seq : seqs) {
        if (s.selected->at(seq).expunged) continue;
        live.push_back(seq);
        uids.push_back(s.selected->at(seq).uid);
    }
    const std::vector<std::string> keywords = canonical_keywords(
        *s.selected, live, requested, req->op == proto::StoreRequest::Op::Remove);
    if (!uids.empty()) {
        auto job = std::make_shared<BlockingJob>();
        store::Store* st = &s.store;
        store::Id mailbox = s.selected->id();
        store::FlagMode mode = req->op == proto::StoreRequest::Op::Replace
                                   ? store::FlagMode::Replace
                               : req->op == proto::StoreRequest::Op::Add ? store::FlagMode::Add
                                                                         : store::FlagMode::Remove;
        job->work = [st, mailbox, &uids, flags, &keywords, mode] {
            st->store_flags(mailbox, uids, flags, keywords, mode);
        };
        co_await run_job(job);
        if (job->error) {
            store_failed(s, job->error, "store");
            co_return;
        }
    }
    std::string out;
    for (auto seq : live) {
        auto& v = s.selected->at(seq);
        store::Message m;
        m.uid = v.uid;
        m.flags = v.flags;
        m.keywords = s.selected->keywords(v);
        apply_locally(m, req->op, flags, keywords);
        v.flags = m.flags;
        s.selected->set_keywords(v, m.keywords);
        if (req->silent) continue;
        out += "* " + std::to_string(seq) + " FETCH (FLAGS ";
        proto::append_atom_list(out, flag_atoms(m.flags, m.keywords));
        if (s.uid_command) out += " UID " + std::to_string(m.uid);
        out += ")\r\n";
    }
    s.send(out);
    // RFC 9051 §6.4.6: messages expunged meanwhile are not an error for the others.
    s.done(Status::Ok, "STORE completed");
}

}  // namespace hermod::imap
