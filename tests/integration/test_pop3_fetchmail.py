"""Real POP3 downloaders against `hermod serve`: fetchmail (STLS with the server certificate
verified, and plain on loopback) and getmail6 (pop3s with the certificate verified, and plain),
each in keep and delete mode, delivering into a local Maildir. The delivered files must be the
messages Hermod stored (`hermod export --crlf`), octet for octet up to the line endings the
client writes (fetchmail with `no stripcr` hands its MDA the CRLF lines unchanged, and
`--invisible` keeps it from adding a Received field; getmail writes LF line ends).
RFCs: 1939 (POP3), 2449 (CAPA), 2595 (STLS), 8314 (implicit TLS).
"""

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

DOMAIN = "example.org"
NAMES = ("fmkeep", "fmdel", "gmkeep", "gmdel")
USERS = {name: f"pw-{name}-{uuid.uuid4().hex[:12]}" for name in NAMES}

FETCHMAIL = shutil.which("fetchmail")
GETMAIL = shutil.which("getmail")

# Written into the temp folder and run by fetchmail as its MDA: one Maildir file per message,
# the bytes exactly as fetchmail hands them over.
DELIVER_TO_MAILDIR = r'''
import os, sys, time, uuid
maildir = sys.argv[1]
data = sys.stdin.buffer.read()
name = "%d.%s.test" % (time.time(), uuid.uuid4().hex)
tmp = os.path.join(maildir, "tmp", name)
with open(tmp, "wb") as f:
    f.write(data)
os.rename(tmp, os.path.join(maildir, "new", name))
'''


def addr(name):
    return f"{name}@{DOMAIN}"


def bodies():
    """Message bodies that exercise byte-stuffing, 8-bit text and a long line."""
    return [
        b"Plain body.\r\n",
        b"line\r\n.starts with a dot\r\n..two dots\r\n.\r\n..\r\nend\r\n",
        "8-bit: Grüße — 日本語\r\n".encode() + b"L" * 3000 + b"\r\n",
    ]


def make_maildir(root):
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return root


def maildir_messages(root):
    files = sorted((root / "new").iterdir()) + sorted((root / "cur").iterdir())
    return [f.read_bytes() for f in files]


class Pop3DownloadersTest(h.MailServerTest):
    DOMAIN = DOMAIN
    USERS = USERS

    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="hermod-pop3-client-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.cert = self.data / "tls" / "cert.pem"

    def deliver_all(self, name):
        marks = []
        for body in bodies():
            mark = "m" + uuid.uuid4().hex
            msg = (f"From: <sender@remote.test>\r\nTo: <{addr(name)}>\r\nSubject: {mark}\r\n"
                   f"Message-ID: <{mark}@remote.test>\r\n\r\n").encode() + body
            h.smtp_deliver(self.port("smtp"), addr(name), msg)
            marks.append(mark)
        stored = h.export(self.data, addr(name))
        self.assertEqual(len(stored), len(marks))
        return stored

    def assert_same_messages(self, got, stored, transform=lambda m: m):
        """`got` (Maildir files) are the stored messages after `transform`, in any order."""
        self.assertEqual(len(got), len(stored), f"{len(got)} files for {len(stored)} messages")
        want = sorted(transform(m) for m in stored)
        got = sorted(got)
        for g, w in zip(got, want):
            if g != w:
                self.fail(f"delivered file differs from the stored message:\n"
                          f"got  {g[:400]!r}\nwant {w[:400]!r}")

    def run_tool(self, args, env=None, timeout=60):
        out = subprocess.run(args, capture_output=True, timeout=timeout, env=env,
                             cwd=self.tmp)
        return out.returncode, (out.stdout + out.stderr).decode("utf-8", "replace")

    # --- fetchmail ----------------------------------------------------------------------------

    def fetchmail(self, name, maildir, keep, tls):
        """Runs fetchmail once; returns (exit code, output). 0 = mail delivered, 1 = none."""
        script = self.tmp / "deliver_to_maildir.py"
        script.write_text(DELIVER_TO_MAILDIR)
        if tls:
            # STLS required (sslproto without ssl), the server's self-signed certificate as
            # the only trust anchor, its name "localhost".
            tls_opts = (f'sslproto "tls1.2+" sslcertck sslcertfile "{self.cert}" '
                        'sslcommonname "localhost"')
        else:
            tls_opts = 'sslproto ""'  # no STLS: plaintext is allowed on loopback
        rc = self.tmp / "fetchmailrc"
        rc.write_text(
            f'poll 127.0.0.1 protocol pop3 service {self.port("pop3")} timeout 30'
            f'{" uidl" if keep else ""}\n'
            f'  user "{addr(name)}" there with password "{USERS[name]}" is root here\n'
            f'  {tls_opts}\n'
            f'  {"keep" if keep else "nokeep fetchall"} no rewrite no stripcr\n'
            f'  mda "{sys.executable} {script} {maildir}"\n')
        rc.chmod(0o600)
        env = dict(os.environ, HOME=str(self.tmp), FETCHMAILHOME=str(self.tmp))
        return self.run_tool([FETCHMAIL, "-f", str(rc), "--nosyslog", "--nodetach",
                              "--pidfile", str(self.tmp / "fetchmail.pid"),
                              "--idfile", str(self.tmp / "fetchids"), "--invisible", "-v"],
                             env=env)

    @unittest.skipUnless(FETCHMAIL, "fetchmail is not installed (scripts/install-deps)")
    def test_fetchmail_stls_keep_mode_then_uidl_skips_seen(self):
        """fetchmail over STLS (RFC 2595) with the certificate verified, keep + uidl: all
        messages delivered byte-exact, all still on the server; a second run fetches none."""
        stored = self.deliver_all("fmkeep")
        maildir = make_maildir(self.tmp / "Maildir")
        code, out = self.fetchmail("fmkeep", maildir, keep=True, tls=True)
        self.assertEqual(code, 0, out)
        self.assertIn("STLS", out, "fetchmail used STLS")
        self.assert_same_messages(maildir_messages(maildir), stored)
        self.assertEqual(h.export(self.data, addr("fmkeep")), stored, "keep: all stay")

        code, out = self.fetchmail("fmkeep", maildir, keep=True, tls=True)
        self.assertEqual(code, 1, "second run: no new mail (UIDL remembered)\n" + out)
        self.assertEqual(len(maildir_messages(maildir)), len(stored))
        self.assertEqual(h.export(self.data, addr("fmkeep")), stored)

    @unittest.skipUnless(FETCHMAIL, "fetchmail is not installed (scripts/install-deps)")
    def test_fetchmail_plain_loopback_delete_mode(self):
        """fetchmail without TLS on loopback, nokeep: delivered byte-exact, then deleted."""
        stored = self.deliver_all("fmdel")
        maildir = make_maildir(self.tmp / "Maildir")
        code, out = self.fetchmail("fmdel", maildir, keep=False, tls=False)
        self.assertEqual(code, 0, out)
        self.assert_same_messages(maildir_messages(maildir), stored)
        self.assertEqual(h.export(self.data, addr("fmdel")), [], "nokeep: DELE + QUIT\n" + out)
        code, out = self.fetchmail("fmdel", maildir, keep=False, tls=False)
        self.assertEqual(code, 1, out)

    # --- getmail6 -----------------------------------------------------------------------------

    def getmail(self, name, maildir, delete, tls):
        gmdir = self.tmp / "getmail"
        gmdir.mkdir(exist_ok=True)
        if tls:
            retriever = (f"type = SimplePOP3SSLRetriever\nport = {self.port('pop3s')}\n"
                         f"ca_certs = {self.cert}\nssl_cert_hostname = localhost\n")
        else:
            retriever = f"type = SimplePOP3Retriever\nport = {self.port('pop3')}\n"
        user = ""
        if os.geteuid() == 0:
            # getmail refuses to write a Maildir as root: deliver as "nobody".
            user = "user = nobody\n"
            self.tmp.chmod(0o755)
            for d in [maildir] + [maildir / sub for sub in ("cur", "new", "tmp")]:
                shutil.chown(d, "nobody")
        rc = gmdir / "getmailrc"
        rc.write_text(
            "[retriever]\n" + retriever +
            f"server = 127.0.0.1\nusername = {addr(name)}\npassword = {USERS[name]}\n"
            "timeout = 30\n\n"
            f"[destination]\ntype = Maildir\npath = {maildir}/\n{user}\n"
            f"[options]\nverbose = 2\nread_all = false\ndelete = {str(delete).lower()}\n"
            "delivered_to = false\nreceived = false\n")
        rc.chmod(0o600)
        env = dict(os.environ, HOME=str(self.tmp))
        return self.run_tool([GETMAIL, "--getmaildir", str(gmdir), "--rcfile", "getmailrc"],
                             env=env)

    @staticmethod
    def lf(message):
        return message.replace(b"\r\n", b"\n")

    @unittest.skipUnless(GETMAIL, "getmail6 is not installed (scripts/install-deps)")
    def test_getmail_pop3s_keep_mode_then_skips_seen(self):
        """getmail over pop3s (RFC 8314) with the certificate verified, delete = false: all
        messages delivered (LF line ends), all still on the server; a second run gets none."""
        stored = self.deliver_all("gmkeep")
        maildir = make_maildir(self.tmp / "Maildir")
        code, out = self.getmail("gmkeep", maildir, delete=False, tls=True)
        self.assertEqual(code, 0, out)
        self.assert_same_messages(maildir_messages(maildir), stored, self.lf)
        self.assertEqual(h.export(self.data, addr("gmkeep")), stored, "keep: all stay")
        code, out = self.getmail("gmkeep", maildir, delete=False, tls=True)
        self.assertEqual(code, 0, out)
        self.assertEqual(len(maildir_messages(maildir)), len(stored),
                         "second run: nothing new (UIDLs remembered)\n" + out)

    @unittest.skipUnless(GETMAIL, "getmail6 is not installed (scripts/install-deps)")
    def test_getmail_plain_loopback_delete_mode(self):
        stored = self.deliver_all("gmdel")
        maildir = make_maildir(self.tmp / "Maildir")
        code, out = self.getmail("gmdel", maildir, delete=True, tls=False)
        self.assertEqual(code, 0, out)
        self.assert_same_messages(maildir_messages(maildir), stored, self.lf)
        self.assertEqual(h.export(self.data, addr("gmdel")), [], "delete = true\n" + out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
