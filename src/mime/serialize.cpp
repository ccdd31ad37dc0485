// serialize.cpp - varint/length-prefixed encoding; the reader checks every length against
// what is left, so a corrupt row yields nullopt rather than a crash or a huge allocation.
#include "mime/serialize.hpp"

#include <cstdint>

namespace hermod::mime {
namespace {

constexpr std::string_view kMagic = "HMS";
constexpr int kMaxDepth = 1024;

class Writer {
  public:
    std::string out;

    void u(std::uint64_t v) {
        while (v >= 0x80) {
            out.push_back(static_cast<char>((v & 0x7F) | 0x80));
            v >>= 7;
        }
        out.push_back(static_cast<char>(v));
    }
    void i(std::int64_t v) {
        u((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
    }
    void s(const std::string& v) {
        u(v.size());
        out.append(v);
    }
    void os(const std::optional<std::string>& v) {
        out.push_back(v ? 1 : 0);
        if (v) s(*v);
    }
    void params(const std::vector<Param>& ps) {
        u(ps.size());
        for (const auto& p : ps) {
            s(p.name);
            s(p.value);
            // The decoded form is usually the value itself: a flag saves storing it twice.
            unsigned flags = (p.extended ? 1u : 0u) | (p.decoded == p.value ? 2u : 0u);
            u(flags);
            if (!(flags & 2u)) s(p.decoded);
        }
    }
    void addrs(const std::vector<Address>& as) {
        u(as.size());
        for (const auto& a : as) {
            u(static_cast<std::uint64_t>(a.kind));
            s(a.name);
            s(a.adl);
            s(a.mailbox);
            s(a.host);
        }
    }
    void envelope(const Envelope& e) {
        os(e.date);
        os(e.subject);
        os(e.in_reply_to);
        os(e.message_id);
        addrs(e.from);
        addrs(e.sender);
        addrs(e.reply_to);
        addrs(e.to);
        addrs(e.cc);
        addrs(e.bcc);
        bool same = e.subject && e.subject_utf8 == *e.subject;
        out.push_back(same ? 1 : 0);
        if (!same) s(e.subject_utf8);
        out.push_back(e.date_unix ? 1 : 0);
        if (e.date_unix) i(*e.date_unix);
        i(e.date_tz_minutes);
    }
    void part(const Part& p) {
        u(p.header_offset);
        u(p.header_size);
        // body_offset == header_offset + header_size always; stored anyway for robustness.
        u(p.body_offset);
        u(p.body_size);
        u(p.body_lines);
        u(p.header_vsize - p.header_size);
        u(p.body_vsize - p.body_size);
        s(p.type);
        s(p.subtype);
        params(p.params);
        out.push_back(p.has_content_type ? 1 : 0);
        os(p.id);
        os(p.description);
        os(p.encoding);
        os(p.md5);
        os(p.location);
        os(p.language);
        os(p.disposition);
        params(p.disposition_params);
        out.push_back(p.envelope ? 1 : 0);
        if (p.envelope) envelope(*p.envelope);
        u(p.children.size());
        for (const auto& c : p.children)
            part(c);
    }
};

class Reader {
  public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool ok = true;

    bool at_end() const { return pos_ == in_.size(); }
    std::uint64_t u() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos_ >= in_.size()) return fail();
            auto b = static_cast<unsigned char>(in_[pos_++]);
            v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if (!(b & 0x80)) return v;
        }
        return fail();
    }
    std::int64_t i() {
        std::uint64_t v = u();
        return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
    }
    bool flag() {
        if (pos_ >= in_.size()) return fail() != 0;
        char c = in_[pos_++];
        if (c != 0 && c != 1) fail();
        return c == 1;
    }
    std::string s() {
        std::uint64_t n = u();
        if (!ok || n > in_.size() - pos_) {
            fail();
            return {};
        }
        std::string r(in_.substr(pos_, n));
        pos_ += n;
        return r;
    }
    std::optional<std::string> os() {
        if (!flag()) return std::nullopt;
        return s();
    }
    // Element counts are bounded by the bytes left (every element takes at least one).
    std::uint64_t count() {
        std::uint64_t n = u();
        if (n > in_.size() - pos_) fail();
        return ok ? n : 0;
    }
    std::vector<Param> params() {
        std::vector<Param> ps(count());
        for (auto& p : ps) {
            p.name = s();
            p.value = s();
            std::uint64_t flags = u();
            if (flags > 3) fail();
            p.extended = flags & 1;
            p.decoded = (flags & 2) ? p.value : s();
        }
        return ps;
    }
    std::vector<Address> addrs() {
        std::vector<Address> as(count());
        for (auto& a : as) {
            std::uint64_t k = u();
            if (k > 2) fail();
            a.kind = static_cast<Address::Kind>(k);
            a.name = s();
            a.adl = s();
            a.mailbox = s();
            a.host = s();
        }
        return as;
    }
    Envelope envelope() {
        Envelope e;
        e.date = os();
        e.subject = os();
        e.in_reply_to = os();
        e.message_id = os();
        e.from = addrs();
        e.sender = addrs();
        e.reply_to = addrs();
        e.to = addrs();
        e.cc = addrs();
        e.bcc = addrs();
        if (flag()) {
            if (!e.subject) fail();
            e.subject_utf8 = e.subject.value_or("");
        } else {
            e.subject_utf8 = s();
        }
        if (flag()) e.date_unix = i();
        e.date_tz_minutes = static_cast<int>(i());
        return e;
    }
    void part(Part& p, int depth) {
        if (depth > kMaxDepth) {
            fail();
            return;
        }
        p.header_offset = u();
        p.header_size = u();
        p.body_offset = u();
        p.body_size = u();
        p.body_lines = u();
        p.header_vsize = p.header_size + u();
        p.body_vsize = p.body_size + u();
        p.type = s();
        p.subtype = s();
        p.params = params();
        p.has_content_type = flag();
        p.id = os();
        p.description = os();
        p.encoding = os();
        p.md5 = os();
        p.location = os();
        p.language = os();
        p.disposition = os();
        p.disposition_params = params();
        if (flag()) p.envelope = envelope();
        std::uint64_t n = count();
        p.children.resize(n);
        for (auto& c : p.children) {
            if (!ok) return;
            part(c, depth + 1);
        }
    }

  private:
    std::uint64_t fail() {
        ok = false;
        pos_ = in_.size();
        return 0;
    }
    std::string_view in_;
    std::size_t pos_ = 0;
};

}  // namespace

std::string serialize(const Structure& st) {
    Writer w;
    w.out.append(kMagic);
    w.out.push_back(static_cast<char>(kSerializeVersion));
    w.out.push_back(st.truncated ? 1 : 0);
    w.part(st.root);
    return std::move(w.out);
}

std::optional<Structure> deserialize(std::string_view bytes) {
    if (bytes.size() < kMagic.size() + 1 || bytes.substr(0, kMagic.size()) != kMagic ||
        static_cast<unsigned char>(bytes[kMagic.size()]) != kSerializeVersion)
        return std::nullopt;
    Reader r(bytes.substr(kMagic.size() + 1));
    Structure st;
    st.truncated = r.flag();
    r.part(st.root, 0);
    if (!r.ok || !r.at_end()) return std::nullopt;
    return st;
}

}  // namespace hermod::mime
