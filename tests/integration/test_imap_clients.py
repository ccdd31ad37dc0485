"""IMAP with Python's imaplib against `hermod serve`.

A full client session over imaps (implicit TLS, the server's self-signed certificate verified for
"localhost") and over imap with STARTTLS: LOGIN, CAPABILITY, LIST, SELECT, FETCH (ENVELOPE,
BODYSTRUCTURE, BODY.PEEK[], partial BODY[]<0.100>, HEADER.FIELDS), SEARCH, STORE, COPY, MOVE,
EXPUNGE, LOGOUT; messages delivered over SMTP come back in BODY[] octet for octet as stored
(`hermod export --crlf`, which also holds the Return-Path/Received fields delivery prepends).
APPEND to the \\Sent mailbox (RFC 6154) with APPENDUID (RFC 4315) and a byte-exact copy, APPEND
of bare-LF text stored with CRLF, CREATE/RENAME/DELETE, a modified UTF-7 name ("Entwürfe"),
AUTHENTICATE PLAIN, IDLE (raw commands: imaplib has no IDLE helper) and a 20 MiB message read
with partial fetches.
RFCs: 9051/3501 (IMAP), 2595/8314 (TLS), 2177 (IDLE), 4315 (UIDPLUS), 4959 (SASL-IR),
4616 (PLAIN), 6154 (SPECIAL-USE), 6851 (MOVE).
"""

import base64
import imaplib
import os
import re
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

DOMAIN = "example.org"
NAMES = ("alice", "starttls", "sent", "lf", "folders", "sasl", "idler", "big")
USERS = {name: f"pw-{name}-{uuid.uuid4().hex[:12]}" for name in NAMES}


def addr(name):
    return f"{name}@{DOMAIN}"


def marker():
    return "m" + uuid.uuid4().hex


def message(mark, body=b"Hello.\r\n", to="alice@example.org", extra=b""):
    return (f"From: Sender Name <sender@remote.test>\r\nTo: <{to}>\r\nSubject: {mark}\r\n"
            f"Message-ID: <{mark}@remote.test>\r\nDate: Mon, 23 Nov 2026 11:00:00 +0000\r\n"
            ).encode() + extra + b"\r\n" + body


MULTIPART = (b"MIME-Version: 1.0\r\n"
             b'Content-Type: multipart/mixed; boundary="b1"\r\n')
MULTIPART_BODY = (b"preamble\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                  + "Grüße\r\n".encode() +
                  b"--b1\r\nContent-Type: application/octet-stream; name=a.bin\r\n"
                  b"Content-Transfer-Encoding: base64\r\n"
                  b"Content-Disposition: attachment; filename=a.bin\r\n\r\n"
                  b"AAECAwQ=\r\n--b1--\r\n")


def ok(result):
    typ, data = result
    if typ != "OK":
        raise AssertionError(f"{typ} {data!r}")
    return data


def literal_of(data):
    """The first literal in an imaplib FETCH answer."""
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    raise AssertionError(f"no literal in {data!r}")


class ImapClientsTest(h.MailServerTest):
    DOMAIN = DOMAIN
    USERS = USERS

    @classmethod
    def prepare(cls):
        cls.ctx = h.tls_context(cls.data)

    def deliver(self, name, body=b"Hello.\r\n", extra=b""):
        mark = marker()
        sent = message(mark, body, to=addr(name), extra=extra)
        h.smtp_deliver(self.port("smtp"), addr(name), sent)
        return mark, sent

    def stored_with(self, name, mark, mailbox="INBOX"):
        copies = [m for m in h.export(self.data, addr(name), mailbox) if mark.encode() in m]
        self.assertEqual(len(copies), 1, f"{addr(name)} {mailbox} should hold one copy of {mark}")
        return copies[0]

    def login(self, name, tls="implicit"):
        m = h.imap_login(self.port("imaps" if tls == "implicit" else "imap"), addr(name),
                         USERS[name], tls=tls, ctx=self.ctx)
        self.addCleanup(self._logout, m)
        return m

    @staticmethod
    def _logout(m):
        try:
            m.logout()
        except Exception:
            pass

    # --- the full session ------------------------------------------------------------------

    def full_session(self, m, name):
        marks, sents = [], []
        for i in range(3):
            mark, sent = self.deliver(name, f"Body {i}.\r\n".encode() * 30)
            marks.append(mark)
            sents.append(sent)
        mmark, _ = self.deliver(name, MULTIPART_BODY, extra=MULTIPART)

        caps = ok(m.capability())[0].decode().upper().split()
        for c in ("IMAP4REV1", "IMAP4REV2", "IDLE", "UIDPLUS", "MOVE", "SPECIAL-USE"):
            self.assertIn(c, caps)

        listed = [l.decode() for l in ok(m.list())]
        names = {re.search(r'"/" "?([^"]*)"?$', l).group(1): l for l in listed}
        self.assertIn("INBOX", names)
        self.assertIn("\\Sent", names["Sent"])
        self.assertIn("\\Archive", names["Archive"])

        typ, data = m.select("INBOX")
        self.assertEqual(typ, "OK")
        self.assertEqual(int(data[0]), 4)
        self.assertTrue(m.untagged_responses.get("UIDVALIDITY", [b""])[0].isdigit())

        # BODY.PEEK[] octet for octet as stored (and the part after the added trace fields is
        # what SMTP delivered); PEEK leaves \Seen unset.
        for i in range(1, 5):
            body = literal_of(ok(m.fetch(str(i), "(BODY.PEEK[])")))
            mark = (marks + [mmark])[i - 1]
            self.assertEqual(body, self.stored_with(name, mark))
            if i <= 3:
                self.assertTrue(body.endswith(sents[i - 1]))
                self.assertTrue(body.startswith(b"Return-Path: <sender@remote.test>\r\n"))
        flags = ok(m.fetch("1:4", "(FLAGS)"))
        self.assertFalse(any(b"\\Seen" in f for f in flags), flags)

        # ENVELOPE and BODYSTRUCTURE
        env = ok(m.fetch("1", "(ENVELOPE)"))[0]
        self.assertIn(f'"{marks[0]}"'.encode(), env)
        self.assertIn(b'(("Sender Name" NIL "sender" "remote.test"))', env)
        self.assertIn(f'"<{marks[0]}@remote.test>"'.encode(), env)
        self.assertIn(b'"Mon, 23 Nov 2026 11:00:00 +0000"', env)
        bs = ok(m.fetch("1", "(BODYSTRUCTURE)"))[0]
        self.assertIn(b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 270 30', bs)
        bs4 = ok(m.fetch("4", "(BODYSTRUCTURE)"))[0]
        self.assertRegex(bs4, rb'\(\("text" "plain" \("charset" "utf-8"\) NIL NIL "7bit" 7 0 '
                              rb'NIL NIL NIL NIL\)\("application" "octet-stream" \("name" "a.bin"\)'
                              rb' NIL NIL "base64" 8 NIL \("attachment" \("filename" "a.bin"\)\)'
                              rb' NIL NIL\) "mixed" \("boundary" "b1"\) NIL NIL NIL\)')
        part = literal_of(ok(m.fetch("4", "(BODY.PEEK[1])")))
        # the CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1)
        self.assertEqual(part, "Grüße".encode())
        part2 = literal_of(ok(m.fetch("4", "(BODY.PEEK[2.MIME])")))
        self.assertTrue(part2.startswith(b"Content-Type: application/octet-stream"), part2)
        self.assertTrue(part2.endswith(b"\r\n\r\n"))

        # partial BODY[]<0.100> (not PEEK: sets \Seen), and HEADER.FIELDS
        stored1 = self.stored_with(name, marks[0])
        data = ok(m.fetch("1", "(BODY[]<0.100>)"))
        self.assertIn(b"BODY[]<0> {100}", data[0][0])
        self.assertEqual(data[0][1], stored1[:100])
        data = ok(m.fetch("1", "(BODY.PEEK[]<150.100000>)"))
        self.assertEqual(literal_of(data), stored1[150:])
        self.assertIn(b"\\Seen", ok(m.fetch("1", "(FLAGS)"))[0])
        hf = literal_of(ok(m.fetch("2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])")))
        self.assertEqual(hf, f"From: Sender Name <sender@remote.test>\r\nSubject: {marks[1]}"
                             "\r\n\r\n".encode())
        hf = literal_of(ok(m.fetch("2", "(BODY.PEEK[HEADER.FIELDS.NOT (RECEIVED RETURN-PATH)])")))
        self.assertEqual(hf, h.header_block(sents[1]) + b"\r\n")

        # SEARCH
        self.assertEqual(ok(m.search(None, "SUBJECT", marks[2]))[0], b"3")
        self.assertEqual(ok(m.search(None, "UNSEEN"))[0].split(), [b"2", b"3", b"4"])
        self.assertEqual(ok(m.search(None, "BODY", '"Body 1."'))[0], b"2")
        self.assertEqual(ok(m.search(None, "ALL"))[0].split(), [b"1", b"2", b"3", b"4"])

        # STORE
        data = ok(m.store("2", "+FLAGS", "(\\Flagged $Label1)"))
        self.assertIn(b"\\Flagged", data[0])
        self.assertIn(b"$Label1", data[0])
        ok(m.store("2", "-FLAGS.SILENT", "($Label1)"))
        f2 = ok(m.fetch("2", "(FLAGS)"))[0]
        self.assertIn(b"\\Flagged", f2)
        self.assertNotIn(b"$Label1", f2)
        self.assertEqual(ok(m.search(None, "FLAGGED"))[0], b"2")

        # COPY (COPYUID) and MOVE
        typ, data = m.copy("2", "Archive")
        self.assertEqual(typ, "OK")
        self.assertIn(b"COPYUID", data[0])
        typ, data = m._simple_command("MOVE", "3", "Archive")
        self.assertEqual(typ, "OK", data)
        self.assertEqual(ok(m.search(None, "ALL"))[0].split(), [b"1", b"2", b"3"])
        archive = h.export(self.data, addr(name), "Archive")
        self.assertEqual(len(archive), 2)
        self.assertTrue(archive[0].endswith(sents[1]))
        self.assertTrue(archive[1].endswith(sents[2]))
        ok(m.select("Archive", readonly=True))
        self.assertIn(b"\\Flagged", ok(m.fetch("1", "(FLAGS)"))[0])
        ok(m.select("INBOX"))

        # EXPUNGE
        ok(m.store("1", "+FLAGS", "(\\Deleted)"))
        data = ok(m.expunge())
        self.assertEqual(data, [b"1"])
        self.assertEqual(ok(m.search(None, "ALL"))[0].split(), [b"1", b"2"])
        self.assertEqual(len(h.export(self.data, addr(name))), 2)
        ok(m.close())
        typ, data = m.logout()
        self.assertEqual(typ, "BYE")

    def test_imaps_full_session_verified_certificate(self):
        """imaps (RFC 8314) with the certificate verified for "localhost": the whole session."""
        m = self.login("alice", tls="implicit")
        self.full_session(m, "alice")

    def test_starttls_full_session(self):
        """imap with STARTTLS (RFC 9051 §6.2.1), verified; CAPABILITY changes after TLS."""
        m = imaplib.IMAP4("127.0.0.1", self.port("imap"), timeout=30)
        self.addCleanup(self._logout, m)
        self.assertIn("STARTTLS", m.capabilities)
        ok(m.starttls(ssl_context=self.ctx))
        self.assertNotIn("STARTTLS", m.capabilities)
        self.assertIn("AUTH=PLAIN", m.capabilities)
        m.login(addr("starttls"), USERS["starttls"])
        self.full_session(m, "starttls")

    def test_wrong_password_is_no_authenticationfailed(self):
        m = imaplib.IMAP4_SSL("127.0.0.1", self.port("imaps"), ssl_context=self.ctx, timeout=30)
        self.addCleanup(self._logout, m)
        with self.assertRaises(imaplib.IMAP4.error) as cm:
            m.login(addr("alice"), "wrong")
        self.assertIn("AUTHENTICATIONFAILED", str(cm.exception))

    # --- APPEND ------------------------------------------------------------------------------

    def test_append_to_sent_special_use_appenduid_byte_exact(self):
        """RFC 6154: the \\Sent mailbox is found by LIST (SPECIAL-USE); APPEND there answers
        APPENDUID (RFC 4315) with the mailbox's UIDVALIDITY and the new UID, and the stored
        copy, its flags and its internal date are what was sent."""
        m = self.login("sent")
        ok(m._simple_command("LIST", '(SPECIAL-USE)', '""', '"*"'))
        data = m.untagged_responses.pop("LIST", [])
        sent = [l for l in data if b"\\Sent" in l]
        self.assertEqual(len(sent), 1, data)
        box = sent[0].decode().rsplit(" ", 1)[1].strip('"')
        self.assertEqual(box, "Sent")
        mark = marker()
        msg = message(mark, "8-bit: Grüße\r\n".encode() + b"x" * 2000 + b"\r\nlast line",
                      to="someone@remote.test")
        date = imaplib.Time2Internaldate(time.mktime((2025, 3, 4, 5, 6, 7, 0, 0, -1)))
        typ, data = m.append(box, "(\\Seen $Sent)", date, msg)
        self.assertEqual(typ, "OK")
        found = re.search(rb"\[APPENDUID (\d+) (\d+)\]", data[0])
        self.assertTrue(found, data)
        typ, _ = m.select(box)
        self.assertEqual(m.untagged_responses["UIDVALIDITY"][0], found.group(1))
        uid = found.group(2).decode()
        data = ok(m.uid("FETCH", uid, "(BODY.PEEK[] FLAGS INTERNALDATE RFC822.SIZE)"))
        self.assertEqual(literal_of(data), msg)
        # mbox export ends the last line of a message that lacks a final CRLF
        self.assertEqual(h.export(self.data, addr("sent"), "Sent"), [msg + b"\r\n"])
        meta = data[0][0] + data[1]
        self.assertIn(b"\\Seen", meta)
        self.assertIn(b"$Sent", meta)
        self.assertIn(f"RFC822.SIZE {len(msg)}".encode(), meta)
        self.assertEqual(imaplib.Internaldate2tuple(meta)[:6], time.localtime(
            time.mktime((2025, 3, 4, 5, 6, 7, 0, 0, -1)))[:6])
        # APPEND to a mailbox that does not exist: NO [TRYCREATE]
        typ, data = m.append("NoSuchBox", None, None, msg)
        self.assertEqual(typ, "NO")
        self.assertIn(b"TRYCREATE", data[0])

    def test_append_bare_lf_is_stored_with_crlf(self):
        m = self.login("lf")
        mark = marker()
        lf = f"From: a@b.test\nSubject: {mark}\n\nline one\nline two\r\nthree\n".encode()
        # imaplib converts line endings itself; send the literal raw to keep the bare LFs.
        tag = m._new_tag()
        m.send(tag + f" APPEND INBOX {{{len(lf)}+}}\r\n".encode() + lf + b"\r\n")
        while True:
            line = m.readline()
            if line.startswith(tag):
                break
        self.assertIn(b" OK ", line)
        expected = lf.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        self.assertEqual(h.export(self.data, addr("lf")), [expected])
        ok(m.select("INBOX"))
        data = ok(m.fetch("1", "(BODY.PEEK[] RFC822.SIZE)"))
        self.assertEqual(literal_of(data), expected)
        self.assertIn(f"RFC822.SIZE {len(expected)}".encode(), data[0][0] + data[1])

    # --- mailboxes -------------------------------------------------------------------------

    def test_create_rename_delete_and_modified_utf7(self):
        m = self.login("folders")
        name = "Entwürfe"
        encoded = name.encode("utf-7").replace(b"+", b"&").replace(b"/", b",").decode()
        self.assertEqual(encoded, "Entw&APw-rfe")  # RFC 3501 §5.1.3 modified UTF-7
        ok(m.create(encoded))
        listed = ok(m.list('""', "Entw*"))
        self.assertEqual(len(listed), 1, listed)
        self.assertTrue(listed[0].endswith(b' "/" Entw&APw-rfe') or
                        listed[0].endswith(b' "/" "Entw&APw-rfe"'), listed)
        back = listed[0].rsplit(b" ", 1)[1].strip(b'"').replace(b"&", b"+").replace(b",", b"/")
        self.assertEqual(back.decode("utf-7"), name)
        msg = message(marker(), to="folders@example.org")
        ok(m.append(encoded, None, None, msg))
        self.assertEqual(h.export(self.data, addr("folders"), name), [msg])

        ok(m.create("Projects/2026"))
        listed = b"\n".join(ok(m.list('""', "Projects*")))
        self.assertIn(b"\\HasChildren", listed)
        ok(m.rename("Projects", "Work"))
        listed = b"\n".join(ok(m.list('""', "*")))
        self.assertIn(b'"/" Work/2026', listed)
        self.assertNotIn(b"Projects", listed)
        ok(m.rename(encoded, "Drafts-old"))
        self.assertEqual(h.export(self.data, addr("folders"), "Drafts-old"), [msg])
        ok(m.delete("Work/2026"))
        ok(m.delete("Drafts-old"))
        listed = b"\n".join(ok(m.list('""', "*")))
        self.assertNotIn(b"Drafts-old", listed)
        self.assertNotIn(b"2026", listed)
        self.assertEqual(m.delete("INBOX")[0], "NO")
        self.assertEqual(m.create("INBOX")[0], "NO")
        # STATUS of the renamed tree's remainder
        data = ok(m.status("Work", "(MESSAGES UIDNEXT)"))
        self.assertIn(b"MESSAGES 0", data[0])

    def test_authenticate_plain(self):
        """AUTHENTICATE PLAIN (RFC 4616) via imaplib, and with the initial response inline
        (SASL-IR, RFC 4959) via a raw command."""
        m = imaplib.IMAP4_SSL("127.0.0.1", self.port("imaps"), ssl_context=self.ctx, timeout=30)
        self.addCleanup(self._logout, m)
        typ, data = m.authenticate(
            "PLAIN", lambda _: f"\0{addr('sasl')}\0{USERS['sasl']}".encode())
        self.assertEqual(typ, "OK")
        self.assertEqual(m.state, "AUTH")
        ok(m.select("INBOX"))
        with h.ImapConn(self.port("imaps"), tls=self.ctx) as c:
            ir = base64.b64encode(f"\0{addr('sasl')}\0{USERS['sasl']}".encode()).decode()
            _, status = c.command(f"AUTHENTICATE PLAIN {ir}")
            self.assertRegex(status, rb"^T1 OK")
            bad = base64.b64encode(f"\0{addr('sasl')}\0nope".encode()).decode()
        with h.ImapConn(self.port("imaps"), tls=self.ctx) as c:
            _, status = c.command(f"AUTHENTICATE PLAIN {bad}")
            self.assertRegex(status, rb"^T1 NO \[AUTHENTICATIONFAILED\]")

    # --- IDLE ----------------------------------------------------------------------------------

    def test_idle_sees_smtp_delivery(self):
        """IDLE (RFC 2177) by raw commands: '+ idling', an SMTP delivery shows up as untagged
        EXISTS within 2 s, DONE ends it with a tagged OK."""
        m = self.login("idler")
        ok(m.select("INBOX"))
        tag = m._new_tag()
        m.send(tag + b" IDLE\r\n")
        self.assertTrue(m.readline().startswith(b"+"))
        self.deliver("idler")
        delivered = time.monotonic()
        m.sock.settimeout(5)
        line = m.readline()
        self.assertEqual(line, b"* 1 EXISTS\r\n")
        self.assertLess(time.monotonic() - delivered, 2.0)
        m.send(b"DONE\r\n")
        lines = []
        for _ in range(10):
            lines.append(m.readline())
            if lines[-1].startswith(tag):
                break
        self.assertRegex(lines[-1], tag + rb" OK")
        ok(m.noop())

    # --- large message --------------------------------------------------------------------------

    def test_20mib_message_partial_fetch(self):
        m = self.login("big")
        line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_=+*/\r\n"
        body = line * ((20 << 20) // len(line) + 1)
        msg = message(marker(), body, to="big@example.org")
        self.assertGreater(len(msg), 20 << 20)
        typ, data = m.append("INBOX", None, None, msg)
        self.assertEqual(typ, "OK", data)
        ok(m.select("INBOX"))
        data = ok(m.fetch("1", "(RFC822.SIZE)"))
        self.assertIn(f"RFC822.SIZE {len(msg)}".encode(), data[0])
        for start, count in ((0, 1000), (10 << 20, 4096), (len(msg) - 100, 1000)):
            data = ok(m.fetch("1", f"(BODY.PEEK[]<{start}.{count}>)"))
            self.assertEqual(literal_of(data), msg[start:start + count], (start, count))
        data = ok(m.fetch("1", "(BODY.PEEK[TEXT]<5000000.100>)"))
        text = msg[msg.index(b"\r\n\r\n") + 4:]
        self.assertEqual(literal_of(data), text[5000000:5000100])
        bs = ok(m.fetch("1", "(BODYSTRUCTURE)"))[0]
        lines = body.count(b"\n")
        self.assertIn(f'"7bit" {len(body)} {lines}'.encode(), bs)


if __name__ == "__main__":
    unittest.main(verbosity=2)
