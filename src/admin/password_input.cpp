// password_input.cpp - password from stdin or a no-echo terminal prompt. See the header.
#include "admin/password_input.hpp"

#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <iterator>

#include "admin/admin_ops.hpp"

namespace hermod::admin {

namespace {

// The terminal settings to restore if a signal (Ctrl-C at the prompt) kills us while echo is
// off; otherwise the user's shell would be left without echo.
termios g_saved_termios;
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};

extern "C" void restore_and_reraise(int sig) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);  // async-signal-safe
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// Turns terminal echo off for its lifetime and restores the previous settings afterwards,
// also when reading throws or a signal arrives.
class EchoOff {
  public:
    EchoOff() {
        if (tcgetattr(STDIN_FILENO, &g_saved_termios) != 0) return;
        struct sigaction sa {};
        sa.sa_handler = restore_and_reraise;
        sigemptyset(&sa.sa_mask);
        for (std::size_t i = 0; i < std::size(kSignals); ++i)
            sigaction(kSignals[i], &sa, &old_actions_[i]);
        termios quiet = g_saved_termios;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;  // still echo the newline, so the next prompt starts a new line
        active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        if (!active_) restore_signals();
    }
    ~EchoOff() {
        if (!active_) return;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
        restore_signals();
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

  private:
    void restore_signals() {
        for (std::size_t i = 0; i < std::size(kSignals); ++i)
            sigaction(kSignals[i], &old_actions_[i], nullptr);
    }
    struct sigaction old_actions_[std::size(kSignals)]{};
    bool active_ = false;
};

std::string prompt(const char* text) {
    std::fputs(text, stderr);
    std::fflush(stderr);
    EchoOff quiet;
    return read_password_line(std::cin);
}

}  // namespace

std::string read_password_line(std::istream& in) {
    std::string line;
    if (!std::getline(in, line)) throw AdminError("no password given on stdin");
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
    if (line.empty()) throw AdminError("empty password");
    return line;
}

std::string read_new_password() {
    if (!isatty(STDIN_FILENO)) return read_password_line(std::cin);
    std::string first = prompt("New password: ");
    std::string second;
    try {
        second = prompt("Retype new password: ");
    } catch (...) {
        wipe(first);
        throw;
    }
    bool same = first == second;
    wipe(second);
    if (!same) {
        wipe(first);
        throw AdminError("passwords do not match");
    }
    return first;
}

void wipe(std::string& secret) {
    // sodium_memzero can't be optimised away, unlike a memset before the free.
    if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
    secret.clear();
}

}  // namespace hermod::admin
