#!/usr/bin/env python3
"""test_postfix.py - Postfix as a peer: a private Postfix instance relays mail into Hermod.

A message goes into Postfix's smtpd (Python smtplib); Postfix's queue manager then hands it to
Hermod, once per transport a real deployment would use:

  smtp        transport_maps -> smtp:[127.0.0.1]:<hermod smtp port>
  lmtp-inet   transport_maps -> lmtp:inet:127.0.0.1:<hermod lmtp port>
  lmtp-unix   transport_maps -> lmtp:unix:private/hermod-lmtp, the socket Hermod binds (as
              root, before dropping privileges) at `[smtp] lmtp_socket =
              "<postfix queue>/private/hermod-lmtp"`, given to `lmtp_socket_user = "postfix"`:
              the plain deployment, nothing opened up by hand

After each, `hermod export alice@example.test` must contain the message exactly once, with
Postfix's Received header and one from Hermod on top of it; Postfix's log must say status=sent.

The Postfix instance is private (`postfix -c DIR`): its own config, queue and data directories
in a temporary folder, loopback only, no chroot, its own log file. It never touches
/etc/postfix or the default instance, so it can run next to a system Postfix (even one on
port 25). Needs root (Postfix's master runs as root) and the Debian `postfix` package, which is
installed if missing; exits 77 (ctest: skipped) only when that is impossible (not root, no apt).
"""

import mailbox
import os
import pathlib
import pwd
import re
import shutil
import smtplib
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import hermod_harness as h  # noqa: E402

SKIP = 77
DOMAIN = "example.test"
ALICE = "alice@example.test"
HERMOD_HOST = "mx.hermod.test"     # [server] hostname: what Hermod's Received header says
POSTFIX_HOST = "mx.postfix.test"   # Postfix's myhostname
DELIVERY_TIMEOUT = 30              # seconds Postfix gets to hand one message to Hermod
POSTFIX = "/usr/sbin/postfix"


def skip(why):
    print(f"SKIPPED: {why}", flush=True)
    sys.exit(SKIP)


def ensure_postfix():
    """Installs Debian's postfix (no default configuration) unless it is there already."""
    if os.geteuid() != 0:
        skip("needs root: Postfix's master process runs as root")
    if os.path.exists(POSTFIX) and shutil.which("postconf"):
        return
    if not shutil.which("apt-get"):
        skip("postfix is not installed and there is no apt-get to install it")
    subprocess.run(["debconf-set-selections"], check=True, text=True,
                   input="postfix postfix/main_mailer_type select No configuration\n")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "postfix"]
    print("installing postfix:", " ".join(install), flush=True)
    if subprocess.run(install, env=env, timeout=240).returncode != 0:
        # Only refresh the package lists when the cached ones are not good enough.
        subprocess.run(["apt-get", "update"], env=env, timeout=240, check=True)
        subprocess.run(install, env=env, timeout=240, check=True)
    if not os.path.exists(POSTFIX):
        raise RuntimeError("apt-get install postfix succeeded but /usr/sbin/postfix is missing")


# Every service a relay-only instance needs; chroot column "n" so daemons see absolute paths
# (the log file) exactly as configured; lmtp:unix:private/... is relative to the queue directory.
MASTER_CF = """\
127.0.0.1:{smtpd_port} inet n - n - - smtpd
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - n -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
smtp       unix  - - n -     - smtp
relay      unix  - - n -     - smtp
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
lmtp       unix  - - n -     - lmtp
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
"""


class PrivatePostfix:
    """A Postfix instance living entirely in a temporary folder: etc/, queue/, data/, maillog."""

    def __init__(self):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="hermod-interop-postfix-"))
        os.chmod(self.root, 0o755)  # the postfix user must reach queue/ and the log
        self.etc = self.root / "etc"
        self.queue = self.root / "queue"
        self.data = self.root / "data"
        self.maillog = self.root / "maillog"
        self.transport = self.etc / "transport"
        for d in (self.etc, self.queue, self.data):
            d.mkdir()
            os.chmod(d, 0o755)
        shutil.chown(self.data, "postfix")
        # queue/private exists before Hermod starts, as on a system where Postfix is installed
        # first: postfix:0700, where Hermod (still root) binds its LMTP socket for lmtp(8).
        self.private = self.queue / "private"
        self.private.mkdir()
        shutil.chown(self.private, "postfix", "root")
        os.chmod(self.private, 0o700)
        self.lmtp_socket = self.private / "hermod-lmtp"
        self.smtpd_port = h.free_port()
        self.running = False

    def configure(self, transport):
        """Writes main.cf/master.cf; `transport` is the transport_maps result for example.test."""
        (self.etc / "main.cf").write_text(f"""\
compatibility_level = 3.6
queue_directory = {self.queue}
data_directory = {self.data}
mail_owner = postfix
setgid_group = postdrop
myhostname = {POSTFIX_HOST}
mydomain = postfix.test
myorigin = $myhostname
mydestination =
relay_domains = {DOMAIN}
transport_maps = texthash:{self.transport}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
alias_maps =
alias_database =
biff = no
smtp_dns_support_level = disabled
smtp_tls_security_level = none
lmtp_tls_security_level = none
smtpd_tls_security_level = none
maillog_file = {self.maillog}
maillog_file_prefixes = {self.root}
# A deferral (4xx, refused connection) is retried within seconds, not minutes, so the bounded
# wait below still sees the retry; the log keeps the reason of every deferral.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
""")
        (self.etc / "master.cf").write_text(MASTER_CF.format(smtpd_port=self.smtpd_port))
        self.transport.write_text(f"{DOMAIN} {transport}\n")

    def postfix(self, *args, check=True):
        r = subprocess.run([POSTFIX, "-c", str(self.etc), *args], capture_output=True, text=True,
                           timeout=60)
        if check and r.returncode != 0:
            raise RuntimeError(f"postfix {' '.join(args)} failed ({r.returncode}):\n"
                               f"{r.stdout}{r.stderr}\n{self.log_tail()}")
        return r

    def start(self):
        self.postfix("check")  # creates the queue subdirectories with the right owners
        self.postfix("start")
        self.running = True
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # master binds smtpd's port before it forks
            try:
                with smtplib.SMTP("127.0.0.1", self.smtpd_port, timeout=5) as s:
                    s.noop()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("Postfix smtpd did not answer:\n" + self.log_tail())

    def master_pid(self):
        try:
            return int((self.queue / "pid" / "master.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self):
        if not self.running:
            return
        pid = self.master_pid()
        self.postfix("stop", check=False)
        deadline = time.monotonic() + 15
        while pid and time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
            time.sleep(0.1)
        if pid and os.path.exists(f"/proc/{pid}"):
            self.postfix("abort", check=False)  # our own master did not go: stop it hard
        self.running = False

    def log(self):
        try:
            return self.maillog.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, n=40):
        return "--- postfix maillog (last lines) ---\n" + "\n".join(self.log().splitlines()[-n:])

    def cleanup(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def delivery_status(log, queue_id):
    """[(status, relay, text)] of the delivery attempts Postfix logged for queue_id."""
    out = []
    for m in re.finditer(rf"{queue_id}: to=<[^>]*>, (?:orig_to=<[^>]*>, )?relay=(\S+), .*?"
                         rf"status=(\w+) \((.*)\)$", log, re.M):
        out.append((m.group(2), m.group(1), m.group(3)))
    return out


class PostfixInteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Postfix's folders first: Hermod binds its LMTP socket in Postfix's private/ at start.
        cls.postfix_instance = PrivatePostfix()
        try:
            cls.hermod = h.Server(extra_config=f"""\
[server]
hostname = "{HERMOD_HOST}"
[smtp]
lmtp_socket = "{cls.postfix_instance.lmtp_socket}"
lmtp_socket_user = "postfix"
""")
        except BaseException:
            cls.postfix_instance.cleanup()
            raise
        try:
            # Domain and account before the first start: `serve` then hands every file of the
            # data folder to the unprivileged user, so nothing stays owned by root.
            for args, stdin in ((["domain", "add", DOMAIN], None),
                                (["user", "add", ALICE], "interop-secret-1\n")):
                r = h.run(args, cls.hermod.data, stdin=stdin)
                if r.returncode != 0:
                    raise RuntimeError(f"hermod {' '.join(args)}: {r.stderr}")
            cls.hermod.start()
        except BaseException:
            try:
                cls.hermod.cleanup()
            finally:
                cls.postfix_instance.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.hermod.cleanup()  # before Postfix's folders go: its socket is in private/
        finally:
            cls.postfix_instance.cleanup()

    def export(self):
        """alice's INBOX as parsed mboxrd messages."""
        r = h.run(["export", ALICE], self.hermod.data)
        self.assertEqual(r.returncode, 0, f"hermod export: {r.stderr}")
        with tempfile.NamedTemporaryFile("w", suffix=".mbox", delete=False) as f:
            f.write(r.stdout)
        box = mailbox.mbox(f.name, create=False)
        try:
            return list(box)
        finally:
            box.close()
            os.unlink(f.name)

    def relay_through_postfix(self, name, transport):
        pf = self.postfix_instance
        pf.configure(transport)
        pf.start()
        try:
            token = f"interop-{name}-{uuid.uuid4().hex[:12]}"
            msg = (f"From: Bob <bob@{POSTFIX_HOST}>\r\nTo: Alice <{ALICE}>\r\n"
                   f"Subject: {token}\r\nMessage-ID: <{token}@{POSTFIX_HOST}>\r\n"
                   f"Date: Mon, 23 Nov 2026 12:00:00 +0000\r\n\r\n"
                   f"sent through Postfix via {transport}\r\n.leading dot line\r\n")
            with smtplib.SMTP("127.0.0.1", pf.smtpd_port, timeout=30) as s:
                s.ehlo("client.postfix.test")
                s.mail(f"bob@{POSTFIX_HOST}")
                code, resp = s.rcpt(ALICE)
                self.assertEqual(code, 250, resp)
                code, resp = s.data(msg.encode())
                self.assertEqual(code, 250, resp)
            m = re.search(rb"queued as ([0-9A-Za-z]+)", resp)
            self.assertIsNotNone(m, resp)
            queue_id = m.group(1).decode()

            # Bounded wait for Postfix's verdict; a deferral is retried (backoff 1-2 s) and
            # printed, a bounce fails at once.
            deadline = time.monotonic() + DELIVERY_TIMEOUT
            status = []
            while time.monotonic() < deadline:
                status = delivery_status(pf.log(), queue_id)
                if any(s[0] in ("sent", "bounced") for s in status):
                    break
                if any("Permission denied" in s[2] for s in status):
                    break  # retrying cannot fix file permissions
                time.sleep(0.2)
            for s in status:
                print(f"[{name}] {queue_id}: status={s[0]} relay={s[1]} ({s[2]})", flush=True)
            final = [s for s in status if s[0] in ("sent", "bounced")]
            self.assertTrue(final, f"{name}: Postfix did not deliver {queue_id} within "
                            f"{DELIVERY_TIMEOUT}s\n{pf.log_tail()}\n--- hermod ---\n"
                            f"{self.hermod.banner()}")
            self.assertEqual(final[-1][0], "sent", f"{name}: {final[-1]}\n{pf.log_tail()}")
            deferrals = [s for s in status if s[0] == "deferred"]
            self.assertFalse(deferrals, f"{name}: Hermod made Postfix defer first: {deferrals}")
        finally:
            pf.stop()
            # Nothing left over for the next transport: a deferred message would be
            # delivered by it and blur what each test checked.
            subprocess.run(["postsuper", "-c", str(pf.etc), "-d", "ALL"], capture_output=True,
                           timeout=30)

        # Exactly once (a lost 250 would make Postfix deliver twice), with both hops' trace.
        found = [m for m in self.export() if m["Subject"] == token]
        self.assertEqual(len(found), 1, f"{name}: {token} found {len(found)} times in the export")
        received = found[0].get_all("Received") or []
        self.assertGreaterEqual(len(received), 2, f"{name}: Received headers: {received}")
        top = " ".join(received[0].split())
        self.assertIn(f"by {HERMOD_HOST}", top, f"{name}: top Received is not Hermod's: {top}")
        self.assertTrue(any(f"by {POSTFIX_HOST}" in " ".join(r.split()) for r in received[1:]),
                        f"{name}: Postfix's Received header is missing: {received}")
        protocol = re.search(r"\bwith (\S+)", top)
        print(f"[{name}] Hermod's Received: {top}", flush=True)
        want = "LMTP" if name.startswith("lmtp") else "SMTP"
        self.assertTrue(protocol and want in protocol.group(1).upper(),
                        f"{name}: Received 'with' should name {want} (RFC 3848): {top}")
        body = found[0].get_payload(decode=True).decode(errors="replace")
        self.assertIn(".leading dot line", body, f"{name}: dot-stuffing not undone: {body!r}")
        self.assertEqual(found[0]["Message-ID"], f"<{token}@{POSTFIX_HOST}>")

    def test_1_smtp(self):
        self.relay_through_postfix("smtp", f"smtp:[127.0.0.1]:{self.hermod.ports['smtp']}")

    def test_2_lmtp_inet(self):
        self.relay_through_postfix("lmtp-inet", f"lmtp:inet:127.0.0.1:{self.hermod.ports['lmtp']}")

    def test_3_lmtp_unix(self):
        """The plain deployment: Hermod's socket in Postfix's private/, owned by postfix with
        the default mode 0660, and Postfix's `lmtp:unix:private/hermod-lmtp`."""
        sock = self.postfix_instance.lmtp_socket
        self.assertTrue(sock.is_socket(), f"{sock} is not a unix socket\n{self.hermod.banner()}")
        st = os.stat(sock)
        self.assertEqual(pwd.getpwuid(st.st_uid).pw_name, "postfix")
        self.assertEqual(st.st_gid, pwd.getpwnam("postfix").pw_gid)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
        self.assertIn(str(sock), self.hermod.banner())
        self.assertFalse((self.hermod.data / "lmtp.sock").exists())
        self.relay_through_postfix("lmtp-unix", "lmtp:unix:private/hermod-lmtp")

if __name__ == "__main__":
    ensure_postfix()
    unittest.main(verbosity=2)
