"""SMTP limits of `hermod serve` with the default configuration, each refused with its exact
reply while the session stays usable:
- message size (RFC 1870): SIZE advertised; SIZE= over the limit refused at MAIL with 552 5.3.4;
  a 60 MiB message (limit 50 MiB) streamed anyway is consumed and refused with 552 5.3.4;
- command line length (RFC 5321 §4.5.3.1.4, 512 octets): 500 and the session goes on;
- mail loops (RFC 5321 §6.3): more than 100 Received fields -> 554 5.4.6.
"""

import os
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

LOCAL = "example.org"
MAX_SIZE = 50 << 20  # default [limits] max_message_size


class LimitsTest(h.MailServerTest):
    DOMAIN = LOCAL
    USERS = {"alice": "pw-" + uuid.uuid4().hex}

    def conn(self):
        c = h.SmtpConn(self.server.ports["smtp"], timeout=60)
        c.ehlo()
        return c

    def copies(self, mark):
        return [m for m in h.export(self.data, f"alice@{LOCAL}") if mark.encode() in m]

    def send_small(self, c, context):
        """A small message on connection `c` must still be accepted and delivered."""
        mark = uuid.uuid4().hex
        self.assertEqual(c.cmd("MAIL FROM:<sender@remote.test>")[0], 250, context)
        self.assertEqual(c.cmd(f"RCPT TO:<alice@{LOCAL}>")[0], 250, context)
        self.assertEqual(c.cmd("DATA")[0], 354, context)
        c.send(f"Subject: small {mark}\r\n\r\nsmall\r\n.\r\n")
        code, text = c.reply()
        self.assertEqual(code, 250, f"{context}: small message after: {code} {text}")
        self.assertEqual(len(self.copies(mark)), 1, context)

    def test_size_is_advertised(self):
        with self.conn() as c:
            exts, text = c.ehlo()
            self.assertIn(f"SIZE {MAX_SIZE}", text.split("\n"), "RFC 1870 §4: SIZE <limit>")

    def test_size_parameter_over_the_limit_is_refused_at_mail(self):
        with self.conn() as c:
            code, text = c.cmd("MAIL FROM:<sender@remote.test> SIZE=60000000")
            self.assertEqual((code, text[:5]), (552, "5.3.4"), text)
            self.assertEqual(c.cmd(f"RCPT TO:<alice@{LOCAL}>")[0], 503, "no transaction open")
            code, text = c.cmd(f"MAIL FROM:<sender@remote.test> SIZE={MAX_SIZE}")
            self.assertEqual(code, 250, f"exactly the limit is fine: {text}")
            self.assertEqual(c.cmd("RSET")[0], 250)
            self.send_small(c, "after SIZE refusal")

    def test_60_mib_message_is_refused_and_the_session_goes_on(self):
        mark = uuid.uuid4().hex
        line = b"x" * 998 + b"\r\n"  # within the 1000-octet text line limit
        block = line * 1024  # ~1 MiB
        with self.conn() as c:
            self.assertEqual(c.cmd("MAIL FROM:<sender@remote.test>")[0], 250)
            self.assertEqual(c.cmd(f"RCPT TO:<alice@{LOCAL}>")[0], 250)
            self.assertEqual(c.cmd("DATA")[0], 354)
            c.send(f"Subject: huge {mark}\r\n\r\n".encode())
            t0 = time.monotonic()
            for _ in range(60):  # 60 MiB streamed; never held in memory here either
                c.send(block)
            c.send(b".\r\n")
            code, text = c.reply()
            self.assertEqual((code, text[:5]), (552, "5.3.4"),
                             f"over max_message_size ({time.monotonic() - t0:.1f}s): {text}")
            self.assertEqual(c.cmd("NOOP")[0], 250, "in step after the refusal")
            self.send_small(c, "after a 60 MiB refusal")
        self.assertEqual([m for m in self.copies(mark) if b"huge" in m], [],
                         "nothing of the refused message is stored")

    def test_overlong_command_line_gets_500_and_the_session_goes_on(self):
        with self.conn() as c:
            for length in (600, 5000, 20000):
                with self.subTest(length=length):
                    code, text = c.cmd("NOOP " + "x" * (length - 7))  # length incl. CRLF
                    self.assertEqual(code, 500, f"{length}-octet line: {code} {text}")
                    self.assertEqual(c.cmd("NOOP")[0], 250, f"after a {length}-octet line")
            code, text = c.cmd("NOOP " + "x" * (512 - 7))
            self.assertEqual(code, 250, f"exactly 512 octets with CRLF is allowed: {text}")
            self.send_small(c, "after long lines")

    def test_recipient_limit(self):
        # RFC 5321 §4.5.3.1.8: at least 100 must be accepted; past [limits] max_recipients
        # (1000) each RCPT gets 452 4.5.3 and the transaction goes on with those accepted.
        with self.conn() as c:
            self.assertEqual(c.cmd("MAIL FROM:<sender@remote.test>")[0], 250)
            c.send("".join(f"RCPT TO:<alice@{LOCAL}>\r\n" for _ in range(1002)))
            replies = [c.reply() for _ in range(1002)]
            self.assertEqual({r[0] for r in replies[:1000]}, {250})
            self.assertEqual([(r[0], r[1][:5]) for r in replies[1000:]], [(452, "4.5.3")] * 2)
            self.assertEqual(c.cmd("RSET")[0], 250)

    def received_headers(self, count, mark):
        fields = "".join(f"Received: from hop{i}.remote.test by hop{i + 1}.remote.test; "
                         f"Mon, 23 Nov 2026 11:00:00 +0000\r\n" for i in range(count))
        return f"{fields}Subject: hops {mark}\r\n\r\nbody\r\n"

    def test_more_than_100_received_headers_is_a_loop(self):
        with self.conn() as c:
            for count, expected in ((101, (554, "5.4.6")), (100, (250, "2.0.0"))):
                with self.subTest(received=count):
                    mark = uuid.uuid4().hex
                    self.assertEqual(c.cmd("MAIL FROM:<sender@remote.test>")[0], 250)
                    self.assertEqual(c.cmd(f"RCPT TO:<alice@{LOCAL}>")[0], 250)
                    self.assertEqual(c.cmd("DATA")[0], 354)
                    c.send(self.received_headers(count, mark) + ".\r\n")
                    code, text = c.reply()
                    self.assertEqual((code, text[:5]), expected, f"{count} Received: {text}")
                    self.assertEqual(len(self.copies(mark)), 1 if code == 250 else 0)
            self.assertEqual(c.cmd("NOOP")[0], 250)


if __name__ == "__main__":
    unittest.main(verbosity=2)
