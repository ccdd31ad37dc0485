"""POP3 sessions against `hermod serve`, on raw sockets and poplib: one session per maildrop
([IN-USE]), a dropped connection commits nothing, expire_retrieved, LOGIN-DELAY, pipelining,
and a 50 MiB RETR streamed without the server holding it in memory.
RFCs: 1939 (POP3: §6 UPDATE only after QUIT, §8 exclusive-access lock), 2449 (§6.6 PIPELINING,
§6.7 EXPIRE, §6.8 LOGIN-DELAY, §8.1.1 [LOGIN-DELAY], §8.1.2 [IN-USE]).
"""

import hashlib
import os
import pathlib
import poplib
import socket
import ssl
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

poplib._MAXLINE = 1 << 20

DOMAIN = "example.org"


def users(*names):
    return {name: f"pw-{name}-{uuid.uuid4().hex[:12]}" for name in names}


def addr(name):
    return f"{name}@{DOMAIN}"


def message(mark, body=b"Hello.\r\n", to="x@example.org"):
    return (f"From: <sender@remote.test>\r\nTo: <{to}>\r\nSubject: {mark}\r\n"
            f"Message-ID: <{mark}@remote.test>\r\n\r\n").encode() + body


class RawPop3:
    """A POP3 client on a plain socket: exact bytes out, lines and multi-line answers in."""

    def __init__(self, port, timeout=30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        self.buf = bytearray()
        self.greeting = self.line()

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError(f"connection closed; pending {bytes(self.buf[:200])!r}")
        self.buf += chunk

    def line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                out = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return out
            self._fill()

    def multiline_body(self):
        """The rest of a multi-line answer after its status line, dot-unstuffed, as the octets
        the server meant (each line with its CRLF)."""
        start = 0
        while True:
            if self.buf.startswith(b".\r\n"):
                end = 0
                break
            end = self.buf.find(b"\r\n.\r\n", start)
            if end >= 0:
                end += 2
                break
            start = max(0, len(self.buf) - 4)
            self._fill()
        raw = bytes(self.buf[:end])
        del self.buf[:end + 3]
        return unstuff(raw)

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.line()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def unstuff(raw):
    """Undoes POP3 byte-stuffing (RFC 1939 §3): a line starting with ".." loses one ".". Every
    stuffed line that starts with "." starts with "..", so one replace per line start suffices."""
    if raw.startswith(b".."):
        raw = raw[1:]
    return raw.replace(b"\r\n..", b"\r\n.")


class Pop3Base(h.MailServerTest):
    DOMAIN = DOMAIN

    def deliver(self, name, body=b"Hello.\r\n"):
        mark = "m" + uuid.uuid4().hex
        h.smtp_deliver(self.port("smtp"), addr(name), message(mark, body, addr(name)))
        return mark

    def stored(self, name):
        return h.export(self.data, addr(name))

    def login(self, name, port=None):
        return h.pop3_login(port or self.port("pop3"), addr(name), self.USERS[name])

    def raw_login(self, name):
        c = RawPop3(self.port("pop3"))
        self.assertTrue(c.greeting.startswith(b"+OK"), c.greeting)
        self.assertTrue(c.cmd(f"USER {addr(name)}").startswith(b"+OK"))
        resp = c.cmd(f"PASS {self.USERS[name]}")
        self.assertTrue(resp.startswith(b"+OK"), resp)
        return c

    def login_when_released(self, name, seconds=10):
        """Logs in once the server has noticed an earlier session ended (its lock released)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                return self.login(name)
            except poplib.error_proto as e:
                self.assertIn(b"[IN-USE]", e.args[0])
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


class Pop3SessionsTest(Pop3Base):
    USERS = users("alice", "dropper", "piper", "big")
    # The 50 MiB message plus headers exceeds the default 50 MiB limit.
    EXTRA_CONFIG = "[limits]\nmax_message_size = 134217728\n"

    def test_second_session_gets_in_use_rfc2449_s8_1_2(self):
        """RFC 1939 §8 exclusive-access lock: a second login while the first is in TRANSACTION
        gets "-ERR [IN-USE]" (RFC 2449 §8.1.2), stays in AUTHORIZATION, and logs in on the same
        connection once the first has QUIT."""
        self.deliver("alice")
        first = self.login("alice")
        second = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            second.user(addr("alice"))
            with self.assertRaises(poplib.error_proto) as e:
                second.pass_(self.USERS["alice"])
            self.assertTrue(e.exception.args[0].startswith(b"-ERR [IN-USE]"), e.exception.args)
            with self.assertRaises(poplib.error_proto):
                second.stat()  # still AUTHORIZATION
            # the first session is unaffected
            self.assertGreaterEqual(first.stat()[0], 1)
            self.assertTrue(first.quit().startswith(b"+OK"))
            second.user(addr("alice"))
            self.assertTrue(second.pass_(self.USERS["alice"]).startswith(b"+OK"))
            self.assertGreaterEqual(second.stat()[0], 1)
            # ... and now the first account's lock is held by the second session
            third = poplib.POP3("127.0.0.1", self.port("pop3"),
                                timeout=30)
            third.user(addr("alice"))
            with self.assertRaises(poplib.error_proto) as e:
                third.pass_(self.USERS["alice"])
            self.assertIn(b"[IN-USE]", e.exception.args[0])
            third.quit()
        finally:
            self.assertTrue(second.quit().startswith(b"+OK"))

    def test_login_right_after_quit_is_not_in_use_rfc1939_s6_s8(self):
        """Once QUIT has answered +OK the session is over (RFC 1939 §6), so the maildrop lock
        (§8) must already be free: a client that reconnects at once (a poller, or a client
        that QUITs and logs in again) must not get [IN-USE]. Tried 100 times, alternating
        pop3s (the TLS close makes the teardown after +OK longer) and plain; the race is
        timing-dependent, so a lock released only after the reply shows up in some runs.
        Each session RETRs first, so its QUIT commits \\Seen like a real downloader's."""
        tries, in_use = 100, []

        def login(i):
            tls = "implicit" if i % 2 == 0 else None
            port = self.port("pop3s" if tls else "pop3")
            return h.pop3_login(port, addr("alice"), self.USERS["alice"], tls=tls)

        self.deliver("alice")
        p = self.login_when_released("alice")
        for i in range(tries):
            p.retr(1)  # so QUIT has an UPDATE to commit (\Seen), as a downloader's would
            self.assertTrue(p.quit().startswith(b"+OK"))
            try:
                p = login(i)
            except poplib.error_proto as e:
                self.assertIn(b"[IN-USE]", e.args[0])
                in_use.append(i)
                p = self.login_when_released("alice")
        p.quit()
        self.assertEqual(in_use, [], f"[IN-USE] right after QUIT's +OK in {len(in_use)} of "
                                     f"{tries} tries: the lock outlives the sign-off")

    def test_dropped_connection_after_dele_deletes_nothing_rfc1939_s6(self):
        """RFC 1939 §6: without QUIT the session never enters UPDATE, so DELE'd messages stay;
        RETR'd ones are not expunged either."""
        for i in range(3):
            self.deliver("dropper", f"drop {i}\r\n".encode())
        before = self.stored("dropper")
        self.assertEqual(len(before), 3)
        c = self.raw_login("dropper")
        for n in (1, 2, 3):
            self.assertTrue(c.cmd(f"DELE {n}").startswith(b"+OK"))
        self.assertTrue(c.cmd("STAT").startswith(b"+OK 0 0"))
        c.sock.shutdown(socket.SHUT_RDWR)
        c.close()
        p = self.login_when_released("dropper")
        try:
            self.assertEqual(p.stat()[0], 3, "nothing was deleted")
        finally:
            p.quit()
        self.assertEqual(self.stored("dropper"), before, "the store is unchanged")

        # A connection reset (RST) in the middle of a RETR commits nothing either.
        c = self.raw_login("dropper")
        c.send("DELE 1\r\nRETR 2\r\n")
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()
        p = self.login_when_released("dropper")
        try:
            self.assertEqual(p.stat()[0], 3)
        finally:
            p.quit()
        self.assertEqual(self.stored("dropper"), before)

    def test_pipelined_commands_answered_in_order_rfc2449_s6_6(self):
        """All commands in one write (RFC 2449 §6.6), login included: each gets its answer, in
        order, equal to what the same commands give one at a time."""
        bodies = [f"pipe {i}\r\n.dot\r\n".encode() for i in range(3)]
        for b in bodies:
            self.deliver("piper", b)
        p = self.login("piper")
        self.assertIn("PIPELINING", p.capa())
        stat = p._shortcmd("STAT")
        lst = h.pop3_lines_to_bytes(p.list()[1])
        uidl1 = p.uidl(1)
        retr2 = h.pop3_lines_to_bytes(p.retr(2)[1])
        top3 = h.pop3_lines_to_bytes(p.top(3, 1)[1])
        p.quit()

        c = RawPop3(self.port("pop3"))
        c.send(f"USER {addr('piper')}\r\nPASS {self.USERS['piper']}\r\nSTAT\r\nLIST\r\n"
               "UIDL 1\r\nNOOP\r\nRETR 2\r\nBOGUS\r\nTOP 3 1\r\nDELE 1\r\nSTAT\r\nRSET\r\n"
               "LIST 9\r\nQUIT\r\n")
        try:
            self.assertTrue(c.line().startswith(b"+OK"), "USER")
            self.assertTrue(c.line().startswith(b"+OK"), "PASS")
            self.assertEqual(c.line(), stat, "STAT")
            self.assertTrue(c.line().startswith(b"+OK"), "LIST")
            self.assertEqual(c.multiline_body(), lst)
            self.assertEqual(c.line(), uidl1, "UIDL 1")
            self.assertTrue(c.line().startswith(b"+OK"), "NOOP")
            self.assertTrue(c.line().startswith(b"+OK"), "RETR 2")
            self.assertEqual(c.multiline_body(), retr2)
            self.assertTrue(c.line().startswith(b"-ERR"), "BOGUS")
            self.assertTrue(c.line().startswith(b"+OK"), "TOP 3 1")
            self.assertEqual(c.multiline_body(), top3)
            self.assertTrue(c.line().startswith(b"+OK"), "DELE 1")
            n, size = map(int, stat.split()[1:3])
            self.assertEqual(c.line().split()[:2], [b"+OK", str(n - 1).encode()], "STAT")
            self.assertTrue(c.line().startswith(b"+OK"), "RSET")
            self.assertTrue(c.line().startswith(b"-ERR"), "LIST 9")
            self.assertTrue(c.line().startswith(b"+OK"), "QUIT")
            c.sock.settimeout(10)
            self.assertEqual(c.sock.recv(100), b"", "the server closes after QUIT")
        finally:
            c.close()
        self.assertEqual(len(self.stored("piper")), 3, "RSET undid the DELE")

    def test_plaintext_pipelined_after_stls_is_discarded_rfc2595_s4(self):
        """A USER sent in plaintext in the same write as STLS must not survive into the TLS
        session (RFC 2595 §4 / CVE-2011-0411): PASS inside TLS finds no USER."""
        c = RawPop3(self.port("pop3"))
        try:
            c.send(f"STLS\r\nUSER {addr('alice')}\r\n")
            self.assertTrue(c.line().startswith(b"+OK"), "STLS")
            self.assertEqual(bytes(c.buf), b"", "nothing but the STLS answer before TLS")
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            c.sock = ctx.wrap_socket(c.sock, server_hostname="localhost")
            resp = c.cmd(f"PASS {self.USERS['alice']}")
            self.assertTrue(resp.startswith(b"-ERR"), f"the injected USER was kept: {resp!r}")
            self.assertTrue(c.cmd(f"USER {addr('alice')}").startswith(b"+OK"))
            self.assertTrue(c.cmd(f"PASS {self.USERS['alice']}").startswith(b"+OK"))
            self.assertTrue(c.cmd("QUIT").startswith(b"+OK"))
        finally:
            c.close()

    def test_too_many_errors_end_the_session(self):
        """[pop3] max_errors (default 10): after 10 -ERR answers the session ends with one
        more "-ERR too many errors" and the connection closes; later commands get nothing."""
        c = RawPop3(self.port("pop3"))
        try:
            c.send("BOGUS\r\n" * 12)
            answers = []
            c.sock.settimeout(10)
            try:
                while True:
                    answers.append(c.line())
            except ConnectionError:
                pass
            self.assertEqual(len(answers), 11, answers)
            self.assertTrue(all(a.startswith(b"-ERR") for a in answers), answers)
            self.assertNotIn(b"too many errors", answers[9])
            self.assertIn(b"too many errors", answers[10])
        finally:
            c.close()

    def test_50mib_retr_streams_without_holding_the_message_rfc1939_s7(self):
        """A 50 MiB message delivered over SMTP comes back through RETR octet for octet
        (SHA-256 of the stored message), and the server's peak RSS grows by less than 25 MiB
        meanwhile: the message is streamed, not loaded."""
        rng = hashlib.sha256(uuid.uuid4().bytes)
        line_count = (50 << 20) // 100
        parts = []
        seed = rng.digest()
        block = b"".join(hashlib.sha256(seed + bytes([i])).hexdigest().encode()
                         for i in range(4))[:98] + b"\r\n"
        for i in range(line_count):
            if i % 50000 == 1:
                parts.append(b"." + block[1:])  # dot lines exercise byte-stuffing
            else:
                parts.append(block[:90] + b"%08d" % i + b"\r\n")
        body = b"".join(parts)
        del parts
        self.assertGreaterEqual(len(body), 50 << 20)
        mark = self.deliver("big", body)
        stored = [m for m in self.stored("big") if mark.encode() in m]
        self.assertEqual(len(stored), 1)
        stored_sha, stored_len = h.sha256(stored[0]), len(stored[0])
        self.assertTrue(stored[0].endswith(body))
        del stored, body

        pid = self.server.proc.pid
        c = self.raw_login("big")
        try:
            listed = c.cmd("LIST 1")
            self.assertEqual(listed, f"+OK 1 {stored_len}".encode())
            peak = PeakRss(pid)
            peak.start()
            c.send("RETR 1\r\n")
            status = c.line()
            self.assertTrue(status.startswith(b"+OK"), status)
            digest, size = hashlib.sha256(), 0
            data = c.multiline_body()
            growth = peak.stop()
            digest.update(data)
            size = len(data)
            self.assertEqual(size, stored_len)
            self.assertEqual(digest.hexdigest(), stored_sha, "RETR = the stored octets")
            # AddressSanitizer keeps freed chunks in quarantine (up to 256 MiB), so RSS says
            # nothing about streaming there; every other build checks it.
            if not sanitized(self.server.proc.pid):
                self.assertLess(growth, 25 << 20,
                                f"server peak RSS grew {growth >> 20} MiB during a 50 MiB RETR "
                                f"({peak.method})")
            self.assertTrue(c.cmd("QUIT").startswith(b"+OK"))
        finally:
            c.close()


def sanitized(pid):
    """True when the process runs with AddressSanitizer (the asan preset)."""
    try:
        return "libasan" in pathlib.Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


class PeakRss:
    """The growth of a process's peak RSS over an interval: VmHWM after resetting it through
    /proc/PID/clear_refs ("5"), or, where that is not permitted, VmRSS sampled every 50 ms."""

    def __init__(self, pid):
        self.pid = pid
        self.method = None
        self._stop = threading.Event()
        self._thread = None
        self._max = 0

    def start(self):
        self.base = h.proc_status(self.pid, "VmRSS")
        try:
            with open(f"/proc/{self.pid}/clear_refs", "w") as f:
                f.write("5")
            self.method = "VmHWM after clear_refs"
            return
        except OSError:
            pass
        self.method = "VmRSS sampled every 50 ms"
        self._max = self.base

        def sample():
            while not self._stop.wait(0.05):
                self._max = max(self._max, h.proc_status(self.pid, "VmRSS"))
        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()

    def stop(self):
        if self._thread is None:
            return h.proc_status(self.pid, "VmHWM") - self.base
        self._stop.set()
        self._thread.join()
        self._max = max(self._max, h.proc_status(self.pid, "VmRSS"))
        return self._max - self.base


class Pop3ExpireTest(Pop3Base):
    """[pop3] expire_retrieved = true: RFC 2449 §6.7 "EXPIRE 0"."""
    USERS = users("reader")
    EXTRA_CONFIG = "[pop3]\nexpire_retrieved = true\n"

    def test_expire_retrieved_deletes_retrieved_messages_at_quit_rfc2449_s6_7(self):
        marks = [self.deliver("reader", f"expire {i}\r\n".encode()) for i in range(3)]
        p = self.login("reader")
        self.assertEqual(p.capa().get("EXPIRE"), ["0"])
        self.assertEqual(p.stat()[0], 3)
        p.retr(1)
        p.top(2, 5)  # TOP is not retrieval
        p.quit()
        left = self.stored("reader")
        self.assertEqual(len(left), 2, "the RETR'd message was expunged at QUIT")
        self.assertFalse(any(marks[0].encode() in m for m in left))

        # A session that RETRs and drops without QUIT expunges nothing (RFC 1939 §6).
        c = self.raw_login("reader")
        c.send("RETR 1\r\n")
        self.assertTrue(c.line().startswith(b"+OK"))
        c.multiline_body()
        c.close()
        p = self.login_when_released("reader")
        self.assertEqual(p.stat()[0], 2)
        p.retr(1)
        p.retr(2)
        p.quit()
        self.assertEqual(self.stored("reader"), [])


class Pop3LoginDelayTest(Pop3Base):
    """[pop3] login_delay_seconds: RFC 2449 §6.8 LOGIN-DELAY and §8.1.1 [LOGIN-DELAY]."""
    USERS = users("poller")
    DELAY = 3
    EXTRA_CONFIG = f"[pop3]\nlogin_delay_seconds = {DELAY}\n"

    def test_login_delay_advertised_and_enforced_rfc2449_s6_8(self):
        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        capa = p.capa()
        self.assertEqual(capa.get("LOGIN-DELAY"), [str(self.DELAY)])
        p.user(addr("poller"))
        p.pass_(self.USERS["poller"])
        first = time.monotonic()
        p.quit()

        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            p.user(addr("poller"))
            with self.assertRaises(poplib.error_proto) as e:
                p.pass_(self.USERS["poller"])
            self.assertLess(time.monotonic() - first, self.DELAY, "test ran too slowly")
            self.assertTrue(e.exception.args[0].startswith(b"-ERR [LOGIN-DELAY]"),
                            e.exception.args)
            with self.assertRaises(poplib.error_proto):
                p.stat()  # still AUTHORIZATION
            time.sleep(max(0.0, first + self.DELAY + 0.5 - time.monotonic()))
            p.user(addr("poller"))
            self.assertTrue(p.pass_(self.USERS["poller"]).startswith(b"+OK"),
                            "a login after the delay succeeds")
        finally:
            p.quit()


if __name__ == "__main__":
    unittest.main(verbosity=2)
