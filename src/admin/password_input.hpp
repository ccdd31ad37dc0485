// password_input.hpp - reading a new password for `hermod user add|passwd`.
//
// Security: passwords never come from argv (visible in ps and shell history). From a terminal
// they are typed twice with echo off; otherwise (scripts, pipes) one line is read from stdin.
// Call wipe() on the result once it has been hashed.
#pragma once

#include <istream>
#include <string>

namespace hermod::admin {

/// One password line from `in`: the line without its trailing CR/LF. Throws AdminError when
/// there is no line or it is empty.
std::string read_password_line(std::istream& in);

/// The new password: from stdin when it is not a terminal (read_password_line), else prompted
/// twice on the terminal without echo. Throws AdminError on empty input or a mismatch.
std::string read_new_password();

/// Overwrites the string's bytes (so the clear-text password doesn't linger on the heap).
void wipe(std::string& secret);

}  // namespace hermod::admin
