"""Durability of accepted mail (RFC 5321 §4.5.3.3 and §6.1: a 250 after DATA means the server has
taken responsibility for the message): concurrent smtplib senders deliver distinct messages,
`kill -9` hits the server in the middle of the load, and after a restart on the same data folder
every message that got its 250 is in the mailbox exactly once and intact. Messages that were in
flight at the kill may be missing, but never duplicated or truncated.
"""

import hashlib
import os
import random
import signal
import smtplib
import sys
import threading
import types
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

LOCAL = "example.org"
RECIPIENTS = [f"alice@{LOCAL}", f"bob@{LOCAL}"]
SENDERS = 8          # concurrent connections
MAX_MESSAGES = 2000  # bound on the whole load
LOAD_SECONDS = 5     # the kill comes after this long at most


class CrashTest(unittest.TestCase):
    def setUp(self):
        self.server = h.Server()
        self.again = None
        # Cleanups run last-in first-out: the restarted server goes before the data folder.
        self.addCleanup(self.server.cleanup)
        self.addCleanup(lambda: self.again and self.again.cleanup())
        self.server.start()
        h.add_domain(self.server.data, LOCAL)
        for rcpt in RECIPIENTS:
            h.add_user(self.server.data, rcpt, "pw-" + uuid.uuid4().hex)

    def load(self, state):
        """One sender: new messages until `stop` or MAX_MESSAGES issued in all; records
        (message_id -> (rcpt, len, sha256)) only for those whose DATA got a 250."""
        rng = random.Random()
        conn = None
        try:
            while not state.stop.is_set():
                with state.lock:
                    if state.issued >= MAX_MESSAGES:
                        return
                    state.issued += 1
                mid = f"<{uuid.uuid4().hex}@crash.test>"
                rcpt = rng.choice(RECIPIENTS)
                body = "".join(f"{uuid.uuid4().hex} line {i}\r\n"
                               for i in range(rng.randint(1, 200))).encode()
                if rng.random() < 0.02:
                    # Now and then a body past [store] inline_blob_max (1 MiB): those are
                    # fsynced as their own file before the 250, a different path to disk.
                    body += f"{uuid.uuid4().hex} large\r\n".encode() * 40000
                msg = (f"From: <load@remote.test>\r\nTo: <{rcpt}>\r\nSubject: crash load\r\n"
                       f"Message-ID: {mid}\r\n\r\n").encode() + body
                try:
                    if conn is None:
                        conn = smtplib.SMTP("127.0.0.1", self.server.ports["smtp"], timeout=10)
                        conn.ehlo("load.test")
                    conn.sendmail("load@remote.test", [rcpt], msg)
                except (OSError, smtplib.SMTPException) as e:
                    # Refused or cut off: not acknowledged, so no promise was made.
                    with state.lock:
                        state.errors.append(repr(e))
                    conn.close() if conn else None
                    conn = None
                    time.sleep(0.05)
                    continue
                with state.lock:
                    state.acked[mid] = (rcpt, len(msg), hashlib.sha256(msg).hexdigest())
        finally:
            if conn:
                conn.close()

    def test_acknowledged_messages_survive_kill_9(self):
        state = types.SimpleNamespace(acked={}, errors=[], issued=0, lock=threading.Lock(),
                                      stop=threading.Event())
        threads = [threading.Thread(target=self.load, args=(state,), daemon=True)
                   for _ in range(SENDERS)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        # Let the load run, then kill while every sender is in the middle of a transaction:
        # after LOAD_SECONDS, or once half the bound is acknowledged, whichever comes first.
        while (time.monotonic() - t0 < LOAD_SECONDS and len(state.acked) < MAX_MESSAGES // 2
               and state.issued < MAX_MESSAGES):
            time.sleep(0.02)
        with state.lock:
            in_flight = state.issued - len(state.acked) - len(state.errors)
        self.server.proc.send_signal(signal.SIGKILL)
        self.server.proc.wait(timeout=10)
        state.stop.set()
        for t in threads:
            t.join(timeout=30)
        with state.lock:
            acked = dict(state.acked)
        print(f"\n  {len(acked)} messages acknowledged, {in_flight} in flight at kill -9 "
              f"after {time.monotonic() - t0:.1f}s", file=sys.stderr)
        self.assertTrue(acked, f"no message acknowledged under load; errors: {state.errors[:5]}")
        self.assertGreater(in_flight, 0, "the kill must hit transactions in progress")

        self.again = h.Server(data=self.server.data, ports=self.server.ports)
        self.again.start()
        stored = {}
        for rcpt in RECIPIENTS:
            for msg in h.export(self.again.data, rcpt):
                ids = h.headers(msg, "Message-ID")
                self.assertEqual(len(ids), 1, f"one Message-ID per stored message: {msg[:300]!r}")
                stored.setdefault(ids[0], []).append((rcpt, msg))

        duplicated = {mid: len(v) for mid, v in stored.items() if len(v) > 1}
        self.assertEqual(duplicated, {}, "no message may be stored twice")
        missing = [mid for mid in acked if mid not in stored]
        self.assertEqual(missing, [], f"{len(missing)} of {len(acked)} acknowledged messages lost")
        for mid, (rcpt, length, digest) in acked.items():
            where, msg = stored[mid][0]
            self.assertEqual(where, rcpt, f"{mid} in the wrong mailbox")
            self.assertEqual(hashlib.sha256(msg[-length:]).hexdigest(), digest,
                             f"{mid} stored intact (the sent octets after the added headers)")

        # The restarted server takes mail again.
        with smtplib.SMTP("127.0.0.1", self.again.ports["smtp"], timeout=10) as s:
            self.assertEqual(s.sendmail("after@remote.test", [RECIPIENTS[0]],
                                        b"Subject: after restart\r\n\r\nok\r\n"), {})


if __name__ == "__main__":
    unittest.main(verbosity=2)
