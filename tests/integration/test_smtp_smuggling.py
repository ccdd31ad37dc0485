"""SMTP smuggling (CVE-2023-51764/51765/51766 family; RFC 5321 §2.3.8, §4.1.1.4): only
<CRLF>.<CRLF> ends DATA. A message that hides a fake end-of-data ("\\n.\\n", "\\n.\\r\\n",
"\\r.\\r\\n", "\\r\\n.\\r", "\\r\\n.\\n") followed by "MAIL FROM/RCPT TO/DATA" must never have those
commands executed: the server reads on to the real terminator, rejects the whole message for its
bare CR/LF with 550 5.6.0, delivers nothing, and the session stays in step and usable.
"""

import os
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

LOCAL = "example.org"
FAKE_ENDS = {
    "LF.LF": b"\n.\n",
    "LF.CRLF": b"\n.\r\n",
    "CR.CRLF": b"\r.\r\n",
    "CRLF.CR": b"\r\n.\r",
    "CRLF.LF": b"\r\n.\n",
}


def smuggling_payload(mark, fake_end):
    """Outer message, fake end, a complete smuggled transaction to bob, then the real end."""
    return (f"From: <sender@remote.test>\r\nTo: <alice@{LOCAL}>\r\nSubject: outer {mark}\r\n"
            f"\r\nouter body".encode()
            + fake_end
            + f"MAIL FROM:<evil@remote.test>\r\nRCPT TO:<bob@{LOCAL}>\r\nDATA\r\n"
              f"From: <evil@remote.test>\r\nSubject: smuggled {mark}\r\n\r\nsmuggled\r\n"
              f".\r\n".encode())


class SmugglingTest(h.MailServerTest):
    DOMAIN = LOCAL
    USERS = {name: "pw-" + uuid.uuid4().hex for name in ("alice", "bob")}

    def copies(self, name, mark):
        return [m for m in h.export(self.data, f"{name}@{LOCAL}") if mark.encode() in m]

    def open(self, service):
        c = h.SmtpConn(self.server.ports[service])
        if service == "lmtp":
            code, text = c.cmd("LHLO client.test")
            self.assertEqual(code, 250, text)
        else:
            c.ehlo()
        return c

    def smuggle(self, service, name, fake_end, split):
        mark = uuid.uuid4().hex
        with self.open(service) as c:
            self.assertEqual(c.cmd("MAIL FROM:<sender@remote.test>")[0], 250)
            self.assertEqual(c.cmd(f"RCPT TO:<alice@{LOCAL}>")[0], 250)
            self.assertEqual(c.cmd("DATA")[0], 354)
            payload = smuggling_payload(mark, fake_end)
            if split:
                # The fake end in its own write, so a server that looks at segment boundaries
                # would see it alone.
                cut = payload.index(fake_end) + len(fake_end)
                c.send(payload[:cut])
                time.sleep(0.05)
                c.send(payload[cut:])
            else:
                c.send(payload)
            code, text = c.reply()
            self.assertEqual((code, text[:5]), (550, "5.6.0"),
                             f"{service} {name}: the whole message is refused for bare CR/LF, "
                             f"and only at the real <CRLF>.<CRLF>: {code} {text}")
            # Exactly one reply came for everything sent: the next one answers NOOP. Had the
            # smuggled MAIL/RCPT/DATA run, their 250/250/354 would arrive here instead.
            code, text = c.cmd("NOOP")
            self.assertEqual(code, 250, f"{service} {name}: session in step after rejection: "
                                        f"{code} {text}")
            self.assertEqual(c.cmd("RSET")[0], 250)
            # And the session still delivers a clean message.
            clean = f"Subject: clean {mark}\r\n\r\nclean\r\n"
            self.assertEqual(c.cmd("MAIL FROM:<sender@remote.test>")[0], 250)
            self.assertEqual(c.cmd(f"RCPT TO:<alice@{LOCAL}>")[0], 250)
            self.assertEqual(c.cmd("DATA")[0], 354)
            c.send(clean + ".\r\n")
            code, text = c.reply()
            self.assertEqual(code, 250, f"{service} {name}: clean message after: {code} {text}")
        self.assertEqual(self.copies("bob", mark), [],
                         f"{service} {name}: the smuggled message must never be delivered")
        alice = self.copies("alice", mark)
        self.assertEqual(len(alice), 1, f"{service} {name}: only the clean message reaches alice")
        self.assertIn(f"clean {mark}".encode(), alice[0])
        self.assertNotIn(b"outer body", alice[0])

    def test_fake_end_of_data_never_ends_the_message(self):
        for name, fake_end in FAKE_ENDS.items():
            for split in (False, True):
                with self.subTest(fake_end=name, split=split):
                    self.smuggle("smtp", name, fake_end, split)

    def test_lmtp_has_the_same_defence(self):
        for name, fake_end in FAKE_ENDS.items():
            with self.subTest(fake_end=name):
                self.smuggle("lmtp", name, fake_end, split=False)

    def test_dot_stuffed_lookalike_is_content(self):
        # "\r\n..\r\n" is a stuffed "." line, not an end: the text after it is message content.
        mark = uuid.uuid4().hex
        with self.open("smtp") as c:
            self.assertEqual(c.cmd("MAIL FROM:<sender@remote.test>")[0], 250)
            self.assertEqual(c.cmd(f"RCPT TO:<alice@{LOCAL}>")[0], 250)
            self.assertEqual(c.cmd("DATA")[0], 354)
            c.send(f"Subject: stuffed {mark}\r\n\r\nbody\r\n..\r\nMAIL FROM:<evil@remote.test>"
                   f"\r\nRCPT TO:<bob@{LOCAL}>\r\n.\r\n")
            code, text = c.reply()
            self.assertEqual(code, 250, text)
            self.assertEqual(c.cmd("NOOP")[0], 250)
        stored = self.copies("alice", mark)
        self.assertEqual(len(stored), 1)
        self.assertTrue(stored[0].endswith(
            f"body\r\n.\r\nMAIL FROM:<evil@remote.test>\r\nRCPT TO:<bob@{LOCAL}>\r\n".encode()),
            stored[0][-200:])
        self.assertEqual(self.copies("bob", mark), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
