"""Two IMAP sessions on one mailbox of `hermod serve` (raw socket clients, every response line
checked): flag changes, expunges and new SMTP deliveries made by one session or by SMTP show up
in the other at NOOP, and at once (within 2 s) while it is in IDLE; sequence numbers stay
consistent (the other session's view, after applying each untagged EXPUNGE in order, equals
the UID list of the session that expunged); a POP3 DELE + QUIT reaches an IMAP session as
EXPUNGE.
RFCs: 9051 §5.2 and §7.5.1 (EXPUNGE renumbering), 7.4 (FETCH FLAGS), 2177 (IDLE), 1939 (POP3).
"""

import os
import re
import socket
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

DOMAIN = "example.org"
NAMES = ("noop", "idle", "seq", "pop")
USERS = {name: f"pw-{name}-{uuid.uuid4().hex[:12]}" for name in NAMES}
IDLE_LIMIT = 2.0  # seconds between the change and the untagged response in IDLE


def addr(name):
    return f"{name}@{DOMAIN}"


class Session(h.ImapConn):
    """A logged-in raw client that tracks the UIDs of its selected mailbox by the untagged
    EXISTS / EXPUNGE it receives (a new message's UID is learnt by UID FETCH)."""

    def __init__(self, test, name):
        super().__init__(test.port("imap"))
        self.ok(f'LOGIN {addr(name)} "{USERS[name]}"')
        self.uids = []

    def select(self):
        self.ok("SELECT INBOX")
        self.uids = self.fetch_uids()
        return self.uids

    def fetch_uids(self):
        """The UIDs in sequence order, as FETCH 1:* (UID) reports them."""
        out = self.ok("UID FETCH 1:* (UID)")  # 1:* on an empty mailbox would be BAD
        by_seq = {}
        for resp in out:
            m = re.match(rb"\* (\d+) FETCH \(UID (\d+)\)$", resp)
            if m:
                by_seq[int(m.group(1))] = int(m.group(2))
        self.check_untagged(out, ignore_fetch=True)
        return [by_seq[i] for i in sorted(by_seq)]

    def check_untagged(self, responses, ignore_fetch=False):
        """Applies EXPUNGE responses to self.uids (in order); returns the other untagged ones."""
        rest = []
        for resp in responses:
            m = re.match(rb"\* (\d+) EXPUNGE$", resp)
            if m:
                n = int(m.group(1))
                assert 1 <= n <= len(self.uids), f"EXPUNGE {n} outside 1..{len(self.uids)}"
                del self.uids[n - 1]
            elif not (ignore_fetch and b" FETCH (UID " in resp):
                rest.append(resp)
        return rest

    def noop(self):
        return self.check_untagged(self.ok("NOOP"))

    def idle(self):
        tag = self.next_tag()
        self.send(f"{tag} IDLE\r\n")
        cont = self.read_response()
        assert cont.startswith(b"+"), cont
        return tag

    def wait_for(self, pattern, timeout=IDLE_LIMIT):
        """Reads untagged responses until one matches `pattern` (regex, bytes) or `timeout`
        seconds pass; returns (match, every response read)."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None, seen
            self.sock.settimeout(left)
            try:
                resp = self.read_response()
            except (socket.timeout, TimeoutError):
                return None, seen
            finally:
                self.sock.settimeout(30)
            seen.append(resp)
            m = re.match(pattern, resp)
            if m:
                return m, seen

    def done(self, tag):
        self.send("DONE\r\n")
        untagged, status = self.collect(tag)
        assert status.startswith(tag.encode() + b" OK"), status
        return untagged


class ImapSessionsTest(h.MailServerTest):
    DOMAIN = DOMAIN
    USERS = USERS

    def deliver(self, name, n=1):
        marks = []
        for _ in range(n):
            mark = "m" + uuid.uuid4().hex
            msg = (f"From: <sender@remote.test>\r\nTo: <{addr(name)}>\r\nSubject: {mark}\r\n"
                   f"Message-ID: <{mark}@remote.test>\r\n\r\nHello {mark}.\r\n").encode()
            h.smtp_deliver(self.port("smtp"), addr(name), msg)
            marks.append(mark)
        return marks

    def pair(self, name):
        a, b = Session(self, name), Session(self, name)
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        return a, b

    def assert_same_view(self, a, b):
        """Both sessions map the same sequence numbers to the same UIDs, and the lists they
        tracked from untagged responses agree with a fresh FETCH."""
        self.assertEqual(a.uids, b.uids)
        self.assertEqual(a.fetch_uids(), a.uids)
        self.assertEqual(b.fetch_uids(), b.uids)

    def test_noop_sees_flags_expunges_and_deliveries(self):
        self.deliver("noop", 4)
        a, b = self.pair("noop")
        a.select()
        b.select()
        self.assertEqual(len(a.uids), 4)

        a.ok("STORE 2 +FLAGS.SILENT (\\Flagged $Work)")
        rest = b.noop()
        self.assertEqual(len(rest), 1, rest)
        self.assertRegex(rest[0], rb"^\* 2 FETCH \((UID \d+ )?FLAGS \(([^)]*)\)( UID \d+)?\)$")
        flags = re.search(rb"FLAGS \(([^)]*)\)", rest[0]).group(1).split()
        self.assertEqual(sorted(flags), [b"$Work", b"\\Flagged"])
        self.assertEqual(b.noop(), [], "nothing new: NOOP reports nothing")

        a.ok("STORE 1,3 +FLAGS.SILENT (\\Deleted)")
        rest = a.check_untagged(a.ok("EXPUNGE"))
        self.assertEqual(len(a.uids), 2)
        rest = b.noop()
        self.assertEqual([r for r in rest if b"FETCH" not in r], [])
        self.assert_same_view(a, b)

        self.deliver("noop")
        rest = b.noop()
        self.assertIn(b"* 3 EXISTS", rest)
        b.uids = b.fetch_uids()
        a.noop()
        a.uids = a.fetch_uids()
        self.assert_same_view(a, b)
        self.assertEqual(len(b.uids), 3)
        self.assertEqual(sorted(b.uids), b.uids)

    def test_idle_sees_delivery_flags_and_expunge_at_once(self):
        self.deliver("idle", 3)
        a, b = self.pair("idle")
        a.select()
        b.select()
        tag = b.idle()

        h.smtp_deliver(self.port("smtp"), addr("idle"),
                       b"From: <s@remote.test>\r\nSubject: idle\r\n\r\nx\r\n")
        t0 = time.monotonic()  # sendmail returned: the 250 for DATA has arrived
        m, seen = b.wait_for(rb"^\* (\d+) EXISTS$")
        self.assertIsNotNone(m, f"no EXISTS within {IDLE_LIMIT}s of the 250: {seen}")
        self.assertLess(time.monotonic() - t0, IDLE_LIMIT)
        self.assertEqual(int(m.group(1)), 4)

        a.noop()
        a.uids = a.fetch_uids()
        a.ok("STORE 4 +FLAGS.SILENT (\\Seen \\Answered)")
        t0 = time.monotonic()
        m, seen = b.wait_for(rb"^\* 4 FETCH \(.*FLAGS \(([^)]*)\)")
        self.assertIsNotNone(m, f"no FETCH FLAGS within {IDLE_LIMIT}s: {seen}")
        self.assertEqual(sorted(m.group(1).split()), [b"\\Answered", b"\\Seen"])
        self.assertLess(time.monotonic() - t0, IDLE_LIMIT)

        a.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
        a.check_untagged(a.ok("EXPUNGE"))
        t0 = time.monotonic()
        m, seen = b.wait_for(rb"^\* (\d+) EXPUNGE$")
        self.assertIsNotNone(m, f"no EXPUNGE within {IDLE_LIMIT}s: {seen}")
        self.assertLess(time.monotonic() - t0, IDLE_LIMIT)
        self.assertEqual(int(m.group(1)), 2)
        later = b.done(tag)
        b.uids = b.fetch_uids()  # learn the delivered message's UID
        self.assertEqual([r for r in later if b"EXPUNGE" in r], [])
        self.assert_same_view(a, b)
        self.assertEqual(len(b.uids), 3)

    def test_sequence_numbers_after_interleaved_expunges(self):
        """Expunges of scattered messages by A reach B as EXPUNGE responses whose numbers,
        applied in order, give A's view; B's FETCH by sequence number then names the same
        messages as A's."""
        self.deliver("seq", 8)
        a, b = self.pair("seq")
        a.select()
        b.select()
        for doomed in ("2,5,6", "1,4"):
            a.ok(f"STORE {doomed} +FLAGS.SILENT (\\Deleted)")
            a.check_untagged(a.ok("EXPUNGE"))
            b.noop()
            self.assert_same_view(a, b)
        self.assertEqual(len(a.uids), 3)
        for n in range(1, 4):
            sa = a.ok(f"FETCH {n} (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            sb = b.ok(f"FETCH {n} (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            self.assertEqual(sa, sb)
        # UID EXPUNGE-free path: B expunges, A sees it
        b.ok("STORE 3 +FLAGS.SILENT (\\Deleted)")
        b.check_untagged(b.ok("EXPUNGE"))
        a.noop()
        self.assert_same_view(a, b)

    def test_pop3_dele_quit_seen_as_expunge(self):
        self.deliver("pop", 3)
        b = Session(self, "pop")
        self.addCleanup(b.close)
        b.select()
        first, last = b.uids[0], b.uids[2]
        p = h.pop3_login(self.port("pop3"), addr("pop"), USERS["pop"])
        try:
            p.dele(1)
            self.assertEqual(b.noop(), [], "DELE alone changes nothing before QUIT")
            self.assertEqual(len(b.uids), 3)
            p.dele(3)
        finally:
            p.quit()
        rest = b.noop()
        self.assertEqual(rest, [])
        self.assertEqual(len(b.uids), 1)
        self.assertNotIn(first, b.uids)
        self.assertNotIn(last, b.uids)
        self.assertEqual(b.fetch_uids(), b.uids)
        # and during IDLE
        tag = b.idle()
        p = h.pop3_login(self.port("pop3"), addr("pop"), USERS["pop"])
        try:
            p.dele(1)
        finally:
            p.quit()
        m, seen = b.wait_for(rb"^\* (\d+) EXPUNGE$")
        self.assertIsNotNone(m, f"no EXPUNGE in IDLE after POP3 QUIT: {seen}")
        self.assertEqual(int(m.group(1)), 1)
        b.done(tag)
        self.assertEqual(b.fetch_uids(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
