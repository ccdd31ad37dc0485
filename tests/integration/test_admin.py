#!/usr/bin/env python3
"""test_admin.py - `hermod domain|user|alias ...` end to end, through the real binary.

Each test gets its own temporary data folder (--data). The binary comes from $HERMOD_BIN.
Checks exit codes, the one-line confirmations and that every error is exactly one stderr line
("hermod: ..."), and that passwords are read from stdin, never from argv.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERMOD = os.environ.get("HERMOD_BIN", "hermod")


class AdminTest(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="hermod-admin-it-")

    def tearDown(self):
        shutil.rmtree(self.data, ignore_errors=True)

    def run_hermod(self, *args, stdin=None, data_last=False):
        """Runs hermod with --data (before the subcommand, or after it with data_last)."""
        argv = [HERMOD] + (list(args) + ["--data", self.data] if data_last
                           else ["--data", self.data] + list(args))
        env = {k: v for k, v in os.environ.items() if k not in ("HERMOD_DATA", "HERMOD_CONFIG")}
        return subprocess.run(argv, input=stdin if stdin is not None else "",
                              capture_output=True, text=True, timeout=60, env=env)

    def ok(self, *args, stdin=None, data_last=False):
        r = self.run_hermod(*args, stdin=stdin, data_last=data_last)
        self.assertEqual(r.returncode, 0, f"{args}: rc={r.returncode} stderr={r.stderr!r}")
        self.assertEqual(r.stderr, "", f"{args}: unexpected stderr")
        return r.stdout

    def fails(self, args, message, stdin=None):
        """Expects a non-zero exit and exactly the one stderr line 'hermod: <message>'."""
        r = self.run_hermod(*args, stdin=stdin)
        self.assertNotEqual(r.returncode, 0, f"{args} should fail; stdout={r.stdout!r}")
        self.assertEqual(r.stderr, f"hermod: {message}\n", f"{args}")
        self.assertEqual(r.stdout, "", f"{args}: nothing on stdout on error")
        return r

    def lines(self, *args):
        return self.ok(*args).splitlines()

    # --- domains ------------------------------------------------------------------------

    def test_domain_add_list_del(self):
        self.assertEqual(self.ok("domain", "add", "Example.ORG"), "added domain example.org\n")
        self.assertEqual(self.ok("domain", "add", "b.example"), "added domain b.example\n")
        self.assertEqual(self.lines("domain", "list"), ["b.example", "example.org"])
        self.fails(["domain", "add", "example.org"], "domain already exists: example.org")
        self.fails(["domain", "add", "bad..name"], "invalid domain name: bad..name")
        self.assertEqual(self.ok("domain", "del", "b.example"), "deleted domain b.example\n")
        self.assertEqual(self.lines("domain", "list"), ["example.org"])
        self.fails(["domain", "del", "b.example"], "no such domain: b.example")

    def test_domain_del_refused_while_in_use(self):
        self.ok("domain", "add", "example.org")
        self.ok("user", "add", "alice@example.org", stdin="pw\n")
        self.fails(["domain", "del", "example.org"],
                   "domain example.org still has 1 user(s) and 0 alias(es); delete them first")

    def test_global_option_after_subcommand(self):
        # --data is a top-level option with fallthrough: it may follow the subcommand.
        self.assertEqual(self.ok("domain", "add", "example.org", data_last=True),
                         "added domain example.org\n")
        self.assertEqual(self.ok("domain", "list", data_last=True), "example.org\n")
        self.assertEqual(self.ok("user", "add", "a@example.org", stdin="x\n", data_last=True),
                         "added user a@example.org\n")

    # --- users --------------------------------------------------------------------------

    def test_user_lifecycle(self):
        self.ok("domain", "add", "example.org")
        self.assertEqual(self.ok("user", "add", "Alice@example.org", stdin="s3cret pw\n"),
                         "added user alice@example.org\n")
        self.assertEqual(self.ok("user", "add", "bob@example.org", "--quota", "10M",
                                 stdin="pw\r\n"), "added user bob@example.org\n")
        self.assertEqual(self.lines("user", "list"), ["alice@example.org", "bob@example.org"])
        self.assertEqual(self.lines("user", "list", "example.org"),
                         ["alice@example.org", "bob@example.org"])

        show = self.ok("user", "show", "bob@example.org")
        self.assertIn("address: bob@example.org\n", show)
        self.assertIn("quota:   10485760 bytes\n", show)
        self.assertIn("INBOX: 0 message(s)", show)
        self.assertIn("created: ", show)

        self.assertEqual(self.ok("user", "passwd", "alice@example.org", stdin="new pw\n"),
                         "changed password of alice@example.org\n")
        self.assertEqual(self.ok("user", "del", "alice@example.org"),
                         "deleted user alice@example.org\n")
        self.assertEqual(self.lines("user", "list"), ["bob@example.org"])
        self.fails(["user", "del", "alice@example.org"], "no such user: alice@example.org")
        self.fails(["user", "show", "alice@example.org"], "no such user: alice@example.org")
        self.fails(["user", "passwd", "alice@example.org"], "no such user: alice@example.org",
                   stdin="x\n")

    def test_user_errors(self):
        self.ok("domain", "add", "example.org")
        self.ok("user", "add", "alice@example.org", stdin="pw\n")
        self.fails(["user", "add", "alice@example.org"], "user already exists: alice@example.org",
                   stdin="pw\n")
        self.fails(["user", "add", "bob@example.net"], "no such domain: example.net",
                   stdin="pw\n")
        self.fails(["user", "add", "not-an-address"], "invalid address: not-an-address",
                   stdin="pw\n")
        self.fails(["user", "add", "a b@example.org"], "invalid address: a b@example.org",
                   stdin="pw\n")
        self.fails(["user", "add", "bob@example.org"], "empty password", stdin="\n")
        self.fails(["user", "add", "bob@example.org"], "no password given on stdin", stdin="")
        self.fails(["user", "add", "bob@example.org", "--quota", "lots"], "invalid quota: lots",
                   stdin="pw\n")
        self.fails(["user", "list", "example.net"], "no such domain: example.net")
        self.fails(["user", "passwd", "alice@example.org"], "empty password", stdin="\r\n")
        self.assertEqual(self.lines("user", "list"), ["alice@example.org"])

    def test_password_not_taken_from_argv(self):
        self.ok("domain", "add", "example.org")
        r = self.run_hermod("user", "add", "alice@example.org", "hunter2", stdin="pw\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(self.lines("user", "list"), [])

    # --- aliases ------------------------------------------------------------------------

    def test_alias_add_list_del(self):
        self.ok("domain", "add", "example.org")
        self.assertEqual(self.ok("alias", "add", "Postmaster@example.org", "alice@example.org"),
                         "added alias postmaster@example.org -> alice@example.org\n")
        self.ok("alias", "add", "postmaster@example.org", "ops@remote.net")
        self.assertEqual(self.ok("alias", "add", "@example.org", "catch@remote.net"),
                         "added alias @example.org -> catch@remote.net\n")
        self.assertEqual(self.lines("alias", "list"), [
            "@example.org catch@remote.net",
            "postmaster@example.org alice@example.org",
            "postmaster@example.org ops@remote.net",
        ])
        self.assertEqual(self.lines("alias", "list", "@example.org"),
                         ["@example.org catch@remote.net"])
        self.fails(["alias", "add", "postmaster@example.org", "ops@remote.net"],
                   "alias already exists: postmaster@example.org ops@remote.net")
        self.assertEqual(self.ok("alias", "del", "postmaster@example.org", "ops@remote.net"),
                         "deleted alias postmaster@example.org -> ops@remote.net\n")
        self.fails(["alias", "del", "postmaster@example.org", "ops@remote.net"],
                   "no such alias: postmaster@example.org ops@remote.net")
        self.assertEqual(self.ok("alias", "del", "@example.org"),
                         "deleted 1 alias(es) of @example.org\n")
        self.assertEqual(self.lines("alias", "list"),
                         ["postmaster@example.org alice@example.org"])

    def test_alias_errors(self):
        self.ok("domain", "add", "example.org")
        self.fails(["alias", "add", "x@other.org", "a@example.org"], "no such domain: other.org")
        self.fails(["alias", "add", "@other.org", "a@example.org"], "no such domain: other.org")
        self.fails(["alias", "add", "x@example.org", "junk"], "invalid alias target: junk")
        self.fails(["alias", "add", "bad source", "a@example.org"],
                   "invalid alias source: bad source")
        self.fails(["alias", "del", "nobody@example.org"], "no such alias: nobody@example.org")
        self.assertEqual(self.lines("alias", "list"), [])


if __name__ == "__main__":
    if shutil.which(HERMOD) is None and not os.path.exists(HERMOD):
        sys.exit(f"HERMOD_BIN not found: {HERMOD}")
    unittest.main(verbosity=2)
