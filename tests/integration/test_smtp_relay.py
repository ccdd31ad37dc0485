"""No open relay (RFC 5321 §3.6, §7.1; RFC 6409 §4.3, RFC 4954 §4): every classic trick to make
`hermod serve` forward mail to a domain that is not local is refused at RCPT time with the exact
reply, nothing is delivered to a local mailbox and nothing enters the outbound queue. Only an
authenticated submission client may send to a remote domain.

The tricks: a plain remote address, the percent hack, bang paths, source routes (with and
without brackets), quoted local parts hiding '@' or '%', IPv4/IPv6 address literals, trailing dots,
upper/mixed case, sub-domains and look-alike domains of a local domain, the null sender, a
local-looking sender, MAIL AUTH= without AUTH, and the submission port without AUTH.
"""

import os
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

LOCAL = "example.org"
PASSWORD = "pw-" + uuid.uuid4().hex
ALLOWED_REMOTE = "friend@remote.test"  # the one remote recipient the authenticated test may use

DENIED = (554, "5.7.1")        # relay access denied
BAD_ADDRESS = (550, "5.1.3")   # address form refused by policy (relay tricks)
RCPT_SYNTAX = (501, "5.1.3")   # forward-path does not parse

# (name, MAIL FROM argument, RCPT TO argument, the exact RCPT reply). Where RFC 5321 leaves a
# choice (a source route may be stripped, then the remote domain refused) Hermod refuses the
# form itself before any lookup: every relay trick gets 550 5.1.3, a plain remote domain 554 5.7.1.
ATTEMPTS = [
    ("plain remote", "<sender@remote.test>", "<user@remote.test>", DENIED),
    ("remote postmaster", "<sender@remote.test>", "<postmaster@remote.test>", DENIED),
    ("percent hack", "<sender@remote.test>", f"<user%remote.test@{LOCAL}>", BAD_ADDRESS),
    ("double percent hack", "<sender@remote.test>", f"<user%remote.test%{LOCAL}@{LOCAL}>",
     BAD_ADDRESS),
    ("bang path", "<sender@remote.test>", f"<remote.test!user@{LOCAL}>", BAD_ADDRESS),
    ("source route", "<sender@remote.test>", f"<@{LOCAL}:user@remote.test>",
     BAD_ADDRESS),
    ("two-hop source route", "<sender@remote.test>", f"<@{LOCAL},@localhost:user@remote.test>",
     BAD_ADDRESS),
    ("source route without brackets", "<sender@remote.test>", f"@{LOCAL}:user@remote.test",
     RCPT_SYNTAX),
    ("quoted local part with @", "<sender@remote.test>", f'<"user@remote.test"@{LOCAL}>',
     BAD_ADDRESS),
    ("quoted local part with %", "<sender@remote.test>", f'<"user%remote.test"@{LOCAL}>',
     BAD_ADDRESS),
    ("quoted bang path", "<sender@remote.test>", f'<"remote.test!user"@{LOCAL}>', BAD_ADDRESS),
    ("IPv4 literal", "<sender@remote.test>", "<user@[127.0.0.1]>", BAD_ADDRESS),
    ("IPv6 literal", "<sender@remote.test>", "<user@[IPv6:::1]>", BAD_ADDRESS),
    ("general address literal", "<sender@remote.test>", "<user@[x-tag:remote.test]>",
     BAD_ADDRESS),
    ("trailing dot on a local domain", "<sender@remote.test>", f"<user%remote.test@{LOCAL}.>",
     BAD_ADDRESS),
    ("percent hack to a literal", "<sender@remote.test>", "<user%remote.test@[127.0.0.1]>",
     BAD_ADDRESS),
    ("trailing dot remote", "<sender@remote.test>", "<user@remote.test.>", BAD_ADDRESS),
    ("upper-case remote", "<sender@remote.test>", "<USER@REMOTE.TEST>", DENIED),
    ("mixed-case remote", "<sender@remote.test>", "<User@Remote.Test>", DENIED),
    ("sub-domain of a local domain", "<sender@remote.test>", f"<user@sub.{LOCAL}>", DENIED),
    ("local domain as a prefix", "<sender@remote.test>", f"<user@{LOCAL}.remote.test>", DENIED),
    ("null sender", "<>", "<user@remote.test>", DENIED),
    ("local sender without AUTH", f"<user@{LOCAL}>", "<user@remote.test>", DENIED),
    ("MAIL AUTH= without AUTH", f"<user@{LOCAL}> AUTH=user@{LOCAL}", "<user@remote.test>",
     DENIED),
    ("RCPT without brackets", "<sender@remote.test>", "user@remote.test",
     RCPT_SYNTAX),
    ("two @ signs", "<sender@remote.test>", f"<user@remote.test@{LOCAL}>",
     RCPT_SYNTAX),
    ("space after colon", "<sender@remote.test>", " <user@remote.test>", DENIED),
]


class RelayTest(h.MailServerTest):
    DOMAIN = LOCAL
    # Accounts whose names appear in the tricks, so "user" is a real local mailbox that must not
    # receive the mail either.
    USERS = {name: PASSWORD for name in ("user", "sender", "alice")}

    def assert_nothing_delivered_or_queued(self, context):
        for name in ("user", "sender"):
            self.assertEqual(h.export(self.data, f"{name}@{LOCAL}"), [],
                             f"{context}: {name}@{LOCAL} must not receive anything")
        queued = [r for r in h.queued_recipients(self.data) if r.lower() != ALLOWED_REMOTE]
        self.assertEqual(queued, [], f"{context}: nothing may be queued")

    def refuse_data(self, c, context, expected=(503, "5.5.1")):
        """After a refused RCPT, DATA must not open the message (RFC 5321 §3.3)."""
        code, text = c.cmd("DATA")
        if code == 354:  # finish the message so the connection does not hang, then fail
            c.send("Subject: relayed\r\n\r\nrelayed\r\n.\r\n")
            self.fail(f"{context}: DATA accepted after a refused RCPT: {c.reply()}")
        self.assertEqual((code, text[:5]), expected, f"{context}: DATA -> {code} {text}")

    def test_relay_attempts_on_the_smtp_port_are_refused(self):
        self.assertGreaterEqual(len(ATTEMPTS), 15)
        for name, mail_from, rcpt, expected in ATTEMPTS:
            with self.subTest(name), h.SmtpConn(self.port("smtp")) as c:
                c.ehlo(LOCAL)  # claiming to be the local domain grants nothing
                code, text = c.cmd(f"MAIL FROM:{mail_from}")
                self.assertEqual(code, 250, f"{name}: MAIL {mail_from} -> {code} {text}")
                code, text = c.cmd(f"RCPT TO:{rcpt}")
                self.assertEqual((code, text[:5]), expected,
                                 f"{name}: RCPT {rcpt} -> {code} {text}")
                self.refuse_data(c, name)
                self.assertEqual(c.cmd("RSET")[0], 250, f"{name}: session still usable")
        self.assert_nothing_delivered_or_queued("smtp port")

    def test_local_recipient_after_a_refused_one_still_works(self):
        # The refusals above are per recipient, not per session.
        with h.SmtpConn(self.port("smtp")) as c:
            c.ehlo()
            self.assertEqual(c.cmd("MAIL FROM:<sender@remote.test>")[0], 250)
            self.assertEqual(c.cmd("RCPT TO:<user@remote.test>")[:1], (554,))
            self.assertEqual(c.cmd(f"RCPT TO:<alice@{LOCAL}>")[0], 250)
            mark = uuid.uuid4().hex
            self.assertEqual(c.cmd("DATA")[0], 354)
            c.send(f"Subject: {mark}\r\n\r\nlocal only\r\n.\r\n")
            self.assertEqual(c.reply()[0], 250)
        got = [m for m in h.export(self.data, f"alice@{LOCAL}") if mark.encode() in m]
        self.assertEqual(len(got), 1)
        self.assert_nothing_delivered_or_queued("mixed recipients")

    def test_unauthenticated_submission_is_refused_530(self):
        for rcpt in ("<user@remote.test>", f"<user@{LOCAL}>"):
            with self.subTest(rcpt), h.SmtpConn(self.port("submission")) as c:
                c.ehlo()
                code, text = c.cmd(f"MAIL FROM:<user@{LOCAL}>")
                self.assertEqual((code, text[:5]), (530, "5.7.0"),
                                 f"RFC 4954 §6: AUTH required before MAIL: {code} {text}")
                code, text = c.cmd(f"RCPT TO:{rcpt}")
                self.assertEqual((code, text[:5]), (530, "5.7.0"), f"RCPT without AUTH: {text}")
                self.refuse_data(c, "submission without AUTH", expected=(530, "5.7.0"))
        self.assert_nothing_delivered_or_queued("submission without AUTH")

    def test_failed_auth_grants_nothing(self):
        with h.SmtpConn(self.port("submission")) as c:
            c.ehlo()
            import base64
            bad = base64.b64encode(f"\0user@{LOCAL}\0wrong".encode()).decode()
            code, text = c.cmd(f"AUTH PLAIN {bad}")
            self.assertEqual((code, text[:5]), (535, "5.7.8"), text)
            code, text = c.cmd(f"MAIL FROM:<user@{LOCAL}>")
            self.assertEqual((code, text[:5]), (530, "5.7.0"), text)
        self.assert_nothing_delivered_or_queued("failed AUTH")

    def test_authenticated_submission_may_send_to_a_remote_domain(self):
        import base64
        with h.SmtpConn(self.port("submission")) as c:
            exts, text = c.ehlo()
            self.assertIn("AUTH", exts, f"AUTH offered on loopback: {text}")
            plain = base64.b64encode(f"\0alice@{LOCAL}\0{PASSWORD}".encode()).decode()
            code, text = c.cmd(f"AUTH PLAIN {plain}")
            self.assertEqual(code, 235, text)
            self.assertEqual(c.cmd(f"MAIL FROM:<alice@{LOCAL}>")[0], 250)
            code, text = c.cmd(f"RCPT TO:<{ALLOWED_REMOTE}>")
            self.assertEqual((code, text[:5]), (250, "2.1.5"), text)
            self.assertEqual(c.cmd("DATA")[0], 354)
            mark = uuid.uuid4().hex
            c.send(f"From: alice@{LOCAL}\r\nTo: {ALLOWED_REMOTE}\r\nSubject: {mark}\r\n\r\n"
                   "to the queue\r\n.\r\n")
            code, text = c.reply()
            self.assertEqual((code, text[:5]), (250, "2.0.0"), text)
        # Accepted means durable in the outbound queue; a queue runner may already have tried
        # it (remote.test never resolves) and bounced it back to alice.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if ALLOWED_REMOTE in h.queued_recipients(self.data):
                return
            if any(ALLOWED_REMOTE.encode() in m for m in h.export(self.data, f"alice@{LOCAL}")):
                return
            time.sleep(0.2)
        self.fail("the accepted remote message is neither queued nor bounced")


if __name__ == "__main__":
    unittest.main(verbosity=2)
