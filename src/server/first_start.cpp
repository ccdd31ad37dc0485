#include "server/first_start.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "auth/password.hpp"
#include "store/store.hpp"

namespace hermod::server {

std::string random_password(std::size_t length) {
    static constexpr char kAlphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    std::string out;
    for (std::size_t i = 0; i < length; ++i)
        out.push_back(kAlphabet[randombytes_uniform(sizeof(kAlphabet) - 1)]);
    return out;
}

namespace {

void write_secret_file(const char* path, const std::string& content) {
    // O_EXCL: never follow or overwrite something an attacker placed there.
    int fd = ::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        throw std::runtime_error(std::string("cannot create ") + path + ": " +
                                 std::strerror(errno));
    std::string line = content + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error(std::string("cannot write ") + path);
}

}  // namespace

std::optional<DemoLogin> create_demo_account_if_empty(store::Store& store) {
    if (!store.list_domains().empty()) return std::nullopt;
    DemoLogin login{"demo@localhost", random_password()};
    store.add_domain("localhost");
    store.add_account(login.address, auth::hash_password(login.password));
    // RFC 5321 §4.5.1: postmaster@ of every domain must reach someone. The resolver falls back
    // to the domain's first account anyway; the alias makes that visible in `alias list`.
    store.add_alias("postmaster@localhost", login.address);
    ::unlink(kDemoPasswordFile);  // a stale file from an earlier, emptied store
    write_secret_file(kDemoPasswordFile, login.password);
    return login;
}

}  // namespace hermod::server
