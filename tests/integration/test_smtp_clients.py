"""SMTP with real clients (Python smtplib, raw sockets, swaks) against `hermod serve`.

Every accepted message is read back with `hermod export --crlf` and compared octet for octet:
the server may only add trace and submission headers in front (Return-Path, Received; Message-ID
and Date on submission when missing), never change what the client sent.
RFCs: 5321 (SMTP), 6152 (8BITMIME), 6531 (SMTPUTF8), 2920 (PIPELINING), 3030 (CHUNKING/BDAT),
3207 (STARTTLS), 4954 (AUTH), 8314 (implicit TLS), 6409 (submission), 3848 (ESMTPS/ESMTPSA).
"""

import os
import shutil
import smtplib
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

DOMAIN = "example.org"
USERS = {name: f"pw-{name}-{uuid.uuid4().hex[:12]}" for name in ("alice", "bob", "carol")}
UTF8_USER = "jörg"


def addr(name):
    return f"{name}@{DOMAIN}"


def marker():
    return "m" + uuid.uuid4().hex


def message(mark, body=b"Hello.\r\n", sender="sender@remote.test", to="alice@example.org",
            extra=b"", message_id=True, date=True):
    """A complete RFC 5322 message (bytes, CRLF) whose Subject carries the unique marker."""
    head = f"From: <{sender}>\r\nTo: <{to}>\r\nSubject: {mark}\r\n".encode()
    if message_id:
        head += f"Message-ID: <{mark}@remote.test>\r\n".encode()
    if date:
        head += b"Date: Mon, 23 Nov 2026 11:00:00 +0000\r\n"
    return head + extra + b"\r\n" + body


class SmtpClientsTest(h.MailServerTest):
    DOMAIN = DOMAIN
    USERS = USERS

    @classmethod
    def prepare(cls):
        # A UTF-8 local part (RFC 6531) only if the account layer accepts one.
        out = h.run(["user", "add", addr(UTF8_USER)], cls.data, stdin="pw-utf8\n")
        cls.utf8_user = out.returncode == 0
        cls.utf8_refusal = out.stderr.strip()
        cls.ctx = h.tls_context(cls.data)

    def delivered(self, rcpt, mark):
        """The stored copies in rcpt's INBOX that carry `mark`."""
        return [m for m in h.export(self.data, rcpt) if mark.encode() in m]

    def assert_one_copy(self, rcpt, mark):
        copies = self.delivered(rcpt, mark)
        self.assertEqual(len(copies), 1, f"{rcpt} should hold exactly one copy of {mark}")
        return copies[0]

    def assert_stored_exactly(self, stored, sent, sender):
        """`stored` is `sent` with only header lines in front, the first being Return-Path."""
        self.assertTrue(stored.endswith(sent),
                        f"the message sent must be stored unchanged after the added headers;\n"
                        f"stored={stored[:600]!r}")
        prefix = stored[:len(stored) - len(sent)]
        self.assertTrue(prefix.startswith(f"Return-Path: <{sender}>\r\n".encode()),
                        f"Return-Path first (RFC 5321 §4.4): {prefix[:200]!r}")
        for line in prefix.split(b"\r\n")[:-1]:
            self.assertRegex(line, rb"^([!-9;-~]+:|[ \t])",
                             f"added lines must be headers: {prefix!r}")
        self.assertTrue(h.headers(prefix, "Received"),
                        f"a Received header is added: {prefix!r}")
        return prefix

    def smtp(self):
        s = smtplib.SMTP("127.0.0.1", self.port("smtp"), local_hostname="client.test", timeout=20)
        s.ehlo()
        return s

    def submission(self, user="alice", mechanism="PLAIN", starttls=True):
        s = smtplib.SMTP("localhost", self.port("submission"), local_hostname="client.test",
                         timeout=20)
        s.ehlo()
        if starttls:
            self.assertTrue(s.has_extn("starttls"), "submission offers STARTTLS (RFC 3207)")
            s.starttls(context=self.ctx)
            s.ehlo()
        self.assertIn(mechanism, s.esmtp_features.get("auth", "").upper().split())
        s.user, s.password = addr(user), USERS[user]
        auth = s.auth_plain if mechanism == "PLAIN" else s.auth_login
        code, _ = s.auth(mechanism, auth, initial_response_ok=(mechanism == "PLAIN"))
        self.assertEqual(code, 235)
        return s

    # --- smtp port: plain, 8BITMIME, SMTPUTF8 ---------------------------------------------

    def test_plain_send_is_stored_byte_exact_with_trace_headers(self):
        mark = marker()
        # Lines starting with "." exercise dot-stuffing (smtplib stuffs, the server unstuffs).
        sent = message(mark, body=b"Hello Alice.\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n")
        with self.smtp() as s:
            refused = s.sendmail("sender@remote.test", [addr("alice")], sent)
            self.assertEqual(refused, {})
        stored = self.assert_one_copy(addr("alice"), mark)
        prefix = self.assert_stored_exactly(stored, sent, "sender@remote.test")
        received = h.headers(prefix, "Received")[0]
        self.assertRegex(received, r"^from client\.test \(\[127\.0\.0\.1\]\)", received)
        self.assertRegex(received, r"\bwith ESMTP\b", "RFC 3848 protocol name for plain EHLO")
        self.assertNotIn("using TLS", received, "no TLS was used")

    def test_8bitmime_body_is_byte_exact(self):
        with self.smtp() as s:
            self.assertTrue(s.has_extn("8bitmime"), "EHLO advertises 8BITMIME (RFC 6152)")
            mark = marker()
            octets = bytes(b for b in range(0x80, 0x100))
            body = b"".join(octets[i:i + 32] + b"\r\n" for i in range(0, 128, 32))
            body += "Grüße, naïve café — ✉\r\n".encode()
            sent = message(mark, body=body,
                           extra=b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8"
                                 b"\r\nContent-Transfer-Encoding: 8bit\r\n")
            self.assertEqual(s.sendmail("sender@remote.test", [addr("bob")], sent,
                                        mail_options=["BODY=8BITMIME"]), {})
        self.assert_stored_exactly(self.assert_one_copy(addr("bob"), mark), sent,
                                   "sender@remote.test")

    def test_smtputf8_header_and_body(self):
        with self.smtp() as s:
            self.assertTrue(s.has_extn("smtputf8"), "EHLO advertises SMTPUTF8 (RFC 6531)")
            mark = marker()
            sent = (f"From: Jörg <jörg@bücher.test>\r\nTo: alice@example.org\r\n"
                    f"Subject: {mark} Grüße ✉\r\nMessage-ID: <{mark}@bücher.test>\r\n"
                    f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    f"Schöne Grüße aus Köln — ✉\r\n").encode()
            self.assertEqual(s.sendmail("jörg@bücher.test", [addr("alice")], sent,
                                        mail_options=["SMTPUTF8", "BODY=8BITMIME"]), {})
        self.assert_stored_exactly(self.assert_one_copy(addr("alice"), mark), sent,
                                   "jörg@bücher.test")

    def test_utf8_address_without_smtputf8_is_refused(self):
        with h.SmtpConn(self.port("smtp")) as c:
            c.ehlo()
            code, text = c.cmd("MAIL FROM:<jörg@bücher.test>")
            self.assertEqual((code, text[:5]), (553, "5.6.7"), f"RFC 6531 §3.6.3: {text}")
            self.assertEqual(c.cmd("NOOP")[0], 250)

    def test_utf8_local_part_recipient(self):
        if not self.utf8_user:
            self.skipTest(f"account layer refuses UTF-8 local parts: {self.utf8_refusal}")
        mark = marker()
        sent = message(mark, to=addr(UTF8_USER))
        with self.smtp() as s:
            self.assertEqual(s.sendmail("sender@remote.test", [addr(UTF8_USER)], sent,
                                        mail_options=["SMTPUTF8"]), {})
        self.assert_stored_exactly(self.assert_one_copy(addr(UTF8_USER), mark), sent,
                                   "sender@remote.test")

    # --- recipients -------------------------------------------------------------------------

    def test_unknown_recipient_is_550_5_1_1(self):
        with h.SmtpConn(self.port("smtp")) as c:
            c.ehlo()
            self.assertEqual(c.cmd("MAIL FROM:<sender@remote.test>")[0], 250)
            code, text = c.cmd(f"RCPT TO:<nobody-{uuid.uuid4().hex[:8]}@{DOMAIN}>")
            self.assertEqual((code, text[:5]), (550, "5.1.1"), text)
            self.assertEqual(c.cmd("RSET")[0], 250)

    def test_multiple_recipients_get_one_copy_each(self):
        mark = marker()
        sent = message(mark, to="alice@example.org, bob@example.org, carol@example.org")
        with self.smtp() as s:
            self.assertEqual(s.sendmail("sender@remote.test",
                                        [addr("alice"), addr("bob"), addr("carol")], sent), {})
        for name in ("alice", "bob", "carol"):
            self.assert_stored_exactly(self.assert_one_copy(addr(name), mark), sent,
                                       "sender@remote.test")

    # --- PIPELINING and CHUNKING over a raw socket ----------------------------------------

    def test_pipelined_transaction(self):
        mark = marker()
        sent = message(mark)
        with h.SmtpConn(self.port("smtp")) as c:
            exts, _ = c.ehlo()
            self.assertIn("PIPELINING", exts, "RFC 2920")
            # One write for the whole envelope; DATA ends the group (RFC 2920 §3.1).
            c.send("MAIL FROM:<sender@remote.test>\r\nRCPT TO:<alice@example.org>\r\n"
                   f"RCPT TO:<nobody-{mark}@example.org>\r\nRCPT TO:<carol@example.org>\r\n"
                   "DATA\r\n")
            codes = [c.reply()[0] for _ in range(5)]
            self.assertEqual(codes, [250, 250, 550, 250, 354], "one reply per command, in order")
            # The message, the end of data, and the next commands in one write.
            c.send(sent + b".\r\nNOOP\r\nQUIT\r\n")
            self.assertEqual([c.reply()[0] for _ in range(3)], [250, 250, 221])
        for name in ("alice", "carol"):
            self.assert_stored_exactly(self.assert_one_copy(addr(name), mark), sent,
                                       "sender@remote.test")

    def test_bdat_chunks(self):
        mark = marker()
        # No dot-stuffing in BDAT (RFC 3030 §2): lines starting with "." arrive as they are.
        sent = message(mark, body=b".not stuffed\r\n..neither\r\n.\r\nlast line\r\n")
        cut1, cut2 = 17, len(sent) - 9  # chunk boundaries inside lines
        with h.SmtpConn(self.port("smtp")) as c:
            exts, _ = c.ehlo()
            self.assertIn("CHUNKING", exts, "RFC 3030")
            self.assertEqual(c.cmd("MAIL FROM:<sender@remote.test>")[0], 250)
            self.assertEqual(c.cmd("RCPT TO:<bob@example.org>")[0], 250)
            for chunk in (sent[:cut1], sent[cut1:cut2], sent[cut2:]):
                c.send(f"BDAT {len(chunk)}\r\n".encode() + chunk)
                code, text = c.reply()
                self.assertEqual((code, text[:5]), (250, "2.0.0"), text)
            code, text = c.cmd("BDAT 0 LAST")
            self.assertEqual(code, 250, text)
            self.assertEqual(c.cmd("NOOP")[0], 250)
        self.assert_stored_exactly(self.assert_one_copy(addr("bob"), mark), sent,
                                   "sender@remote.test")

    def test_whole_bdat_transaction_in_one_write(self):
        mark = marker()
        sent = message(mark)
        with h.SmtpConn(self.port("smtp")) as c:
            c.ehlo()
            c.send(b"MAIL FROM:<sender@remote.test>\r\nRCPT TO:<carol@example.org>\r\n"
                   + f"BDAT {len(sent)} LAST\r\n".encode() + sent + b"QUIT\r\n")
            self.assertEqual([c.reply()[0] for _ in range(4)], [250, 250, 250, 221])
        self.assert_stored_exactly(self.assert_one_copy(addr("carol"), mark), sent,
                                   "sender@remote.test")

    # --- LMTP (RFC 2033) ---------------------------------------------------------------------

    def test_lmtp_replies_once_per_recipient(self):
        mark = marker()
        sent = message(mark)
        with h.SmtpConn(self.port("lmtp")) as c:
            code, text = c.cmd("LHLO client.test")
            self.assertEqual(code, 250, text)
            self.assertEqual(c.cmd("MAIL FROM:<sender@remote.test>")[0], 250)
            self.assertEqual(c.cmd(f"RCPT TO:<{addr('alice')}>")[0], 250)
            self.assertEqual(c.cmd(f"RCPT TO:<{addr('bob')}>")[0], 250)
            self.assertEqual(c.cmd(f"RCPT TO:<user@remote.test>")[:1], (554,), "LMTP never relays")
            self.assertEqual(c.cmd("DATA")[0], 354)
            c.send(sent + b".\r\n")
            # RFC 2033 §4.2: one reply per accepted recipient, in RCPT order.
            replies = [c.reply() for _ in range(2)]
            self.assertEqual([r[0] for r in replies], [250, 250], replies)
            self.assertEqual(c.cmd("NOOP")[0], 250, "no extra reply was sent")
        for name in ("alice", "bob"):
            prefix = self.assert_stored_exactly(self.assert_one_copy(addr(name), mark), sent,
                                                "sender@remote.test")
            self.assertIn("LMTP", h.headers(prefix, "Received")[0])

    def test_swaks_lmtp_over_the_unix_socket(self):
        sock = self.data / "lmtp.sock"
        if not sock.exists():
            self.skipTest("no LMTP socket in the data folder")
        mark = marker()
        self.swaks("--socket", str(sock), "--protocol", "LMTP", "--from", "sender@remote.test",
                   "--to", addr("carol"), "--header", f"Subject: {mark}", "--body", f"body {mark}")
        self.swaks_delivered(addr("carol"), mark, "sender@remote.test")

    def test_starttls_discards_plaintext_sent_with_it(self):
        # CVE-2011-0411: commands pipelined behind STARTTLS in clear text must not be executed
        # inside the TLS session (RFC 3207 §4.2 STARTTLS ends a pipelined group).
        with h.SmtpConn(self.port("submission")) as c:
            c.ehlo()
            c.send("STARTTLS\r\nRSET\r\n")
            code, text = c.reply()
            self.assertEqual(code, 220, text)
            c.sock = self.ctx.wrap_socket(c.sock, server_hostname="localhost")
            c.buf = b""
            code, text = c.cmd("NOOP")
            self.assertEqual((code, text[:5]), (250, "2.0.0"), "the first reply in TLS is NOOP's")
            code, text = c.cmd("EHLO client.test")
            self.assertEqual(code, 250, text)
            self.assertNotIn("STARTTLS", text.split("\n"), "no STARTTLS inside TLS")

    # --- submission: STARTTLS, AUTH, implicit TLS ------------------------------------------

    def check_tls_submission(self, s, sender, rcpt):
        mark = marker()
        sent = message(mark, sender=sender, to=rcpt)
        self.assertEqual(s.sendmail(sender, [rcpt], sent), {})
        stored = self.assert_one_copy(rcpt, mark)
        prefix = self.assert_stored_exactly(stored, sent, sender)
        received = h.headers(prefix, "Received")[0]
        self.assertRegex(received, r"\(using TLSv1\.[23] with cipher \S+\)",
                         f"Received names the TLS version and cipher: {received}")
        self.assertRegex(received, r"\bwith ESMTPSA\b",
                         f"RFC 3848: ESMTP + TLS + AUTH is ESMTPSA: {received}")

    def test_starttls_then_auth_plain(self):
        with self.submission("alice", "PLAIN") as s:
            self.check_tls_submission(s, addr("alice"), addr("bob"))

    def test_starttls_then_auth_login(self):
        with self.submission("bob", "LOGIN") as s:
            self.check_tls_submission(s, addr("bob"), addr("carol"))

    def test_auth_plain_on_loopback_without_tls(self):
        # plaintext_auth_on_loopback (default on): local tools may log in without TLS.
        with self.submission("carol", "PLAIN", starttls=False) as s:
            mark = marker()
            sent = message(mark, sender=addr("carol"), to=addr("alice"))
            self.assertEqual(s.sendmail(addr("carol"), [addr("alice")], sent), {})
        prefix = self.assert_stored_exactly(self.assert_one_copy(addr("alice"), mark), sent,
                                            addr("carol"))
        self.assertRegex(h.headers(prefix, "Received")[0], r"\bwith ESMTPA\b", "AUTH, no TLS")

    def test_submissions_implicit_tls_with_auth(self):
        with smtplib.SMTP_SSL("localhost", self.port("submissions"), local_hostname="client.test",
                              context=self.ctx, timeout=20) as s:
            s.ehlo()
            self.assertNotIn("starttls", s.esmtp_features, "no STARTTLS inside TLS")
            s.login(addr("alice"), USERS["alice"])
            self.check_tls_submission(s, addr("alice"), addr("carol"))

    def test_wrong_password_is_535(self):
        with smtplib.SMTP("localhost", self.port("submission"), timeout=20) as s:
            s.starttls(context=self.ctx)
            s.ehlo()
            with self.assertRaises(smtplib.SMTPAuthenticationError) as ctx:
                s.login(addr("alice"), "wrong password")
            self.assertEqual(ctx.exception.smtp_code, 535)
            self.assertTrue(ctx.exception.smtp_error.startswith(b"5.7.8"))

    def test_submission_refuses_foreign_sender_553_5_7_1(self):
        with self.submission("alice", "PLAIN") as s:
            with self.assertRaises(smtplib.SMTPSenderRefused) as ctx:
                s.sendmail(addr("bob"), [addr("carol")], message(marker(), sender=addr("bob")))
            self.assertEqual(ctx.exception.smtp_code, 553)
            self.assertTrue(ctx.exception.smtp_error.startswith(b"5.7.1"),
                            ctx.exception.smtp_error)
            # The null sender is not the user's either (RFC 6409 §6.1).
            s.rset()
            code, text = s.mail("<>")
            self.assertEqual((code, text[:5]), (553, b"5.7.1"), text)

    def test_submission_adds_message_id_and_date_when_missing(self):
        mark = marker()
        sent = message(mark, sender=addr("alice"), to=addr("bob"), message_id=False, date=False)
        with self.submission("alice", "PLAIN") as s:
            self.assertEqual(s.sendmail(addr("alice"), [addr("bob")], sent), {})
        stored = self.assert_one_copy(addr("bob"), mark)
        ids = h.headers(stored, "Message-ID")
        self.assertEqual(len(ids), 1, f"exactly one Message-ID (RFC 6409 §8.3): {stored[:800]!r}")
        self.assertRegex(ids[0], r"^<[^<>@\s]+@[^<>@\s]+>$")
        dates = h.headers(stored, "Date")
        self.assertEqual(len(dates), 1, f"exactly one Date (RFC 6409 §8.2): {stored[:800]!r}")
        self.assertRegex(dates[0], r"\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}")
        self.assertTrue(stored.endswith(sent[sent.index(b"\r\n\r\n"):]), "body unchanged")

    def test_submission_keeps_existing_message_id_and_date(self):
        mark = marker()
        sent = message(mark, sender=addr("alice"), to=addr("carol"))
        with self.submission("alice", "PLAIN") as s:
            self.assertEqual(s.sendmail(addr("alice"), [addr("carol")], sent), {})
        stored = self.assert_one_copy(addr("carol"), mark)
        self.assertEqual(h.headers(stored, "Message-ID"), [f"<{mark}@remote.test>"])
        self.assertEqual(len(h.headers(stored, "Date")), 1)

    # --- swaks ------------------------------------------------------------------------------

    def swaks(self, *args):
        if not shutil.which("swaks"):
            self.skipTest("swaks is not installed (scripts/install-deps installs it)")
        out = subprocess.run(["swaks", "--helo", "client.test", "--timeout", "20", *args],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, f"swaks {' '.join(args)}:\n{out.stdout}{out.stderr}")
        return out.stdout

    def swaks_delivered(self, rcpt, mark, sender):
        stored = self.assert_one_copy(rcpt, mark)
        self.assertTrue(stored.startswith(f"Return-Path: <{sender}>\r\n".encode()), stored[:200])
        self.assertIn(f"body {mark}".encode(), stored)
        return stored

    def test_swaks_plain(self):
        mark = marker()
        self.swaks("--server", "127.0.0.1", "--port", str(self.port("smtp")),
                   "--from", "sender@remote.test", "--to", addr("alice"),
                   "--header", f"Subject: {mark}", "--body", f"body {mark}")
        self.swaks_delivered(addr("alice"), mark, "sender@remote.test")

    def test_swaks_tls_auth_plain_and_login(self):
        for mech in ("PLAIN", "LOGIN"):
            with self.subTest(mech=mech):
                mark = marker()
                out = self.swaks("--server", "localhost", "--port", str(self.port("submission")),
                                 "--tls", "--tls-verify", "--tls-ca-path",
                                 str(self.data / "tls" / "cert.pem"),
                                 "--auth", mech, "--auth-user", addr("bob"),
                                 "--auth-password", USERS["bob"],
                                 "--from", addr("bob"), "--to", addr("alice"),
                                 "--header", f"Subject: {mark}", "--body", f"body {mark}")
                self.assertIn("STARTTLS", out)
                self.assertRegex(out, r"<~ +235 2\.7\.0 ")
                stored = self.swaks_delivered(addr("alice"), mark, addr("bob"))
                self.assertRegex(h.headers(stored, "Received")[0], r"using TLSv1\.[23] .* ESMTPSA")

    def test_swaks_implicit_tls(self):
        mark = marker()
        out = self.swaks("--server", "localhost", "--port", str(self.port("submissions")),
                         "--tlsc", "--tls-verify", "--tls-ca-path",
                         str(self.data / "tls" / "cert.pem"), "--auth", "LOGIN",
                         "--auth-user", addr("carol"), "--auth-password", USERS["carol"],
                         "--from", addr("carol"), "--to", addr("bob"),
                         "--header", f"Subject: {mark}", "--body", f"body {mark}")
        self.assertRegex(out, r"<~ +235 2\.7\.0 ")
        stored = self.swaks_delivered(addr("bob"), mark, addr("carol"))
        self.assertRegex(h.headers(stored, "Received")[0], r"ESMTPSA")

    def test_swaks_pipeline(self):
        mark = marker()
        out = self.swaks("--server", "127.0.0.1", "--port", str(self.port("smtp")), "--pipeline",
                         "--from", "sender@remote.test", "--to", f"{addr('bob')},{addr('carol')}",
                         "--header", f"Subject: {mark}", "--body", f"body {mark}")
        self.assertNotIn("does not support pipelining", out)
        for name in ("bob", "carol"):
            self.swaks_delivered(addr(name), mark, "sender@remote.test")


if __name__ == "__main__":
    unittest.main(verbosity=2)
