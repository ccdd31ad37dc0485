"""Differential test: Hermod's IMAP FETCH answers against Dovecot 2.3's for the same messages.

A private Dovecot (Debian dovecot-imapd; its own config, base_dir and maildir in a temporary
folder, loopback only, plaintext login on a free port) and `hermod serve` each get every message
of the shared MIME corpus (../shared/corpora/mime from the repository root: real messages,
malformed ones included) and of tests/integration/imap_corpus/ (written for this test: plain,
multipart/alternative, nested multiparts, attachments, message/rfc822, encoded words in
ISO-8859-1, UTF-8, KOI8-R, ISO-2022-JP and Windows-1252, malformed boundaries and headers),
APPENDed CRLF-normalised, in the same order, with the same flags and internal date. For every
message the two servers' BODYSTRUCTURE and ENVELOPE are compared, and for every part number n
(of either server's structure) BODY[n.MIME] and BODY[n] — raw bytes from a socket client that
parses literals itself (hermod_harness.ImapConn), not imaplib.

A difference fails the test unless EXPECTED below lists it (message, item, reason); the reasons
are explained in docs/imap.md, "Differences from Dovecot". An EXPECTED entry that no longer
differs fails as well, so the table stays exact. Set HERMOD_DIFF_REPORT=file to get every
difference with both servers' answers as JSON.
"""

import grp
import itertools
import json
import os
import pathlib
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED_CORPUS = (REPO / ".." / "shared" / "corpora" / "mime").resolve()
OWN_CORPUS = HERE / "imap_corpus"
DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot")
                                      else None)
USER = "diff@example.org"
PASSWORD = "pw-" + uuid.uuid4().hex[:12]
INTERNALDATE = '"14-Jul-2025 08:30:00 +0200"'
FLAG_SETS = ["()", "(\\Seen)", "(\\Seen \\Answered)", "(\\Flagged $Label1)", "(\\Draft)"]

# Reasons (the long form, with why Hermod's answer is right, is in docs/imap.md, "Differences
# from Dovecot").
CASE = "type, subtype, disposition and parameter names: Dovecot keeps the case as written, " \
       "Hermod lower-cases them (they are case-insensitive: RFC 2045 §5.1, RFC 2183 §2)"
HEADER_ONLY_PART = "a part whose header's empty line is followed at once by the next boundary: " \
                   "Hermod's n.MIME ends with that empty line, Dovecot gives the CRLF to the boundary"
IMPLICIT_CLOSE_CRLF = "a part ended by an outer boundary while still open (an embedded message " \
                      "with no header/body separator, an unterminated inner multipart): Dovecot " \
                      "counts the CRLF before the boundary into the part, Hermod gives it to the " \
                      "boundary (RFC 2046 §5.1.1) as for every other part"
TRAILING_CR = "a message ending in a bare CR: Dovecot's APPEND drops that octet, Hermod stores " \
              "the literal octet for octet"
NUL_LITERAL = "a message with NUL octets in a plain literal: Hermod refuses the APPEND (RFC 9051 " \
              "§4.3.1: NUL only in literal8), Dovecot accepts it"
EMPTY_SUBTYPE = "Content-Type without a subtype ('image/', 'text; charset=...'): Dovecot sends " \
                "\"\" \"\" (or keeps the type, depending on the spelling), Hermod always keeps the " \
                "type it could read and an empty subtype"
INVALID_CT = "syntactically invalid Content-Type: Hermod assumes text/plain; charset=us-ascii " \
             "(RFC 2045 §5.2), Dovecot sends \"\" \"\""
MISSING_SEMICOLON = "parameters separated by folding white space without ';': Hermod reads them " \
                    "(an unquoted value runs to ';' or white space), Dovecot drops the rest of " \
                    "the field or the whole Content-Type"
RFC2231_CHARSET = "charset*= (RFC 2231) is the charset: Dovecot adds a contradicting default " \
                  "\"charset\" \"us-ascii\" next to it, Hermod does not"
RFC2231_BOUNDARY = "an RFC 2231-encoded boundary*= is honoured (Dovecot ignores it: no children)"
MESSAGE_GLOBAL = "message/global is parsed as an embedded message (RFC 6532 §3.5); Dovecot " \
                 "treats it as opaque"
LONG_QUOTED = "a string over 1024 octets: Dovecot sends it quoted, Hermod as a literal (the " \
              "same value; both are valid IMAP strings)"
BOUNDARY_PREFIX = "boundaries that are prefixes of each other: Hermod matches a delimiter line " \
                  "exactly (RFC 2046 §5.1.1 grammar) and an outer delimiter closes the inner " \
                  "multiparts; Dovecot takes the longer outer lines as the inner boundary"
EMPTY_BOUNDARY = "boundary=\"\" is invalid (RFC 2046 §5.1.1: 1 to 70 characters): Hermod finds " \
                 "no parts, Dovecot splits on '--' lines"
FOLDED_LITERAL = "an ENVELOPE string whose header field was folded: Dovecot sends the unfolded " \
                 "value as a literal (the raw value had a line break), Hermod quoted (the same " \
                 "value; both are valid IMAP strings)"
ADDRESS_GARBAGE = "address list with garbage: Hermod skips to the next ',' and goes on, so the " \
                  "valid addresses after it survive; Dovecot stops"

# (message, item) -> reason. Message names are "shared/<path in the corpus>" and
# "own/<file in imap_corpus>"; items are APPEND, BODYSTRUCTURE, ENVELOPE, BODY[n.MIME], BODY[n],
# and "BODYSTRUCTURE (encoding)" when only the string syntax differs (quoted vs literal).
EXPECTED = {
    ('own/alt-uppercase-type.eml', 'BODYSTRUCTURE'): CASE,
    ('own/att-disposition-uppercase.eml', 'BODYSTRUCTURE'): CASE,
    ('own/bad-boundary-empty.eml', 'BODYSTRUCTURE'): EMPTY_BOUNDARY,
    ('own/bad-boundary-empty.eml', 'BODY[1.MIME]'): EMPTY_BOUNDARY,
    ('own/bad-boundary-empty.eml', 'BODY[1]'): EMPTY_BOUNDARY,
    ('own/bad-header-address-garbage.eml', 'ENVELOPE'): ADDRESS_GARBAGE,
    ('own/bad-header-ct-empty-subtype.eml', 'BODYSTRUCTURE'): EMPTY_SUBTYPE,
    ('own/bad-header-ct-garbage.eml', 'BODYSTRUCTURE'): INVALID_CT,
    ('own/bad-header-long-param-value.eml', 'BODYSTRUCTURE (encoding)'): LONG_QUOTED,
    ('own/bad-header-param-missing-semicolon.eml', 'BODYSTRUCTURE'): MISSING_SEMICOLON,
    ('own/bad-header-param-missing-semicolon.eml', 'BODY[1.MIME]'): MISSING_SEMICOLON,
    ('own/bad-header-param-missing-semicolon.eml', 'BODY[1]'): MISSING_SEMICOLON,
    ('own/rfc822-base64-encoded.eml', 'BODYSTRUCTURE'): IMPLICIT_CLOSE_CRLF,
    ('own/rfc822-base64-encoded.eml', 'BODY[1]'): IMPLICIT_CLOSE_CRLF,
    ('own/rfc822-empty.eml', 'BODY[1.MIME]'): HEADER_ONLY_PART,
    ('own/rfc822-global.eml', 'BODYSTRUCTURE'): MESSAGE_GLOBAL,
    ('own/rfc822-global.eml', 'BODY[1.1.MIME]'): MESSAGE_GLOBAL,
    ('own/rfc822-global.eml', 'BODY[1.1]'): MESSAGE_GLOBAL,
    ('shared/cpython-email/msg_12.txt', 'BODY[3.2.MIME]'): HEADER_ONLY_PART,
    ('shared/cpython-email/msg_14.txt', 'BODYSTRUCTURE'): EMPTY_SUBTYPE,
    ('shared/cpython-email/msg_16.txt', 'BODYSTRUCTURE'): CASE,
    ('shared/cpython-email/msg_32.txt', 'BODYSTRUCTURE'): RFC2231_CHARSET,
    ('shared/cpython-email/msg_33.txt', 'BODYSTRUCTURE'): RFC2231_BOUNDARY,
    ('shared/cpython-email/msg_33.txt', 'BODY[1.MIME]'): RFC2231_BOUNDARY,
    ('shared/cpython-email/msg_33.txt', 'BODY[1]'): RFC2231_BOUNDARY,
    ('shared/cpython-email/msg_33.txt', 'BODY[2.MIME]'): RFC2231_BOUNDARY,
    ('shared/cpython-email/msg_33.txt', 'BODY[2]'): RFC2231_BOUNDARY,
    ('shared/cpython-email/msg_36.txt', 'BODYSTRUCTURE'): CASE,
    ('shared/cpython-email/msg_38.txt', 'BODY[1]'): IMPLICIT_CLOSE_CRLF,
    ('shared/stalwart-mail-parser/legacy/031.eml', 'BODYSTRUCTURE'): CASE,
    ('shared/stalwart-mail-parser/legacy/036.eml', 'BODYSTRUCTURE'): CASE,
    ('shared/stalwart-mail-parser/legacy/041.eml', 'BODYSTRUCTURE'): CASE,
    ('shared/stalwart-mail-parser/legacy/045.eml', 'BODYSTRUCTURE'): CASE,
    ('shared/stalwart-mail-parser/legacy/049.eml', 'BODYSTRUCTURE'): TRAILING_CR,
    ('shared/stalwart-mail-parser/legacy/049.eml', 'BODY[1]'): TRAILING_CR,
    ('shared/stalwart-mail-parser/malformed/001.eml', 'BODY[1.MIME]'): HEADER_ONLY_PART,
    ('shared/stalwart-mail-parser/malformed/007.eml', 'BODY[2.MIME]'): HEADER_ONLY_PART,
    ('shared/stalwart-mail-parser/malformed/016.eml', 'BODYSTRUCTURE'): BOUNDARY_PREFIX,
    ('shared/stalwart-mail-parser/malformed/016.eml', 'BODY[1.1.2.MIME]'): BOUNDARY_PREFIX,
    ('shared/stalwart-mail-parser/malformed/016.eml', 'BODY[1.1.2]'): BOUNDARY_PREFIX,
    ('shared/stalwart-mail-parser/malformed/016.eml', 'BODY[1.1.3.MIME]'): BOUNDARY_PREFIX,
    ('shared/stalwart-mail-parser/malformed/016.eml', 'BODY[1.1.3]'): BOUNDARY_PREFIX,
    ('shared/stalwart-mail-parser/malformed/016.eml', 'BODY[1.1.4.MIME]'): BOUNDARY_PREFIX,
    ('shared/stalwart-mail-parser/malformed/016.eml', 'BODY[1.1.4]'): BOUNDARY_PREFIX,
    ('shared/stalwart-mail-parser/malformed/016.eml', 'BODY[1.1]'): BOUNDARY_PREFIX,
    ('shared/stalwart-mail-parser/malformed/016.eml', 'BODY[1]'): BOUNDARY_PREFIX,
    ('shared/stalwart-mail-parser/malformed/016.eml', 'BODY[2.MIME]'): BOUNDARY_PREFIX,
    ('shared/stalwart-mail-parser/malformed/016.eml', 'BODY[2]'): BOUNDARY_PREFIX,
    ('shared/stalwart-mail-parser/malformed/017.eml', 'BODYSTRUCTURE'): MISSING_SEMICOLON,
    ('shared/stalwart-mail-parser/malformed/017.eml', 'BODY[1.MIME]'): MISSING_SEMICOLON,
    ('shared/stalwart-mail-parser/malformed/017.eml', 'BODY[1]'): MISSING_SEMICOLON,
    ('shared/stalwart-mail-parser/malformed/019.eml', 'BODY[4.MIME]'): HEADER_ONLY_PART,
    ('shared/stalwart-mail-parser/malformed/019.eml', 'BODY[5.2.1.MIME]'): HEADER_ONLY_PART,
    ('shared/stalwart-mail-parser/malformed/019.eml', 'BODY[5.2.2.MIME]'): HEADER_ONLY_PART,
    ('shared/stalwart-mail-parser/malformed/020.eml', 'BODY[1.2.MIME]'): HEADER_ONLY_PART,
    ('shared/stalwart-mail-parser/malformed/021.eml', 'BODY[1.2.MIME]'): HEADER_ONLY_PART,
    ('shared/stalwart-mail-parser/malformed/022.eml', 'BODYSTRUCTURE'): IMPLICIT_CLOSE_CRLF,
    ('shared/stalwart-mail-parser/malformed/022.eml', 'BODY[2]'): IMPLICIT_CLOSE_CRLF,
    ('shared/stalwart-mail-parser/rfc/000.eml', 'BODYSTRUCTURE'): CASE,
    ('shared/stalwart-mail-parser/rfc/001.eml', 'BODYSTRUCTURE'): MISSING_SEMICOLON,
    ('shared/stalwart-mail-parser/rfc/008.eml', 'BODYSTRUCTURE'): IMPLICIT_CLOSE_CRLF,
    ('shared/stalwart-mail-parser/rfc/008.eml', 'BODY[2]'): IMPLICIT_CLOSE_CRLF,
    ('shared/stalwart-mail-parser/rfc/009.eml', 'BODYSTRUCTURE (encoding)'): FOLDED_LITERAL,
    ('shared/stalwart-mail-parser/thirdparty/005.eml', 'APPEND'): NUL_LITERAL,
    ('shared/stalwart-mail-parser/thirdparty/009.eml', 'BODYSTRUCTURE'): CASE,
    ('shared/stalwart-mail-parser/thirdparty/010.eml', 'BODYSTRUCTURE'): MISSING_SEMICOLON,
    ('shared/stalwart-mail-parser/thirdparty/011.eml', 'BODY[1.MIME]'): HEADER_ONLY_PART,
    ('shared/stalwart-mail-parser/thirdparty/015.eml', 'BODYSTRUCTURE'): IMPLICIT_CLOSE_CRLF,
    ('shared/stalwart-mail-parser/thirdparty/015.eml', 'BODY[2]'): IMPLICIT_CLOSE_CRLF,
    ('shared/stalwart-mail-parser/thirdparty/015.eml', 'BODY[3]'): IMPLICIT_CLOSE_CRLF,
}

def find_shared_corpus():
    return SHARED_CORPUS if SHARED_CORPUS.is_dir() else None


def corpus():
    """[(name, bytes)] — own messages always, shared ones when the corpus is present."""
    msgs = [(f"own/{p.name}", p.read_bytes()) for p in sorted(OWN_CORPUS.glob("*.eml"))]
    shared = find_shared_corpus()
    if shared:
        for p in sorted(shared.rglob("*")):
            if p.is_file() and p.parent.name != "LICENSES":
                msgs.append((f"shared/{p.relative_to(shared)}", p.read_bytes()))
    return msgs


def crlf(data):
    """Every line ending CRLF (bare LF -> CRLF; CRLF stays)."""
    return re.sub(rb"\r?\n", b"\r\n", data)


class Dovecot:
    """A private Dovecot instance in a temporary folder (foreground master process)."""

    def __init__(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="hermod-dovecot-"))
        os.chmod(self.tmp, 0o755)
        self.port = h.free_port()
        self.proc = None
        if os.getuid() == 0:
            # mail processes may not run as root; the login/internal users are Debian's own
            user, group, login_user, internal_user = "nobody", "nogroup", "dovenull", "dovecot"
            internal_group = "dovecot"
        else:  # everything runs as the current user
            user = login_user = internal_user = pwd.getpwuid(os.getuid()).pw_name
            group = internal_group = grp.getgrgid(os.getgid()).gr_name
        entry = pwd.getpwnam(user)
        mail = self.tmp / "mail"
        mail.mkdir()
        os.chown(mail, entry.pw_uid, grp.getgrnam(group).gr_gid)
        (self.tmp / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        self.config = self.tmp / "dovecot.conf"
        self.config.write_text(f"""# generated by test_imap_dovecot_diff.py
base_dir = {self.tmp}/run
state_dir = {self.tmp}/state
instance_name = hermod-diff-{self.port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
log_path = {self.tmp}/dovecot.log
mail_location = maildir:{mail}/%n
mail_uid = {user}
mail_gid = {group}
first_valid_uid = 1
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.tmp}/users
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={mail}/%n
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")

    def start(self, timeout=15):
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited ({self.proc.returncode}): {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), 1) as s:
                    s.settimeout(5)
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not start: " + self.log())

    def log(self):
        try:
            return (self.tmp / "dovecot.log").read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def part_numbers(bs):
    """Every part number (as "1", "1.2", ...) of a parsed BODYSTRUCTURE, RFC 9051 §6.4.5."""
    out = []

    def is_multi(b):
        return isinstance(b, list) and b and isinstance(b[0], list)

    def is_message(b):
        return (isinstance(b, list) and len(b) > 9 and isinstance(b[0], bytes)
                and isinstance(b[1], bytes) and b[0].lower() == b"message"
                and b[1].lower() in (b"rfc822", b"global") and isinstance(b[8], list))

    def kids(b):  # a multipart's children: the lists before its subtype string
        return list(itertools.takewhile(lambda k: isinstance(k, list), b))

    def children(b, prefix):  # the parts inside body b, which is part `prefix`
        if is_multi(b):
            for i, k in enumerate(kids(b), 1):
                n = prefix + [i]
                out.append(n)
                inside(k, n)
        else:
            out.append(prefix + [1])
            inside(b, prefix + [1])

    def inside(b, n):  # what lies under part n
        if is_multi(b):
            for i, k in enumerate(kids(b), 1):
                out.append(n + [i])
                inside(k, n + [i])
        elif is_message(b):
            children(b[8], n)

    children(bs, [])
    return [".".join(map(str, n)) for n in out]


class DovecotDiffTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not DOVECOT:
            raise unittest.SkipTest("dovecot is not installed (scripts/install-deps installs "
                                    "dovecot-imapd)")
        cls.messages = corpus()
        cls.hermod = h.Server()
        cls.dovecot = Dovecot()
        try:
            cls.hermod.start()
            h.add_domain(cls.hermod.data, "example.org")
            h.add_user(cls.hermod.data, USER, PASSWORD)
            cls.dovecot.start()
            cls.results = cls.run_both()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.hermod.cleanup()
        cls.dovecot.cleanup()

    @classmethod
    def run_both(cls):
        """APPENDs everything to both servers, then fetches every item from both.
        Returns {message name: {item: (hermod raw, hermod parsed, dovecot raw, dovecot parsed)}}
        and the APPEND outcomes."""
        conns = {"hermod": h.ImapConn(cls.hermod.ports["imap"], timeout=60),
                 "dovecot": h.ImapConn(cls.dovecot.port, timeout=60)}
        try:
            for c in conns.values():
                c.ok(f'LOGIN "{USER}" "{PASSWORD}"')
            cls.appended = {}
            for i, (name, data) in enumerate(cls.messages):
                data = crlf(data)
                flags = FLAG_SETS[i % len(FLAG_SETS)]
                statuses = {}
                for server, c in conns.items():
                    _, status = c.command(f"APPEND INBOX {flags} {INTERNALDATE} "
                                          f"{{{len(data)}+}}", [data])
                    statuses[server] = status.split(b" ", 2)[1]
                cls.appended[name] = statuses
            for c in conns.values():
                c.ok("SELECT INBOX")
            results = {}
            seq = {"hermod": 0, "dovecot": 0}
            for name, _ in cls.messages:
                st = cls.appended[name]
                if st["hermod"] != b"OK" or st["dovecot"] != b"OK":
                    for server in seq:
                        seq[server] += st[server] == b"OK"
                    continue
                for server in seq:
                    seq[server] += 1
                items = {}
                first = {}
                for server, c in conns.items():
                    first[server] = cls.fetch(c, seq[server], "BODYSTRUCTURE ENVELOPE")
                parts = []
                for server in conns:
                    for n in part_numbers(first[server][1].get("BODYSTRUCTURE", [])):
                        if n not in parts:
                            parts.append(n)
                sections = " ".join(f"BODY.PEEK[{n}.MIME] BODY.PEEK[{n}]" for n in parts)
                second = {}
                for server, c in conns.items():
                    second[server] = cls.fetch(c, seq[server], sections) if parts else ({}, {})
                keys = ["BODYSTRUCTURE", "ENVELOPE"]
                for n in parts:
                    keys += [f"BODY[{n}.MIME]", f"BODY[{n}]"]
                for key in keys:
                    got = {}
                    for server in conns:
                        raw = {**first[server][0], **second[server][0]}
                        parsed = {**first[server][1], **second[server][1]}
                        got[server] = (raw.get(key), parsed.get(key, "<missing>"))
                    items[key] = got
                results[name] = items
            return results
        finally:
            for c in conns.values():
                try:
                    c.command("LOGOUT")
                except Exception:
                    pass
                c.close()

    @staticmethod
    def fetch(conn, seq, what):
        """FETCH seq (what) -> ({item: raw bytes of the value}, {item: parsed value})."""
        untagged = conn.ok(f"FETCH {seq} ({what})")
        raw, parsed = {}, {}
        for resp in untagged:
            if not re.match(rb"\* %d FETCH " % seq, resp):
                continue
            _, items = h.fetch_items(resp)
            parsed.update(items)
            raw.update(split_raw(resp))
        return raw, parsed

    def differences(self):
        """[(message, item, hermod raw, dovecot raw)] for every item that differs."""
        out = []
        for name, st in self.appended.items():
            if st["hermod"] != st["dovecot"]:
                out.append((name, "APPEND", st["hermod"], st["dovecot"]))
        for name, items in self.results.items():
            for key, got in items.items():
                (hraw, hval), (draw, dval) = got["hermod"], got["dovecot"]
                if hval != dval:
                    out.append((name, key, hraw, draw))
                elif key in ("BODYSTRUCTURE", "ENVELOPE") and hraw != draw:
                    out.append((name, key + " (encoding)", hraw, draw))
        return out

    def test_counts(self):
        own = sum(1 for n, _ in self.messages if n.startswith("own/"))
        self.assertGreaterEqual(own, 50, "imap_corpus holds at least 50 messages")
        if find_shared_corpus():
            self.assertGreaterEqual(len(self.messages), 200)
        compared = len(self.results)
        self.assertGreaterEqual(compared, len(self.messages) - 5, "most messages compared")
        items = sum(len(v) for v in self.results.values())
        print(f"\ncompared {compared} messages, {items} items", file=sys.stderr)

    def test_shared_corpus_present(self):
        if not find_shared_corpus():
            self.skipTest(f"shared MIME corpus not found at {SHARED_CORPUS}; only "
                          f"{OWN_CORPUS.name} was compared")

    def test_only_expected_differences(self):
        diffs = self.differences()
        report = os.environ.get("HERMOD_DIFF_REPORT")
        if report:
            with open(report, "w") as f:
                json.dump([{"message": m, "item": k,
                            "hermod": None if a is None else a.decode("latin-1"),
                            "dovecot": None if b is None else b.decode("latin-1")}
                           for m, k, a, b in diffs], f, indent=1)
        found = {(m, k) for m, k, _, _ in diffs}
        unexpected = [d for d in diffs if (d[0], d[1]) not in EXPECTED]
        stale = sorted(k for k in EXPECTED if k not in found and k[0] in self.appended)
        lines = []
        for m, k, a, b in unexpected[:40]:
            lines.append(f"{m} {k}\n  hermod:  {short(a)}\n  dovecot: {short(b)}")
        self.assertEqual(unexpected, [], f"{len(unexpected)} unexpected differences:\n"
                         + "\n".join(lines))
        self.assertEqual(stale, [], "EXPECTED entries that no longer differ")


def short(b, n=600):
    if b is None:
        return "<absent>"
    s = b.decode("latin-1")
    return s if len(s) <= n else s[:n] + f"... ({len(s)} chars)"


def split_raw(resp):
    """{ITEM: raw bytes of its value} from one `* n FETCH (...)` response, literals inlined."""
    start = resp.index(b"(") + 1
    out = {}
    pos = start
    n = len(resp)
    while pos < n and resp[pos:pos + 1] != b")":
        while resp[pos:pos + 1] == b" ":
            pos += 1
        m = re.match(rb"[^ ()\[\"]+(\[[^\]]*\](<\d+>)?)?", resp[pos:])
        key = m.group(0).decode("latin-1").upper()
        pos += m.end() + 1
        end = skip_value(resp, pos)
        out[key] = resp[pos:end]
        pos = end
    return out


def skip_value(data, pos):
    """The end of the IMAP value starting at data[pos]."""
    c = data[pos:pos + 1]
    if c == b"(":
        depth = 0
        while True:
            c = data[pos:pos + 1]
            if c == b"(":
                depth += 1
                pos += 1
            elif c == b")":
                depth -= 1
                pos += 1
                if depth == 0:
                    return pos
            elif c == b'"' or c in (b"{", b"~"):
                pos = skip_value(data, pos)
            else:
                pos += 1
    if c == b'"':
        pos += 1
        while data[pos:pos + 1] != b'"':
            pos += 2 if data[pos:pos + 1] == b"\\" else 1
        return pos + 1
    m = re.match(rb"~?\{(\d+)\+?\}\r\n", data[pos:])
    if m:
        return pos + m.end() + int(m.group(1))
    m = re.match(rb"[^ ()]+", data[pos:])
    return pos + m.end()


if __name__ == "__main__":
    # exit 77 (ctest SKIP_RETURN_CODE) when everything was skipped
    result = unittest.main(verbosity=2, exit=False).result
    if (result.wasSuccessful() and result.skipped
            and len(result.skipped) >= result.testsRun):
        sys.exit(77)
    sys.exit(0 if result.wasSuccessful() else 1)
