"""POP3 with Python's poplib against `hermod serve`.

Keep mode (messages and UIDLs survive QUIT and a restart), delete mode (DELE applied only at
QUIT, RSET undoes), TOP, LIST/UIDL single and multi, STAT/LIST sizes equal to the octets RETR
sends, STLS and pop3s, USER/PASS, AUTH PLAIN and LOGIN, CAPA, [AUTH] after a failed login, and
RETR byte-exact against the stored message (`hermod export --crlf`) for messages delivered over
SMTP with dot lines, 8-bit text and a long line.
RFCs: 1939 (POP3), 2449 (CAPA, response codes), 2595 (STLS), 3206 ([AUTH]), 5034 (SASL),
8314 (implicit TLS).
"""

import base64
import os
import poplib
import re
import socket
import ssl
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

# poplib refuses lines over 2048 octets; the long-line message below has a longer one.
poplib._MAXLINE = 1 << 20

DOMAIN = "example.org"
NAMES = ("alice", "bob", "keeper", "deleter", "topper", "lister", "tls", "sasl", "wrongpw",
         "exact")
USERS = {name: f"pw-{name}-{uuid.uuid4().hex[:12]}" for name in NAMES}


def addr(name):
    return f"{name}@{DOMAIN}"


def marker():
    return "m" + uuid.uuid4().hex


def message(mark, body=b"Hello.\r\n", to="alice@example.org"):
    """A complete RFC 5322 message (bytes, CRLF) whose Subject carries the unique marker."""
    return (f"From: <sender@remote.test>\r\nTo: <{to}>\r\nSubject: {mark}\r\n"
            f"Message-ID: <{mark}@remote.test>\r\nDate: Mon, 23 Nov 2026 11:00:00 +0000\r\n"
            "\r\n").encode() + body


def unverified_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the server's certificate is self-signed
    return ctx


class Pop3ClientsTest(h.MailServerTest):
    DOMAIN = DOMAIN
    USERS = USERS

    @classmethod
    def prepare(cls):
        cls.ctx = unverified_context()

    # --- helpers ------------------------------------------------------------------------------

    def deliver(self, name, body=b"Hello.\r\n"):
        """Delivers one message to `name` over SMTP; returns (marker, the bytes sent)."""
        mark = marker()
        sent = message(mark, body, to=addr(name))
        h.smtp_deliver(self.port("smtp"), addr(name), sent)
        return mark, sent

    def stored(self, name):
        return h.export(self.data, addr(name))

    def stored_with(self, name, mark):
        copies = [m for m in self.stored(name) if mark.encode() in m]
        self.assertEqual(len(copies), 1, f"{addr(name)} should hold one copy of {mark}")
        return copies[0]

    def login(self, name, tls=None):
        return h.pop3_login(self.port("pop3s" if tls == "implicit" else "pop3"), addr(name),
                            USERS[name], tls=tls, ctx=self.ctx)

    def retr(self, p, n):
        resp, lines, octets = p.retr(n)
        self.assertTrue(resp.startswith(b"+OK"), resp)
        return h.pop3_lines_to_bytes(lines)

    def uidls(self, p):
        resp, entries, _ = p.uidl()
        self.assertTrue(resp.startswith(b"+OK"), resp)
        return dict(e.decode().split(" ", 1) for e in entries)

    def sizes(self, p):
        resp, entries, _ = p.list()
        self.assertTrue(resp.startswith(b"+OK"), resp)
        return {int(n): int(s) for n, s in (e.decode().split() for e in entries)}

    def quit(self, p):
        resp = p.quit()
        self.assertTrue(resp.startswith(b"+OK"), resp)
        return resp

    # --- keep and delete modes ----------------------------------------------------------------

    def test_keep_mode_rfc1939_s6_messages_and_uidl_survive_quit_and_restart(self):
        """RETR everything and QUIT without DELE: every message stays (RFC 1939 §6 only removes
        DELE'd ones) and each keeps its UIDL in the next session and after a server restart
        (RFC 1939 §7: the unique-id "persists across sessions")."""
        marks = [self.deliver("keeper", f"keep {i}\r\n".encode())[0] for i in range(3)]
        p = self.login("keeper")
        count, _ = p.stat()
        self.assertEqual(count, 3)
        first = self.uidls(p)
        self.assertEqual(sorted(first), ["1", "2", "3"])
        bodies = {n: self.retr(p, n) for n in range(1, count + 1)}
        self.quit(p)
        for mark in marks:
            self.assertEqual(sum(mark.encode() in b for b in bodies.values()), 1)
        self.assertEqual(len(self.stored("keeper")), 3, "keep mode removes nothing")

        p = self.login("keeper")
        self.assertEqual(p.stat()[0], 3)
        self.assertEqual(self.uidls(p), first, "UIDL unchanged in the next session")
        self.assertEqual({n: self.retr(p, n) for n in range(1, 4)}, bodies)
        self.quit(p)

        h.restart(self.server)
        p = self.login("keeper")
        self.assertEqual(p.stat()[0], 3)
        self.assertEqual(self.uidls(p), first, "UIDL unchanged after a server restart")
        self.assertEqual({n: self.retr(p, n) for n in range(1, 4)}, bodies)
        self.quit(p)

    def test_delete_mode_rfc1939_s6_dele_at_quit_and_rset_undoes(self):
        """DELE marks (RFC 1939 §5 DELE), a marked message is no longer listed or retrievable,
        RSET unmarks everything, and only QUIT (UPDATE state, §6) removes marked messages."""
        marks = [self.deliver("deleter", f"delete {i}\r\n".encode())[0] for i in range(3)]
        p = self.login("deleter")
        total = p.stat()
        self.assertEqual(total[0], 3)
        ids = self.uidls(p)
        self.assertTrue(p.dele(1).startswith(b"+OK"))
        self.assertEqual(p.stat()[0], 2, "STAT does not count a deleted message")
        for call in (lambda: p.list(1), lambda: p.retr(1), lambda: p.uidl(1),
                     lambda: p.top(1, 0), lambda: p.dele(1)):
            with self.assertRaises(poplib.error_proto) as e:
                call()
            self.assertTrue(e.exception.args[0].startswith(b"-ERR"), e.exception.args)
        self.assertNotIn("1", self.uidls(p), "UIDL multi-line skips deleted messages")
        self.assertNotIn(1, self.sizes(p), "LIST multi-line skips deleted messages")
        resp = p.rset()
        self.assertTrue(resp.startswith(b"+OK"), resp)
        self.assertEqual(p.stat(), total, "RSET unmarks every deleted message")
        self.assertEqual(self.uidls(p), ids)
        self.quit(p)
        self.assertEqual(len(self.stored("deleter")), 3, "RSET then QUIT removes nothing")

        p = self.login("deleter")
        self.assertEqual(self.uidls(p), ids)
        keep = self.retr(p, 3)
        p.dele(1)
        p.dele(2)
        self.quit(p)
        left = self.stored("deleter")
        self.assertEqual(len(left), 1, "QUIT removed the two DELE'd messages")
        self.assertIn(marks[2].encode(), left[0])

        p = self.login("deleter")
        self.assertEqual(p.stat()[0], 1)
        self.assertEqual(self.uidls(p), {"1": ids["3"]}, "the survivor keeps its UIDL")
        self.assertEqual(self.retr(p, 1), keep)
        p.dele(1)
        self.quit(p)
        self.assertEqual(self.stored("deleter"), [])

    # --- TOP, LIST, UIDL, STAT ----------------------------------------------------------------

    def test_top_rfc1939_s7_header_blank_line_and_n_body_lines(self):
        body = b"line one\r\n.dot line\r\n..two dots\r\nline four\r\n\r\nline six\r\n"
        mark, _ = self.deliver("topper", body)
        stored = self.stored_with("topper", mark)
        head_end = stored.index(b"\r\n\r\n") + 4
        header, stored_body = stored[:head_end], stored[head_end:]
        body_lines = re.findall(rb"[^\n]*\n", stored_body)
        self.assertEqual(b"".join(body_lines), body)
        p = self.login("topper")
        try:
            for n in (0, 1, 2, 3, 5, 6, 100):
                resp, lines, _ = p.top(1, n)
                self.assertTrue(resp.startswith(b"+OK"), resp)
                self.assertEqual(h.pop3_lines_to_bytes(lines),
                                 header + b"".join(body_lines[:n]), f"TOP 1 {n}")
            with self.assertRaises(poplib.error_proto):
                p.top(2, 0)  # no such message
        finally:
            self.quit(p)

    def test_list_and_uidl_single_and_multi_rfc1939_s5_s7(self):
        for i in range(3):
            self.deliver("lister", b"x" * (100 * (i + 1)) + b"\r\n")
        p = self.login("lister")
        try:
            sizes = self.sizes(p)
            self.assertEqual(sorted(sizes), [1, 2, 3])
            ids = self.uidls(p)
            self.assertEqual(sorted(ids), ["1", "2", "3"])
            self.assertEqual(len(set(ids.values())), 3, "unique-ids are unique in the maildrop")
            for uid in ids.values():
                # RFC 1939 §7: 1 to 70 characters in the range 0x21 to 0x7E.
                self.assertRegex(uid, r"^[\x21-\x7e]{1,70}$")
            for n in (1, 2, 3):
                self.assertEqual(p.list(n), f"+OK {n} {sizes[n]}".encode(), "LIST msg")
                self.assertEqual(p.uidl(n), f"+OK {n} {ids[str(n)]}".encode(), "UIDL msg")
                self.assertEqual(len(self.retr(p, n)), sizes[n],
                                 "LIST size = octets of RETR (before dot-stuffing)")
            for bad in (0, 4, 99999):
                for call in (p.list, p.uidl):
                    with self.assertRaises(poplib.error_proto) as e:
                        call(bad)
                    self.assertTrue(e.exception.args[0].startswith(b"-ERR"))
            with self.assertRaises(poplib.error_proto):
                p._shortcmd("LIST abc")
        finally:
            self.quit(p)

    def test_stat_and_list_sizes_are_the_exact_retr_octets_rfc1939_s5(self):
        """STAT's size is the sum of the messages' exact sizes (RFC 1939 §5: "exact size"),
        i.e. of what RETR sends with the byte-stuffing undone; RETR's +OK carries the same."""
        self.deliver("exact", b".\r\n..\r\n...\r\nplain\r\n")
        self.deliver("exact", "8-bit: Grüße, 日本語\r\n".encode())
        self.deliver("exact", b"y" * 3000 + b"\r\n")
        p = self.login("exact")
        try:
            count, total = p.stat()
            self.assertGreaterEqual(count, 3)
            sizes = self.sizes(p)
            got = 0
            for n in range(1, count + 1):
                resp, lines, octets = p.retr(n)
                data = h.pop3_lines_to_bytes(lines)
                self.assertEqual(len(data), sizes[n], f"message {n}")
                self.assertEqual(octets, sizes[n], f"poplib's octet count of message {n}")
                m = re.match(rb"\+OK (\d+) octets", resp)
                if m:  # the size in RETR's +OK is optional (RFC 1939 §7 example)
                    self.assertEqual(int(m.group(1)), sizes[n])
                got += len(data)
            self.assertEqual(total, got)
            self.assertEqual(total, sum(sizes.values()))
            self.assertEqual([len(m) for m in self.stored("exact")],
                             [sizes[n] for n in sorted(sizes)], "sizes are the stored octets")
        finally:
            self.quit(p)

    # --- byte-exact RETR ----------------------------------------------------------------------

    def test_retr_is_the_stored_message_octet_for_octet_rfc1939_s7(self):
        """Delivered over SMTP with lines starting "." and "..", a line that is just ".",
        raw 8-bit UTF-8 and a 4000-octet line: RETR gives back exactly the stored octets
        (stored = Return-Path + Received Hermod prepends + what was sent)."""
        body = (b"line\r\n.starts with a dot\r\n..two dots\r\n.\r\n..\r\n"
                + "8-bit: Grüße — 日本語 — ÆØÅ\r\n".encode()
                + b"L" * 4000 + b"\r\n"
                + b" .space dot\r\nend\r\n")
        mark, sent = self.deliver("alice", body)
        stored = self.stored_with("alice", mark)
        self.assertTrue(stored.endswith(sent), "what was sent is stored unchanged")
        self.assertTrue(stored.startswith(b"Return-Path: <sender@remote.test>\r\n"))
        for tls in (None, "stls", "implicit"):
            p = self.login("alice", tls=tls)
            try:
                sizes = self.sizes(p)
                found = 0
                for n in sizes:
                    resp, lines, _ = p.retr(n)
                    data = h.pop3_lines_to_bytes(lines)
                    if mark.encode() in data:
                        found += 1
                        self.assertEqual(data, stored, f"RETR over {tls or 'plain'}")
                        self.assertEqual(sizes[n], len(stored))
                self.assertEqual(found, 1)
            finally:
                self.quit(p)

    # --- TLS ----------------------------------------------------------------------------------

    def test_stls_rfc2595_then_login_and_retr(self):
        mark, _ = self.deliver("tls")
        stored = self.stored_with("tls", mark)
        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            self.assertIn("STLS", p.capa())
            resp = p.stls(self.ctx)
            self.assertTrue(resp.startswith(b"+OK"), resp)
            self.assertIsInstance(p.sock, ssl.SSLSocket)
            self.assertIsNotNone(p.sock.version())
            with self.assertRaises(poplib.error_proto) as e:
                p._shortcmd("STLS")  # RFC 2595 §4: not again once TLS is active
            self.assertTrue(e.exception.args[0].startswith(b"-ERR"))
            p.user(addr("tls"))
            self.assertTrue(p.pass_(USERS["tls"]).startswith(b"+OK"))
            got = [self.retr(p, n) for n in range(1, p.stat()[0] + 1)]
            self.assertEqual([m for m in got if mark.encode() in m], [stored])
        finally:
            self.quit(p)

    def test_pop3s_implicit_tls_rfc8314(self):
        mark, _ = self.deliver("tls")
        p = poplib.POP3_SSL("127.0.0.1", self.port("pop3s"), context=self.ctx, timeout=30)
        try:
            self.assertTrue(p.getwelcome().startswith(b"+OK"))
            self.assertIsNotNone(p.sock.version())
            self.assertNotIn("STLS", p.capa(), "no STLS inside implicit TLS")
            p.user(addr("tls"))
            p.pass_(USERS["tls"])
            data = [self.retr(p, n) for n in range(1, p.stat()[0] + 1)]
            self.assertEqual(sum(mark.encode() in d for d in data), 1)
        finally:
            self.quit(p)

    def test_pop3s_certificate_is_the_servers_for_localhost(self):
        """The implicit-TLS port presents the data folder's certificate (verified here)."""
        ctx = h.tls_context(self.data)
        sock = socket.create_connection(("127.0.0.1", self.port("pop3s")), 30)
        with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
            self.assertTrue(h.read_line(tls).startswith("+OK"))
            tls.sendall(b"QUIT\r\n")
            self.assertTrue(h.read_line(tls).startswith("+OK"))

    # --- SASL ---------------------------------------------------------------------------------

    def test_auth_plain_initial_response_rfc5034(self):
        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            p.stls(self.ctx)
            self.assertEqual(p.capa().get("SASL"), ["PLAIN", "LOGIN"])
            token = base64.b64encode(f"\0{addr('sasl')}\0{USERS['sasl']}".encode()).decode()
            resp = p._shortcmd(f"AUTH PLAIN {token}")
            self.assertTrue(resp.startswith(b"+OK"), resp)
            self.assertTrue(p.stat()[0] >= 0)
            with self.assertRaises(poplib.error_proto):
                p._shortcmd(f"AUTH PLAIN {token}")  # not in TRANSACTION state
        finally:
            self.quit(p)

    def test_auth_plain_without_initial_response_rfc5034(self):
        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            resp = p._shortcmd("AUTH PLAIN")
            self.assertTrue(resp.startswith(b"+ ") or resp == b"+", resp)
            token = base64.b64encode(f"\0{addr('sasl')}\0{USERS['sasl']}".encode()).decode()
            resp = p._shortcmd(token)
            self.assertTrue(resp.startswith(b"+OK"), resp)
        finally:
            self.quit(p)

    def test_auth_login_rfc5034(self):
        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            p.stls(self.ctx)
            resp = p._shortcmd("AUTH LOGIN")
            self.assertTrue(resp.startswith(b"+ "), resp)
            base64.b64decode(resp[2:], validate=True)  # RFC 5034 §4: base64 challenge
            resp = p._shortcmd(base64.b64encode(addr("sasl").encode()).decode())
            self.assertTrue(resp.startswith(b"+ "), resp)
            resp = p._shortcmd(base64.b64encode(USERS["sasl"].encode()).decode())
            self.assertTrue(resp.startswith(b"+OK"), resp)
            self.assertGreaterEqual(p.stat()[0], 0)
        finally:
            self.quit(p)

    def test_auth_cancelled_with_star_rfc5034_s4(self):
        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            self.assertTrue(p._shortcmd("AUTH LOGIN").startswith(b"+ "))
            with self.assertRaises(poplib.error_proto) as e:
                p._shortcmd("*")
            self.assertTrue(e.exception.args[0].startswith(b"-ERR"))
            p.user(addr("sasl"))  # still in AUTHORIZATION
            self.assertTrue(p.pass_(USERS["sasl"]).startswith(b"+OK"))
        finally:
            self.quit(p)

    # --- CAPA, wrong password, APOP -----------------------------------------------------------

    def test_capa_rfc2449_s5_s6(self):
        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            capa = p.capa()
            for name in ("TOP", "UIDL", "USER", "RESP-CODES", "PIPELINING", "SASL", "STLS",
                         "EXPIRE", "IMPLEMENTATION"):
                self.assertIn(name, capa, f"CAPA before login lacks {name}: {capa}")
            self.assertEqual(capa["SASL"], ["PLAIN", "LOGIN"])
            self.assertEqual(capa["EXPIRE"], ["NEVER"], "default expire_retrieved = false")
            self.assertTrue(capa["IMPLEMENTATION"], "IMPLEMENTATION has a value")
            p.stls(self.ctx)
            after_tls = p.capa()
            self.assertNotIn("STLS", after_tls, "RFC 2595 §4: no STLS once TLS is active")
            for name in ("TOP", "UIDL", "USER", "SASL", "RESP-CODES", "PIPELINING"):
                self.assertIn(name, after_tls)
            p.user(addr("alice"))
            p.pass_(USERS["alice"])
            in_transaction = p.capa()
            for name in ("TOP", "UIDL", "RESP-CODES", "PIPELINING", "EXPIRE"):
                self.assertIn(name, in_transaction)
        finally:
            self.quit(p)

    def test_wrong_password_gets_auth_code_after_a_delay_rfc3206(self):
        """RFC 3206 §4 [AUTH]; the failure is answered only after a delay, and a failed PASS
        needs a new USER (RFC 1939 §7)."""
        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            p.user(addr("wrongpw"))
            start = time.monotonic()
            with self.assertRaises(poplib.error_proto) as e:
                p.pass_("not-the-password")
            elapsed = time.monotonic() - start
            self.assertTrue(e.exception.args[0].startswith(b"-ERR [AUTH]"), e.exception.args)
            self.assertNotIn(b"not-the-password", e.exception.args[0])
            self.assertGreaterEqual(elapsed, 0.5, "a failed login is answered after a delay")
            with self.assertRaises(poplib.error_proto):
                p.pass_(USERS["wrongpw"])  # USER must come again
            p.user(addr("wrongpw"))
            self.assertTrue(p.pass_(USERS["wrongpw"]).startswith(b"+OK"))
        finally:
            self.quit(p)

    def test_unknown_user_gets_the_same_auth_answer_rfc3206(self):
        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            self.assertTrue(p.user(addr("nobody-" + uuid.uuid4().hex[:6])).startswith(b"+OK"))
            with self.assertRaises(poplib.error_proto) as e:
                p.pass_("whatever")
            self.assertTrue(e.exception.args[0].startswith(b"-ERR [AUTH]"), e.exception.args)
        finally:
            self.quit(p)

    def test_apop_refused_and_no_timestamp_in_greeting_rfc1939_s7(self):
        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            self.assertNotIn(b"<", p.getwelcome())  # no APOP timestamp
            with self.assertRaises(poplib.error_proto):
                p._shortcmd(f"APOP {addr('alice')} 0123456789abcdef0123456789abcdef")
        finally:
            self.quit(p)

    def test_transaction_commands_before_login_refused_rfc1939_s3(self):
        p = poplib.POP3("127.0.0.1", self.port("pop3"), timeout=30)
        try:
            for cmd in ("STAT", "LIST", "RETR 1", "DELE 1", "UIDL", "TOP 1 0", "RSET"):
                with self.assertRaises(poplib.error_proto) as e:
                    p._shortcmd(cmd)
                self.assertTrue(e.exception.args[0].startswith(b"-ERR"), cmd)
        finally:
            self.quit(p)


if __name__ == "__main__":
    unittest.main(verbosity=2)
