"""NeoMutt (Debian's neomutt, driven in a detached tmux session) against `hermod serve` over
imaps with the server's self-signed certificate trusted through certificate_file: the INBOX
index shows the subject of a message delivered over SMTP, Enter opens it and shows the body,
`s` `=Archive` saves it to the Archive mailbox and `$` syncs the deletion; imaplib then finds the
message (octet for octet) in Archive and no longer in INBOX.
RFCs: 9051 (IMAP), 8314 (implicit TLS), 6154 (the Archive special-use mailbox).
"""

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

DOMAIN = "example.org"
USER = "mutt"
PASSWORD = f"pw-mutt-{uuid.uuid4().hex[:12]}"
NEOMUTT = shutil.which("neomutt")
TMUX = shutil.which("tmux")


def addr(name):
    return f"{name}@{DOMAIN}"


@unittest.skipUnless(NEOMUTT and TMUX, "neomutt and tmux are needed (scripts/install-deps)")
class NeomuttTest(h.MailServerTest):
    DOMAIN = DOMAIN
    USERS = {USER: PASSWORD}

    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="hermod-neomutt-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.socket = str(self.tmp / "tmux.sock")  # a private tmux server, nothing shared
        self.session = "mutt"

    def tmux(self, *args, check=True):
        return subprocess.run([TMUX, "-S", self.socket, *args], capture_output=True, text=True,
                              timeout=30, check=check)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", self.session).stdout

    def wait_screen(self, text, timeout=20):
        deadline = time.monotonic() + timeout
        shot = ""
        while time.monotonic() < deadline:
            shot = self.screen()
            if text in shot:
                return shot
            time.sleep(0.2)
        self.fail(f"{text!r} not on screen within {timeout}s:\n{shot}")

    def keys(self, *keys):
        if os.environ.get("NEOMUTT_DEBUG"):
            print("----- before", keys, "\n" + self.screen())
        self.tmux("send-keys", "-t", self.session, *keys)

    def muttrc(self):
        cert = self.data / "tls" / "cert.pem"
        # certificate_file holds the trusted certificates (the server's self-signed one);
        # ssl_ca_certificates_file makes GnuTLS accept it as an anchor as well.
        rc = f"""
set folder = "imaps://{addr(USER)}@127.0.0.1:{self.port('imaps')}/"
set spoolfile = "+INBOX"
set imap_user = "{addr(USER)}"
set imap_pass = "{PASSWORD}"
set certificate_file = "{cert}"
set ssl_ca_certificates_file = "{cert}"
set ssl_force_tls = yes
set header_cache = ""
set message_cachedir = ""
set record = ""
set postponed = "+Drafts"
set confirmappend = no
set confirmcreate = no
set delete = yes
set move = no
set mark_old = no
set wait_key = no
set sleep_time = 0
set mail_check = 1
set timeout = 1
set imap_keepalive = 60
set pager_stop = yes
set sort = date-received
set index_format = "%4C %-15.15L %s"
"""
        path = self.tmp / "muttrc"
        path.write_text(rc)
        return path

    def test_open_read_and_save_to_archive(self):
        mark = "m" + uuid.uuid4().hex[:16]
        body_line = f"The body line of {mark} for NeoMutt."
        msg = (f"From: Remote Sender <sender@remote.test>\r\nTo: <{addr(USER)}>\r\n"
               f"Subject: Hello {mark}\r\nMessage-ID: <{mark}@remote.test>\r\n"
               "Date: Mon, 23 Nov 2026 11:00:00 +0000\r\n\r\n"
               f"{body_line}\r\nSecond line.\r\n").encode()
        h.smtp_deliver(self.port("smtp"), addr(USER), msg)
        stored = h.export(self.data, addr(USER))
        self.assertEqual(len(stored), 1)

        rc = self.muttrc()
        env = dict(os.environ, HOME=str(self.tmp), TERM="xterm-256color", LANG="C.UTF-8",
                   LC_ALL="C.UTF-8", MAIL="")
        proc = subprocess.run(
            [TMUX, "-S", self.socket, "new-session", "-d", "-s", self.session, "-x", "160",
             "-y", "40", f"{NEOMUTT} -n -F {rc}"], env=env, capture_output=True, text=True,
            timeout=30)
        if proc.returncode != 0:
            self.skipTest(f"tmux cannot start a session: {proc.stderr.strip()}")
        self.addCleanup(self.tmux, "kill-server", check=False)

        shot = self.wait_screen(f"Hello {mark}", timeout=30)
        self.assertIn("Remote Sender", shot)
        self.keys("Enter")
        shot = self.wait_screen(body_line)
        self.assertIn("Second line.", shot)
        self.keys("q")
        self.wait_screen(f"Hello {mark}")
        self.keys("s")
        self.wait_screen("Save to mailbox")
        # the prompt offers a default; clear it (C-u) and type the target
        self.keys("C-u")
        self.keys("-l", "=Archive")
        self.wait_screen("Save to mailbox: =Archive")
        self.keys("Enter")
        # saved: the original is marked deleted (Del:1 in the status line); '$' syncs it away
        self.wait_screen("Del:1")
        self.keys("$")
        self.wait_screen("Msgs:0")
        last = self.screen()
        self.keys("q")

        m = h.imap_login(self.port("imaps"), addr(USER), PASSWORD, ctx=h.tls_context(self.data))
        try:
            typ, data = m.select("Archive", readonly=True)
            self.assertEqual((typ, int(data[0])), ("OK", 1), last)
            typ, data = m.fetch("1", "(BODY.PEEK[])")
            self.assertEqual(data[0][1], stored[0])
            typ, data = m.select("INBOX", readonly=True)
            self.assertEqual((typ, int(data[0])), ("OK", 0), "the message left INBOX")
        finally:
            m.logout()


if __name__ == "__main__":
    # exit 77 (ctest SKIP_RETURN_CODE) when everything was skipped
    result = unittest.main(verbosity=2, exit=False).result
    if (result.wasSuccessful() and result.skipped
            and len(result.skipped) >= result.testsRun):
        sys.exit(77)
    sys.exit(0 if result.wasSuccessful() else 1)
