// list_match.cpp - LIST pattern matching (RFC 9051 §6.3.9), hierarchy name helpers and the
// LIST/LSUB response builder (rules: cmd_list.cpp).
#include "imap/server/list_match.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "common/ascii.hpp"
#include "imap/proto/mailbox_name.hpp"

namespace hermod::imap {

namespace {

constexpr char kSeparator = '/';
constexpr std::string_view kInbox = "INBOX";

bool is_wildcard(char c) {
    return c == '*' || c == '%';
}

/// Adds the positions reachable by letting wildcards match nothing.
void close_over_wildcards(std::string_view pattern, std::vector<char>& states) {
    for (std::size_t j = 0; j < pattern.size(); ++j)
        if (states[j] && is_wildcard(pattern[j])) states[j + 1] = 1;
}

/// One listable name: a mailbox, or a superior name of mailboxes that is no mailbox itself.
struct Node {
    const store::Mailbox* mailbox = nullptr;
    bool children = false;  ///< some name lies below it
};
using Tree = std::map<std::string, Node, std::less<>>;

Tree build_tree(const std::vector<store::Mailbox>& boxes) {
    Tree tree;
    for (const auto& mb : boxes) {
        tree[mb.name].mailbox = &mb;
        for (auto superior : superior_names(mb.name))
            tree[std::string(superior)].children = true;
    }
    return tree;
}

struct Options {
    bool lsub = false;
    bool selection = false;  ///< a selection option that filters (SUBSCRIBED, SPECIAL-USE)
    bool select_subscribed = false;
    bool select_special_use = false;
    bool recursive = false;
    bool show_subscribed = false;
    bool nonexistent = false;           ///< say \NonExistent rather than \Noselect
    std::vector<std::string> patterns;  ///< reference + pattern
};

struct PatternMatch {
    bool any = false;
    bool percent_last = false;  ///< a matching pattern ends in "%"
};

PatternMatch match(const Options& o, std::string_view name) {
    PatternMatch m;
    for (const auto& pattern : o.patterns) {
        if (!list_match(pattern, name)) continue;
        m.any = true;
        if (pattern.ends_with('%')) m.percent_last = true;
    }
    return m;
}

/// The selection criteria (RFC 5258 §3.1): plain LIST lists every mailbox, LSUB and SUBSCRIBED
/// the subscribed ones, SPECIAL-USE those with a special use.
bool selected_by(const Node& n, const Options& o) {
    if (!n.mailbox) return false;
    if (o.select_subscribed && !n.mailbox->subscribed) return false;
    if (o.select_special_use && n.mailbox->special_use == store::SpecialUse::None) return false;
    return true;
}

/// True when a descendant of `name` satisfies the selection criteria; with `unmatched_only`,
/// only descendants that match no pattern count (RECURSIVEMATCH, RFC 5258 §3.1).
bool selected_descendant(const Tree& tree, const std::string& name, const Options& o,
                         bool unmatched_only) {
    std::string prefix = name + '/';
    for (auto it = tree.lower_bound(prefix); it != tree.end() && it->first.starts_with(prefix);
         ++it) {
        if (!selected_by(it->second, o)) continue;
        if (unmatched_only && match(o, it->first).any) continue;
        return true;
    }
    return false;
}

/// "* LIST (\Noselect) "/" root" for an empty pattern (RFC 9051 §6.3.9): the separator and
/// the reference's root ("" for a reference without one, "a/" for "a/b").
void append_root(std::string& out, const Options& o, std::string_view reference,
                 const proto::EncodeOptions& enc) {
    auto slash = reference.find(proto::kHierarchySeparator);
    std::string_view root = slash == std::string_view::npos ? "" : reference.substr(0, slash + 1);
    out += o.lsub ? "* LSUB (\\Noselect) \"/\" " : "* LIST (\\Noselect) \"/\" ";
    proto::append_mailbox(out, root, enc);
    out += "\r\n";
}

void append_entry(std::string& out, const std::string& name, const Node& n, const Options& o,
                  bool placeholder, bool childinfo, const proto::EncodeOptions& enc) {
    std::vector<std::string_view> attrs;
    if (o.lsub) {
        if (placeholder) attrs.push_back("\\Noselect");
    } else {
        if (!n.mailbox) attrs.push_back(o.nonexistent ? "\\NonExistent" : "\\Noselect");
        if (n.mailbox && n.mailbox->subscribed && o.show_subscribed)
            attrs.push_back("\\Subscribed");
        attrs.push_back(n.children ? "\\HasChildren" : "\\HasNoChildren");
        if (n.mailbox && n.mailbox->special_use != store::SpecialUse::None)
            attrs.push_back(store::to_string(n.mailbox->special_use));
    }
    out += o.lsub ? "* LSUB (" : "* LIST (";
    for (std::size_t i = 0; i < attrs.size(); ++i) {
        if (i) out += ' ';
        out += attrs[i];
    }
    out += ") \"/\" ";
    proto::append_mailbox(out, name, enc);
    if (childinfo) {  // RFC 5258 §3.5: the criteria a descendant satisfies
        out += " (\"CHILDINFO\" (";
        if (o.select_subscribed) out += "\"SUBSCRIBED\"";
        if (o.select_special_use)
            out += o.select_subscribed ? " \"SPECIAL-USE\"" : "\"SPECIAL-USE\"";
        out += "))";
    }
    out += "\r\n";
}

}  // namespace

void append_list_responses(std::string& out, const std::vector<store::Mailbox>& mailboxes,
                           const proto::ListRequest& req, const ListMode& mode,
                           const ListStatusFn& status) {
    Options o;
    o.lsub = mode.lsub;
    // REMOTE only adds remote mailboxes (none here); RECURSIVEMATCH comes with one of these.
    o.selection = req.select_subscribed || req.select_special_use;
    o.select_subscribed = mode.lsub || req.select_subscribed;
    o.select_special_use = req.select_special_use;
    o.recursive = req.select_recursive_match;
    o.show_subscribed = req.return_subscribed || req.select_subscribed;
    o.nonexistent = mode.rev2 || req.extended;
    for (const auto& pattern : req.patterns)
        o.patterns.push_back(req.reference + pattern);
    const auto& enc = mode.encode;
    if (!o.selection && req.patterns.size() == 1 && req.patterns[0].empty()) {
        append_root(out, o, req.reference, enc);
        return;
    }
    const Tree tree = build_tree(mailboxes);
    std::vector<Tree::const_iterator> order;
    order.reserve(tree.size());
    if (auto inbox = tree.find("INBOX"); inbox != tree.end()) order.push_back(inbox);
    for (auto it = tree.begin(); it != tree.end(); ++it)
        if (it->first != "INBOX") order.push_back(it);

    for (auto it : order) {
        const std::string& name = it->first;
        const Node& n = it->second;
        auto m = match(o, name);
        if (!m.any) continue;
        bool selected = selected_by(n, o);
        bool childinfo = o.recursive && selected_descendant(tree, name, o, true);
        bool placeholder = false;
        if (!selected && !childinfo) {
            // RFC 9051 §6.3.9 / RFC 3501 §6.3.9: levels of hierarchy matched by a trailing "%"
            // (for LIST only those that are no mailbox: every mailbox is selected there).
            placeholder = m.percent_last && (o.lsub || (!o.selection && !n.mailbox)) &&
                          selected_descendant(tree, name, o, false);
            if (!placeholder) continue;
        }
        append_entry(out, name, n, o, placeholder, childinfo, enc);
        // RFC 5819 §2: STATUS right after the LIST of each listed mailbox that exists.
        if (req.return_status && n.mailbox && status) status(out, *n.mailbox);
    }
}

bool list_match(std::string_view pattern, std::string_view name) {
    // RFC 9051 §5.1: INBOX is case-insensitive, so the pattern's characters that face the
    // name's leading "INBOX" compare without case.
    const std::size_t fold =
        (name == kInbox || (name.starts_with(kInbox) && name[kInbox.size()] == kSeparator))
            ? kInbox.size()
            : 0;
    const std::size_t m = pattern.size();
    // states[j]: the pattern's first j characters can match the name's prefix read so far.
    std::vector<char> states(m + 1, 0), next(m + 1, 0);
    states[0] = 1;
    close_over_wildcards(pattern, states);
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        std::fill(next.begin(), next.end(), 0);
        bool any = false;
        for (std::size_t j = 0; j < m; ++j) {
            if (!states[j]) continue;
            const char pc = pattern[j];
            if (pc == '*' || (pc == '%' && c != kSeparator)) {
                next[j] = 1;  // the wildcard takes this character and may take more
                any = true;
            } else if (pc == c || (i < fold && ascii_upper(pc) == c)) {
                next[j + 1] = 1;
                any = true;
            }
        }
        if (!any) return false;
        close_over_wildcards(pattern, next);
        states.swap(next);
    }
    return states[m] != 0;
}

std::vector<std::string_view> superior_names(std::string_view name) {
    std::vector<std::string_view> out;
    for (auto pos = name.find(kSeparator); pos != std::string_view::npos;
         pos = name.find(kSeparator, pos + 1))
        if (pos > 0) out.push_back(name.substr(0, pos));
    return out;
}

bool is_inferior(std::string_view name, std::string_view superior) {
    return name.size() > superior.size() + 1 && name.starts_with(superior) &&
           name[superior.size()] == kSeparator;
}

}  // namespace hermod::imap
