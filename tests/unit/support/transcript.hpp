// transcript.hpp - the shared parts of the golden-transcript runners (tests/transcripts/<proto>/
// *.txt, played by tests/unit/<proto>_server/transcript_test.cpp): the file format, pattern
// matching, escapes, a self-signed test certificate and a non-loopback address of this host.
//
// Format, one step per line (each runner documents the extra steps it understands):
//   C: text            client line (CRLF appended); consecutive C: lines go out in ONE write
//                      when the next step needs the server (so they test pipelining)
//   C-RAW: text        raw client bytes, escapes \r \n \t \\ and \xHH, no CRLF appended
//   S: pattern         one server line; "<ANY>" matches any text, a trailing "..." any rest
//   # comment; "#! key: value" sets runner options before the session starts
#pragma once

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "net/tls.hpp"

namespace hermod::testing {

/// A self-signed certificate for "localhost", generated once per test process.
inline std::shared_ptr<net::TlsContext> transcript_tls() {
    namespace fs = std::filesystem;
    static std::shared_ptr<net::TlsContext> ctx = [] {
        std::string tmpl = (fs::temp_directory_path() / "hermod-transcript-tls-XXXXXX").string();
        fs::path dir = ::mkdtemp(tmpl.data());
        net::generate_self_signed("localhost", dir / "cert.pem", dir / "key.pem");
        auto c = net::TlsContext::load(dir / "cert.pem", dir / "key.pem");
        fs::remove_all(dir);
        return c;
    }();
    return ctx;
}

/// Escapes of C-RAW and BLOB-*: \r \n \t \\ \xHH.
inline std::string unescape(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        char c = s[++i];
        if (c == 'r')
            out += '\r';
        else if (c == 'n')
            out += '\n';
        else if (c == 't')
            out += '\t';
        else if (c == 'x' && i + 2 < s.size() + 0) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else
            out += c;
    }
    return out;
}

/// Glob match with "<ANY>" wildcards and an optional trailing "...".
inline bool matches(std::string_view text, std::string pattern) {
    bool prefix = pattern.size() >= 3 && pattern.ends_with("...");
    if (prefix) pattern.resize(pattern.size() - 3);
    std::vector<std::string> parts;
    std::size_t pos = 0;
    for (;;) {
        auto any = pattern.find("<ANY>", pos);
        parts.push_back(
            pattern.substr(pos, any == std::string::npos ? std::string::npos : any - pos));
        if (any == std::string::npos) break;
        pos = any + 5;
    }
    if (parts.size() == 1) return prefix ? text.starts_with(parts[0]) : text == parts[0];
    if (!text.starts_with(parts.front())) return false;
    std::size_t at = parts.front().size();
    for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
        auto f = text.find(parts[i], at);
        if (f == std::string_view::npos) return false;
        at = f + parts[i].size();
    }
    const std::string& last = parts.back();
    if (prefix) return text.find(last, at) != std::string_view::npos;
    return text.size() >= at + last.size() && text.ends_with(last);
}

struct Step {
    std::string kind;
    std::string arg;
    int line = 0;
};

struct Script {
    std::map<std::string, std::string> options;
    std::vector<Step> steps;
};

inline Script load_script(const std::filesystem::path& file) {
    Script s;
    std::ifstream in(file);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.starts_with("#!")) {
            auto colon = line.find(':');
            std::string key =
                line.substr(2, colon == std::string::npos ? std::string::npos : colon - 2);
            std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
            auto trim = [](std::string& x) {
                x.erase(0, x.find_first_not_of(' '));
                x.erase(x.find_last_not_of(' ') + 1);
            };
            trim(key);
            trim(value);
            s.options[key] = value;
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        if (line == "C:") line = "C: ";  // an empty client line
        if (line == "S:") line = "S: ";  // an empty server line
        auto colon = line.find(": ");
        Step st;
        st.line = n;
        if (colon == std::string::npos) {
            st.kind = line;
        } else {
            st.kind = line.substr(0, colon);
            st.arg = line.substr(colon + 2);
        }
        s.steps.push_back(st);
    }
    return s;
}

/// The *.txt files of `dir`, sorted.
inline std::vector<std::string> transcript_files(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".txt") out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

/// A GoogleTest-safe test name for a transcript file ("auth_plain.txt" -> "auth_plain").
inline std::string transcript_test_name(const std::string& file) {
    std::string n = file.substr(0, file.rfind('.'));
    for (auto& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
}

/// A non-loopback IPv4 address of this host, to play a client that is not on loopback.
inline std::optional<std::string> external_ipv4() {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return std::nullopt;
    std::optional<std::string> out;
    for (ifaddrs* i = list; i && !out; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
        char buf[INET_ADDRSTRLEN];
        auto* sin = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
        ::inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
        if (!std::string_view(buf).starts_with("127.")) out = buf;
    }
    ::freeifaddrs(list);
    return out;
}

/// Listens for `service` on 127.0.0.1, or, with the script option "remote" (policy that depends
/// on the client not being on loopback), on every address with the client connecting through
/// this host's own non-loopback address. Returns the address the client connects from;
/// nullopt when "remote" is asked and the host has none (the test skips).
inline std::optional<std::string> listen_for(const Script& script, config::Config& cfg,
                                             config::Service service) {
    if (!script.options.count("remote")) {
        cfg.listen[service] = {{"127.0.0.1", 0}};
        return "127.0.0.1";
    }
    auto ip = external_ipv4();
    if (ip) cfg.listen[service] = {{"0.0.0.0", 0}};
    return ip;
}

}  // namespace hermod::testing
