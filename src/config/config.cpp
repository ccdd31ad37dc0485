// config.cpp - TOML over embedded defaults. Every unknown key, wrong type and out-of-range value
// is reported with its file:line, all of them in one pass, so an operator fixes a file once.
#include "config/config.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace hermod::config {

namespace {

struct ServiceInfo {
    Service service;
    const char* name;
    std::uint16_t default_port;
    bool implicit_tls;
};

// Guide §6: unprivileged defaults so `make run` works without root.
constexpr ServiceInfo kServices[] = {
    {Service::Smtp, "smtp", 2525, false},
    {Service::Submission, "submission", 5870, false},
    {Service::Submissions, "submissions", 4650, true},
    {Service::Imap, "imap", 1143, false},
    {Service::Imaps, "imaps", 9930, true},
    {Service::Pop3, "pop3", 1110, false},
    {Service::Pop3s, "pop3s", 9950, true},
    {Service::Lmtp, "lmtp", 2424, false},
    {Service::Http, "http", 8080, false},
};

const ServiceInfo& info(Service s) {
    for (const auto& i : kServices)
        if (i.service == s) return i;
    return kServices[0];
}

bool is_ip_literal(const std::string& host, bool v6) {
    unsigned char buf[16];
    return inet_pton(v6 ? AF_INET6 : AF_INET, host.c_str(), buf) == 1;
}

bool is_cidr(const std::string& text) {
    auto slash = text.find('/');
    std::string host = text.substr(0, slash);
    bool v6 = host.find(':') != std::string::npos;
    if (!is_ip_literal(host, v6)) return false;
    if (slash == std::string::npos) return true;
    unsigned bits = 0;
    auto tail = std::string_view(text).substr(slash + 1);
    auto [end, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), bits);
    return ec == std::errc() && end == tail.data() + tail.size() && !tail.empty() &&
           bits <= (v6 ? 128u : 32u);
}

std::optional<ListenAddress> parse_listen(std::string_view text, std::string& why) {
    ListenAddress a;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            why = "an IPv6 address is written \"[addr]:port\"";
            return std::nullopt;
        }
        a.host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
        if (!is_ip_literal(a.host, true)) {
            why = fmt::format("'{}' is not an IPv6 address", a.host);
            return std::nullopt;
        }
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            why = "expected \"host:port\"";
            return std::nullopt;
        }
        a.host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
        if (!is_ip_literal(a.host, false)) {
            why =
                fmt::format("'{}' is not an IPv4 address (write IPv6 as \"[addr]:port\")", a.host);
            return std::nullopt;
        }
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        why = fmt::format("'{}' is not a port number (0-65535)", port_text);
        return std::nullopt;
    }
    a.port = static_cast<std::uint16_t>(port);
    return a;
}

// Reads one file's sections into a Config, collecting every error with its position.
class Reader {
  public:
    Reader(Config& cfg, std::vector<ConfigError>& errors, std::string file)
        : cfg_(cfg), errors_(errors), file_(std::move(file)) {}

    void read(const toml::table& root) {
        for (auto&& [key, node] : root) {
            std::string_view k = key.str();
            const toml::table* t = node.as_table();
            if (!t) {
                error(node, fmt::format("'{}' must be a section ([{}])", k, k));
                continue;
            }
            if (k == "server")
                read_server(*t);
            else if (k == "tls")
                read_tls(*t);
            else if (k == "limits")
                read_limits(*t);
            else if (k == "store")
                read_store(*t);
            else if (k == "smtp")
                read_smtp(*t);
            else if (k == "pop3")
                read_pop3(*t);
            else if (k == "imap")
                read_imap(*t);
            else if (k == "auth")
                read_auth(*t);
            else if (k == "listen")
                read_listen(*t);
            else
                error(node, fmt::format("unknown section [{}] (known: server, tls, limits, store, "
                                        "smtp, pop3, imap, auth, listen)",
                                        k));
        }
    }

  private:
    void error(const toml::node& n, std::string message) {
        errors_.push_back(
            {file_, static_cast<std::uint32_t>(n.source().begin.line), std::move(message)});
    }

    template <typename Fn>
    void each(const toml::table& t, const char* section, Fn&& fn) {
        for (auto&& [key, node] : t) {
            if (!fn(key.str(), node))
                error(node, fmt::format("unknown key '{}' in [{}]", key.str(), section));
        }
    }

    void get(const toml::node& n, std::string_view key, std::string& out) {
        if (auto v = n.value<std::string>())
            out = *v;
        else
            error(n, fmt::format("'{}' must be a string", key));
    }

    template <typename Int>
    void get(const toml::node& n, std::string_view key, Int& out, std::uint64_t min,
             std::uint64_t max) {
        auto v = n.value<std::int64_t>();
        if (!n.is_integer() || !v) {
            error(n, fmt::format("'{}' must be a whole number", key));
        } else if (*v < 0 || static_cast<std::uint64_t>(*v) < min ||
                   static_cast<std::uint64_t>(*v) > max) {
            error(n, fmt::format("'{}' must be between {} and {}, not {}", key, min, max, *v));
        } else {
            out = static_cast<Int>(*v);
        }
    }

    // A file mode as a string of octal digits ("0660", "660"), 0 to 0777: a TOML integer 0660
    // would be decimal, so a number is refused rather than silently misread.
    void get_mode(const toml::node& n, std::string_view key, std::uint32_t& out) {
        auto v = n.value<std::string>();
        if (!n.is_string() || !v) {
            error(n, fmt::format("'{}' must be a string of octal digits, e.g. \"0660\"", key));
            return;
        }
        unsigned mode = 0;
        auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), mode, 8);
        if (v->empty() || ec != std::errc() || end != v->data() + v->size() || mode > 0777) {
            error(n, fmt::format("'{}' must be octal digits between \"0000\" and \"0777\", not "
                                 "\"{}\"",
                                 key, *v));
            return;
        }
        out = mode;
    }

    void read_server(const toml::table& t) {
        auto& s = cfg_.server;
        each(t, "server", [&](std::string_view k, const toml::node& n) {
            if (k == "hostname")
                get(n, k, s.hostname);
            else if (k == "user")
                get(n, k, s.user);
            else if (k == "shutdown_grace_seconds")
                get(n, k, s.shutdown_grace_seconds, 0, 3600);
            else if (k == "log_level") {
                get(n, k, s.log_level);
                static const std::set<std::string> levels = {"trace", "debug", "info", "warn",
                                                             "error"};
                if (!levels.count(s.log_level))
                    error(n, "'log_level' must be one of trace, debug, info, warn, error");
            } else
                return false;
            return true;
        });
        if (s.hostname.empty())
            errors_.push_back({file_, 0, "[server] hostname must not be empty"});
    }

    void read_tls(const toml::table& t) {
        auto& s = cfg_.tls;
        each(t, "tls", [&](std::string_view k, const toml::node& n) {
            if (k == "cert_file")
                get(n, k, s.cert_file);
            else if (k == "key_file")
                get(n, k, s.key_file);
            else if (k == "min_version") {
                get(n, k, s.min_version);
                if (s.min_version != "1.2" && s.min_version != "1.3")
                    error(n, "'min_version' must be \"1.2\" or \"1.3\" (older TLS is not offered)");
            } else
                return false;
            return true;
        });
        if (s.cert_file.empty() != s.key_file.empty())
            errors_.push_back({file_, static_cast<std::uint32_t>(t.source().begin.line),
                               "[tls] cert_file and key_file go together: set both or neither"});
    }

    void read_limits(const toml::table& t) {
        auto& l = cfg_.limits;
        constexpr std::uint64_t kBig = 1ull << 40;
        each(t, "limits", [&](std::string_view k, const toml::node& n) {
            if (k == "max_connections")
                get(n, k, l.max_connections, 1, 1000000);
            else if (k == "max_connections_per_ip")
                get(n, k, l.max_connections_per_ip, 1, 1000000);
            else if (k == "idle_timeout_seconds")
                get(n, k, l.idle_timeout_seconds, 1, 86400);
            else if (k == "session_timeout_seconds")
                get(n, k, l.session_timeout_seconds, 1, 604800);
            else if (k == "max_message_size")
                get(n, k, l.max_message_size, 1024, kBig);
            else if (k == "max_recipients")
                get(n, k, l.max_recipients, 1, 100000);
            // RFC 5321 §4.5.3.1: 512 and 1000 are minimums a server must accept.
            else if (k == "smtp_line_length")
                get(n, k, l.smtp_line_length, 512, 1 << 20);
            else if (k == "smtp_text_line_length")
                get(n, k, l.smtp_text_line_length, 1000, 1 << 20);
            else if (k == "line_length_ceiling")
                get(n, k, l.line_length_ceiling, 1000, 1 << 20);
            else if (k == "imap_line_length")
                get(n, k, l.imap_line_length, 1000, 16 << 20);
            else if (k == "imap_literal_size")
                get(n, k, l.imap_literal_size, 1024, kBig);
            else if (k == "mime_depth")
                get(n, k, l.mime_depth, 1, 1000);
            else if (k == "failed_logins_per_ip")
                get(n, k, l.failed_logins_per_ip, 1, 1000000);
            else if (k == "failed_logins_per_account")
                get(n, k, l.failed_logins_per_account, 1, 1000000);
            else
                return false;
            return true;
        });
    }

    void read_store(const toml::table& t) {
        auto& s = cfg_.store;
        each(t, "store", [&](std::string_view k, const toml::node& n) {
            if (k == "backend") {
                get(n, k, s.backend);
                if (s.backend != "sqlite")
                    error(n, fmt::format("store backend '{}' is not available (known: sqlite)",
                                         s.backend));
            } else if (k == "inline_blob_max")
                get(n, k, s.inline_blob_max, 0, 64ull << 20);
            else
                return false;
            return true;
        });
    }

    void read_smtp(const toml::table& t) {
        auto& s = cfg_.smtp;
        each(t, "smtp", [&](std::string_view k, const toml::node& n) {
            if (k == "trusted_networks") {
                s.trusted_networks.clear();
                const toml::array* arr = n.as_array();
                if (!arr) {
                    error(n, "'trusted_networks' must be a list of \"addr/prefix\" strings");
                    return true;
                }
                for (const auto& item : *arr) {
                    auto text = item.value<std::string>();
                    if (!text || !is_cidr(*text))
                        error(item,
                              "'trusted_networks' entries must be \"addr/prefix\" or an "
                              "address, e.g. \"192.0.2.0/24\"");
                    else
                        s.trusted_networks.push_back(*text);
                }
            } else if (k == "plaintext_auth_on_loopback") {
                if (auto v = n.value<bool>())
                    s.plaintext_auth_on_loopback = *v;
                else
                    error(n, "'plaintext_auth_on_loopback' must be true or false");
            } else if (k == "lmtp_socket")
                get(n, k, s.lmtp_socket);
            else if (k == "lmtp_socket_user")
                get(n, k, s.lmtp_socket_user);
            else if (k == "lmtp_socket_group")
                get(n, k, s.lmtp_socket_group);
            else if (k == "lmtp_socket_mode")
                get_mode(n, k, s.lmtp_socket_mode);
            else if (k == "max_errors")
                get(n, k, s.max_errors, 1, 1000);
            else
                return false;
            return true;
        });
    }

    void get_bool(const toml::node& n, std::string_view key, bool& out) {
        if (auto v = n.value<bool>())
            out = *v;
        else
            error(n, fmt::format("'{}' must be true or false", key));
    }

    void read_imap(const toml::table& t) {
        auto& i = cfg_.imap;
        each(t, "imap", [&](std::string_view k, const toml::node& n) {
            if (k == "plaintext_auth_on_loopback")
                get_bool(n, k, i.plaintext_auth_on_loopback);
            else if (k == "autologout_minutes")
                get(n, k, i.autologout_minutes, 30, 1440);
            else if (k == "max_errors")
                get(n, k, i.max_errors, 1, 1000);
            else
                return false;
            return true;
        });
    }

    void read_pop3(const toml::table& t) {
        auto& p = cfg_.pop3;
        each(t, "pop3", [&](std::string_view k, const toml::node& n) {
            if (k == "mailboxes") {
                p.mailboxes.clear();
                const toml::array* arr = n.as_array();
                if (!arr || arr->empty()) {
                    error(n, "'mailboxes' must be a non-empty list of mailbox names");
                    return true;
                }
                for (const auto& item : *arr) {
                    auto text = item.value<std::string>();
                    if (!text || text->empty())
                        error(item, "'mailboxes' entries must be mailbox names, e.g. \"INBOX\"");
                    else
                        p.mailboxes.push_back(*text);
                }
            } else if (k == "expire_retrieved")
                get_bool(n, k, p.expire_retrieved);
            else if (k == "login_delay_seconds")
                get(n, k, p.login_delay_seconds, 0, 86400);
            else if (k == "plaintext_auth_on_loopback")
                get_bool(n, k, p.plaintext_auth_on_loopback);
            else if (k == "apop") {
                bool on = false;
                get_bool(n, k, on);
                if (on)
                    error(n,
                          "'apop' cannot be turned on: APOP needs passwords stored in clear, "
                          "and Hermod keeps only one-way hashes (see docs/pop3.md)");
            } else if (k == "max_errors")
                get(n, k, p.max_errors, 1, 1000);
            else
                return false;
            return true;
        });
    }

    void read_auth(const toml::table& t) {
        auto& a = cfg_.auth;
        each(t, "auth", [&](std::string_view k, const toml::node& n) {
            if (k == "cache_seconds")
                get(n, k, a.cache_seconds, 0, 7 * 86400);
            else if (k == "cache_size")
                get(n, k, a.cache_size, 0, 10000000);
            else
                return false;
            return true;
        });
    }

    void read_listen(const toml::table& t) {
        each(t, "listen", [&](std::string_view k, const toml::node& n) {
            auto service = service_from_name(k);
            if (!service) return false;
            auto& out = cfg_.listen[*service];
            out.clear();
            const toml::array* arr = n.as_array();
            if (!arr) {
                error(n,
                      fmt::format("'{}' must be a list of \"host:port\" strings (empty = off)", k));
                return true;
            }
            for (const auto& item : *arr) {
                auto text = item.value<std::string>();
                if (!text) {
                    error(item, fmt::format("'{}' entries must be \"host:port\" strings", k));
                    continue;
                }
                std::string why;
                if (auto a = parse_listen(*text, why))
                    out.push_back(*a);
                else
                    error(item, fmt::format("'{}' in {}: {}", *text, k, why));
            }
            return true;
        });
    }

    Config& cfg_;
    std::vector<ConfigError>& errors_;
    std::string file_;
};

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

}  // namespace

const char* service_name(Service s) {
    return info(s).name;
}

std::optional<Service> service_from_name(std::string_view name) {
    for (const auto& i : kServices)
        if (name == i.name) return i.service;
    return std::nullopt;
}

bool implicit_tls(Service s) {
    return info(s).implicit_tls;
}

std::string ListenAddress::to_string() const {
    if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
    return fmt::format("{}:{}", host, port);
}

std::string ConfigError::to_string() const {
    if (line == 0) return fmt::format("{}: {}", file, message);
    return fmt::format("{}:{}: {}", file, line, message);
}

Config defaults() {
    Config c;
    for (const auto& i : kServices)
        c.listen[i.service] = {{"127.0.0.1", i.default_port}, {"::1", i.default_port}};
    return c;
}

LoadResult parse(std::string_view text, const std::string& source_name) {
    LoadResult r{defaults(), {}};
    toml::table root;
    try {
        root = toml::parse(text, source_name);
    } catch (const toml::parse_error& e) {
        r.errors.push_back(ConfigError{source_name,
                                       static_cast<std::uint32_t>(e.source().begin.line),
                                       std::string(e.description())});
        return r;
    }
    Reader(r.config, r.errors, source_name).read(root);
    // toml++ keeps keys sorted by name; report in file order, as a person reads the file.
    std::stable_sort(r.errors.begin(), r.errors.end(),
                     [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
    return r;
}

LoadResult load_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {defaults(), {{path, 0, "cannot read the file"}}};
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path);
}

std::string to_toml(const Config& c) {
    std::string out;
    auto line = [&](std::string_view key, const std::string& value) {
        out += fmt::format("{} = {}\n", key, value);
    };
    auto num = [](std::uint64_t v) { return std::to_string(v); };
    out += "[server]\n";
    line("hostname", quote(c.server.hostname));
    line("user", quote(c.server.user));
    line("shutdown_grace_seconds", num(c.server.shutdown_grace_seconds));
    line("log_level", quote(c.server.log_level));
    out += "\n[tls]\n";
    line("cert_file", quote(c.tls.cert_file));
    line("key_file", quote(c.tls.key_file));
    line("min_version", quote(c.tls.min_version));
    out += "\n[limits]\n";
    const auto& l = c.limits;
    line("max_connections", num(l.max_connections));
    line("max_connections_per_ip", num(l.max_connections_per_ip));
    line("idle_timeout_seconds", num(l.idle_timeout_seconds));
    line("session_timeout_seconds", num(l.session_timeout_seconds));
    line("max_message_size", num(l.max_message_size));
    line("max_recipients", num(l.max_recipients));
    line("smtp_line_length", num(l.smtp_line_length));
    line("smtp_text_line_length", num(l.smtp_text_line_length));
    line("line_length_ceiling", num(l.line_length_ceiling));
    line("imap_line_length", num(l.imap_line_length));
    line("imap_literal_size", num(l.imap_literal_size));
    line("mime_depth", num(l.mime_depth));
    line("failed_logins_per_ip", num(l.failed_logins_per_ip));
    line("failed_logins_per_account", num(l.failed_logins_per_account));
    out += "\n[store]\n";
    line("backend", quote(c.store.backend));
    line("inline_blob_max", num(c.store.inline_blob_max));
    out += "\n[smtp]\n";
    {
        std::string list = "[";
        for (std::size_t n = 0; n < c.smtp.trusted_networks.size(); ++n)
            list += (n ? ", " : "") + quote(c.smtp.trusted_networks[n]);
        line("trusted_networks", list + "]");
    }
    line("plaintext_auth_on_loopback", c.smtp.plaintext_auth_on_loopback ? "true" : "false");
    line("lmtp_socket", quote(c.smtp.lmtp_socket));
    line("lmtp_socket_user", quote(c.smtp.lmtp_socket_user));
    line("lmtp_socket_group", quote(c.smtp.lmtp_socket_group));
    line("lmtp_socket_mode", quote(fmt::format("{:04o}", c.smtp.lmtp_socket_mode)));
    line("max_errors", num(c.smtp.max_errors));
    out += "\n[pop3]\n";
    {
        std::string list = "[";
        for (std::size_t n = 0; n < c.pop3.mailboxes.size(); ++n)
            list += (n ? ", " : "") + quote(c.pop3.mailboxes[n]);
        line("mailboxes", list + "]");
    }
    line("expire_retrieved", c.pop3.expire_retrieved ? "true" : "false");
    line("login_delay_seconds", num(c.pop3.login_delay_seconds));
    line("plaintext_auth_on_loopback", c.pop3.plaintext_auth_on_loopback ? "true" : "false");
    line("max_errors", num(c.pop3.max_errors));
    out += "\n[imap]\n";
    line("plaintext_auth_on_loopback", c.imap.plaintext_auth_on_loopback ? "true" : "false");
    line("autologout_minutes", num(c.imap.autologout_minutes));
    line("max_errors", num(c.imap.max_errors));
    out += "\n[auth]\n";
    line("cache_seconds", num(c.auth.cache_seconds));
    line("cache_size", num(c.auth.cache_size));
    out += "\n[listen]\n";
    for (const auto& i : kServices) {
        std::string list = "[";
        auto it = c.listen.find(i.service);
        if (it != c.listen.end()) {
            for (std::size_t n = 0; n < it->second.size(); ++n)
                list += (n ? ", " : "") + quote(it->second[n].to_string());
        }
        line(i.name, list + "]");
    }
    return out;
}

}  // namespace hermod::config
