#!/usr/bin/env python3
"""test_lists.py - `hermod list add|del|list|members|subscribe|unsubscribe` end to end.

Mailing lists (RFC 5321 §3.9.2) through the real binary ($HERMOD_BIN), each test in its own
temporary data folder (--data). Checks the one-line confirmations, that every error is exactly
one stderr line ("hermod: ...") with a non-zero exit, that a list address must be in a local
domain and may not be a user or an alias, and that a domain with lists cannot be deleted.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

HERMOD = os.environ.get("HERMOD_BIN", "hermod")


class ListTest(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="hermod-lists-it-")
        self.ok("domain", "add", "example.org")

    def tearDown(self):
        shutil.rmtree(self.data, ignore_errors=True)

    def run_hermod(self, *args, stdin=""):
        argv = [HERMOD, "--data", self.data] + list(args)
        env = {k: v for k, v in os.environ.items() if k not in ("HERMOD_DATA", "HERMOD_CONFIG")}
        return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60,
                              env=env)

    def ok(self, *args, stdin=""):
        r = self.run_hermod(*args, stdin=stdin)
        self.assertEqual(r.returncode, 0, f"{args}: rc={r.returncode} stderr={r.stderr!r}")
        self.assertEqual(r.stderr, "", f"{args}: unexpected stderr")
        return r.stdout

    def fails(self, args, message):
        r = self.run_hermod(*args)
        self.assertNotEqual(r.returncode, 0, f"{args} should fail; stdout={r.stdout!r}")
        self.assertEqual(r.stderr, f"hermod: {message}\n", f"{args}")
        self.assertEqual(r.stdout, "", f"{args}: nothing on stdout on error")

    def lines(self, *args):
        return self.ok(*args).splitlines()

    def test_list_lifecycle(self):
        self.assertEqual(self.ok("list", "add", "Team@Example.ORG"),
                         "added list team@example.org\n")
        self.assertEqual(self.lines("list", "members", "team@example.org"), [])
        self.assertEqual(self.ok("list", "subscribe", "team@example.org", "Bob@Remote.Example"),
                         "subscribed bob@remote.example to team@example.org\n")
        self.ok("list", "subscribe", "TEAM@example.org", "alice@example.org")
        self.assertEqual(self.lines("list", "members", "team@example.org"),
                         ["alice@example.org", "bob@remote.example"])
        self.ok("list", "add", "all@example.org")
        self.assertEqual(self.lines("list", "list"), ["all@example.org", "team@example.org"])
        self.assertEqual(self.lines("list", "list", "example.org"),
                         ["all@example.org", "team@example.org"])
        self.assertEqual(
            self.ok("list", "unsubscribe", "team@example.org", "bob@remote.example"),
            "unsubscribed bob@remote.example from team@example.org\n")
        self.assertEqual(self.lines("list", "members", "team@example.org"),
                         ["alice@example.org"])
        self.assertEqual(self.ok("list", "del", "team@example.org"),
                         "deleted list team@example.org\n")
        self.assertEqual(self.lines("list", "list"), ["all@example.org"])

    def test_list_address_rules(self):
        self.ok("user", "add", "alice@example.org", stdin="pw\n")
        self.ok("alias", "add", "sales@example.org", "alice@example.org")
        self.ok("list", "add", "team@example.org")
        self.fails(["list", "add", "team@example.org"], "list already exists: team@example.org")
        self.fails(["list", "add", "x@example.net"], "no such domain: example.net")
        self.fails(["list", "add", "not-an-address"], "invalid list address: not-an-address")
        # Accounts and aliases resolve before lists: such a list would never get mail.
        self.fails(["list", "add", "alice@example.org"], "address is a user: alice@example.org")
        self.fails(["list", "add", "sales@example.org"], "address is an alias: sales@example.org")
        # ... and the address of a list is not free for an account either.
        r = self.run_hermod("user", "add", "team@example.org", stdin="pw\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertIn("team@example.org", r.stderr)

    def test_member_errors(self):
        self.ok("list", "add", "team@example.org")
        self.ok("list", "subscribe", "team@example.org", "alice@example.org")
        self.fails(["list", "subscribe", "team@example.org", "alice@example.org"],
                   "already a member of team@example.org: alice@example.org")
        self.fails(["list", "subscribe", "team@example.org", "bad address"],
                   "invalid member address: bad address")
        self.fails(["list", "subscribe", "team@example.org", "team@example.org"],
                   "a list cannot be its own member: team@example.org")
        self.fails(["list", "subscribe", "none@example.org", "a@example.org"],
                   "no such list: none@example.org")
        self.fails(["list", "unsubscribe", "team@example.org", "bob@example.org"],
                   "not a member of team@example.org: bob@example.org")
        self.fails(["list", "members", "none@example.org"], "no such list: none@example.org")
        self.fails(["list", "del", "none@example.org"], "no such list: none@example.org")
        self.fails(["list", "list", "example.net"], "no such domain: example.net")

    def test_domain_with_lists_cannot_be_deleted(self):
        self.ok("list", "add", "team@example.org")
        r = self.run_hermod("domain", "del", "example.org")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertIn("list", r.stderr)
        self.ok("list", "del", "team@example.org")
        self.ok("domain", "del", "example.org")

    def test_subcommand_required(self):
        r = self.run_hermod("list")
        self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    unittest.main()
