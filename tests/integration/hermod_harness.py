"""Shared helpers for integration tests: run the real `hermod` binary on free loopback ports."""

import os
import pathlib
import queue
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import unittest
import time

HERMOD = os.environ.get("HERMOD_BIN", "build/debug/src/hermod")
SERVICES = ["smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s", "lmtp", "http"]


def free_port(host="127.0.0.1"):
    return free_ports(1, host)[0]


def free_ports(count, host="127.0.0.1"):
    """`count` distinct free ports: every socket stays bound until all are picked (closed one
    by one, the kernel may hand out the same port twice, and one server would then collide with
    itself)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    socks = [socket.socket(family, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for s in socks:
            s.bind((host, 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def ipv6_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def run(args, data, stdin=None, check=False):
    """Runs `hermod ARGS --data DATA`; returns CompletedProcess with text output."""
    return subprocess.run([HERMOD, *args, "--data", str(data)], input=stdin, text=True,
                          capture_output=True, timeout=60, check=check)


class Server:
    """`hermod serve` in a temporary data folder, every service on its own free port."""

    def __init__(self, extra_config="", data=None, ports=None):
        self.tmp = tempfile.mkdtemp(prefix="hermod-it-")
        os.chmod(self.tmp, 0o755)
        self.data = pathlib.Path(data) if data else pathlib.Path(self.tmp) / "var"
        self.ports = ports or dict(zip(SERVICES, free_ports(len(SERVICES))))
        self.config = pathlib.Path(self.tmp) / "hermod.toml"
        lines = ["[listen]"] + [f'{s} = ["127.0.0.1:{p}"]' for s, p in self.ports.items()]
        self.config.write_text("\n".join(lines) + "\n" + extra_config)
        self.proc = None
        self.lines = queue.Queue()
        self.output = []

    def start(self, timeout=60):
        self.proc = subprocess.Popen(
            [HERMOD, "serve", "--data", str(self.data), "--config", str(self.config)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError("hermod serve exited early:\n" + "".join(self.output))
                continue
            if line.startswith("stop with Ctrl-C"):
                return self
        raise RuntimeError("hermod serve did not become ready:\n" + "".join(self.output))

    def _pump(self):
        for line in self.proc.stdout:
            self.output.append(line)
            self.lines.put(line)

    def banner(self):
        return "".join(self.output)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        return self.proc.returncode if self.proc else None

    def cleanup(self):
        try:
            self.stop(signal.SIGKILL)
        except Exception:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def read_line(sock, timeout=10):
    sock.settimeout(timeout)
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        buf += chunk
    return buf.decode("utf-8", "replace")


# --- SMTP helpers (test_smtp_*.py) --------------------------------------------------------------
# Everything below only adds to the helpers above; test_serve.py and test_admin.py do not use it.

import re  # noqa: E402
import sqlite3  # noqa: E402
import ssl  # noqa: E402


def add_domain(data, name):
    out = run(["domain", "add", name], data)
    if out.returncode != 0 and "already exists" not in out.stderr:
        raise RuntimeError(f"domain add {name}: {out.stderr}")


def add_user(data, address, password):
    """Creates an account (its domain must exist); the password goes through stdin."""
    out = run(["user", "add", address], data, stdin=password + "\n")
    if out.returncode != 0:
        raise RuntimeError(f"user add {address}: {out.stderr}")


def parse_mboxrd(data):
    """Splits `hermod export --crlf` output (bytes) into [(separator_line, message_bytes)].

    Undoes the mboxrd quoting (one '>' less on every />+From / line) and drops the empty line
    that follows each message, so the result is the stored message octet for octet."""
    messages = []
    lines = re.findall(rb"[^\n]*\n|[^\n]+$", data)
    for line in lines:
        if line.startswith(b"From "):
            messages.append([line.rstrip(b"\r\n"), []])
            continue
        if not messages:
            raise ValueError(f"mbox does not start with a From line: {line[:80]!r}")
        if re.match(rb">+From ", line):
            line = line[1:]
        messages[-1][1].append(line)
    result = []
    for sep, body in messages:
        if not body or body[-1] not in (b"\r\n", b"\n"):
            raise ValueError(f"message after {sep!r} lacks the empty separator line")
        result.append((sep.decode("utf-8", "replace"), b"".join(body[:-1])))
    return result


def export(data, address, mailbox="INBOX"):
    """The messages of one mailbox, exactly as stored (bytes), oldest first."""
    out = subprocess.run([HERMOD, "export", address, mailbox, "--crlf", "--data", str(data)],
                         capture_output=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"export {address} {mailbox}: {out.stderr.decode(errors='replace')}")
    return [msg for _, msg in parse_mboxrd(out.stdout)]


def queued_recipients(data):
    """Recipients waiting in the outbound queue (read-only look at the store's queue table;
    [] while the store has no queue yet)."""
    db = pathlib.Path(data) / "hermod.db"
    if not db.exists():
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return [r[0] for r in con.execute("SELECT recipient FROM queue ORDER BY id")]
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return []
        raise
    finally:
        con.close()


def header_block(message):
    """The header section of a message (bytes, up to and without the empty line)."""
    end = message.find(b"\r\n\r\n")
    return message if end < 0 else message[:end + 2]


def headers(message, name):
    """Values of every header field `name` (case-insensitive), unfolded, as str."""
    block = header_block(message).decode("utf-8", "replace")
    unfolded = re.sub(r"\r\n([ \t])", r"\1", block)
    prefix = name.lower() + ":"
    return [line[len(prefix):].strip() for line in unfolded.split("\r\n")
            if line.lower().startswith(prefix)]


def tls_context(data):
    """A client context that trusts only the server's self-signed certificate (for "localhost")."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(pathlib.Path(data) / "tls" / "cert.pem"))
    return ctx


class SmtpConn:
    """A raw SMTP client on a socket: exact bytes out, replies parsed as (code, text)."""

    def __init__(self, port, host="127.0.0.1", timeout=20, tls=None):
        self.sock = socket.create_connection((host, port), timeout)
        if tls is not None:
            self.sock = tls.wrap_socket(self.sock, server_hostname="localhost")
        self.buf = b""
        self.greeting = self.reply()

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def read_line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"connection closed; pending {self.buf[:200]!r}")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"

    def reply(self):
        """One complete (possibly multi-line) reply: (code, text with lines joined by \\n)."""
        lines = []
        while True:
            line = self.read_line().decode("utf-8", "replace").rstrip("\r\n")
            if len(line) < 3 or not line[:3].isdigit():
                raise ValueError(f"malformed reply line {line!r}")
            lines.append(line[4:])
            if len(line) == 3 or line[3] == " ":
                return int(line[:3]), "\n".join(lines)

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def ehlo(self, name="client.test"):
        code, text = self.cmd(f"EHLO {name}")
        if code != 250:
            raise AssertionError(f"EHLO: {code} {text}")
        return [l.split(" ")[0].upper() for l in text.split("\n")[1:]], text

    def starttls(self, ctx):
        code, text = self.cmd("STARTTLS")
        if code != 220:
            raise AssertionError(f"STARTTLS: {code} {text}")
        self.sock = ctx.wrap_socket(self.sock, server_hostname="localhost")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class MailServerTest(unittest.TestCase):
    """A test class sharing one started server that has DOMAIN with USERS (name -> password).
    Subclasses may override prepare() for more set-up; the server is cleaned up on failure."""

    DOMAIN = "example.org"
    USERS = {}
    EXTRA_CONFIG = ""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra_config=cls.EXTRA_CONFIG)
        try:
            cls.server.start()
            cls.data = cls.server.data
            add_domain(cls.data, cls.DOMAIN)
            for name, password in cls.USERS.items():
                add_user(cls.data, f"{name}@{cls.DOMAIN}", password)
            cls.prepare()
        except Exception:
            cls.server.cleanup()
            raise

    @classmethod
    def prepare(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def port(self, service):
        return self.server.ports[service]


# --- POP3 helpers (test_pop3_*.py) --------------------------------------------------------------
# Only additions; nothing above changes behaviour.

import hashlib  # noqa: E402
import poplib  # noqa: E402
import smtplib  # noqa: E402


def restart(server, timeout=60):
    """Stops `server` (SIGTERM) and starts it again on the same data folder, config and ports."""
    server.stop()
    server.lines = queue.Queue()
    server.output = []
    return server.start(timeout=timeout)


def smtp_deliver(port, rcpts, message, sender="sender@remote.test", timeout=120):
    """Sends `message` (bytes, CRLF) over SMTP on 127.0.0.1:port; raises unless all accepted."""
    if isinstance(rcpts, str):
        rcpts = [rcpts]
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=timeout) as s:
        refused = s.sendmail(sender, rcpts, message)
    if refused:
        raise RuntimeError(f"SMTP refused {refused}")


def pop3_lines_to_bytes(lines):
    """The octets of a poplib RETR/TOP answer: poplib has already undone the dot-stuffing and
    stripped each CRLF, so every line gets its CRLF back (RFC 1939 §3)."""
    return b"".join(line + b"\r\n" for line in lines)


def pop3_login(port, login, password, tls=None, ctx=None, timeout=30):
    """A poplib client logged in with USER/PASS. tls: None (plain), "stls" (RFC 2595) or
    "implicit" (pop3s, RFC 8314); ctx defaults to an unverified context (self-signed cert)."""
    if tls and ctx is None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if tls == "implicit":
        p = poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=timeout)
    else:
        p = poplib.POP3("127.0.0.1", port, timeout=timeout)
        if tls == "stls":
            p.stls(ctx)
    try:
        p.user(login)
        p.pass_(password)
    except Exception:
        p.close()
        raise
    return p


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def proc_status(pid, key):
    """A kB value from /proc/PID/status (VmRSS, VmHWM, ...) in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


# --- IMAP helpers (test_imap_*.py) --------------------------------------------------------------
# Only additions; nothing above changes behaviour.

import imaplib  # noqa: E402

# imaplib refuses lines over 10000 octets by default (long ENVELOPE/BODYSTRUCTURE answers).
imaplib._MAXLINE = 1 << 22

_LITERAL_AT_END = re.compile(rb"~?\{(\d+)\+?\}\r\n$")


class ImapConn:
    """A raw IMAP client on a socket: commands go out exactly as given, every response line
    comes back as bytes with its literals inlined, so callers see the server's octets.

    A response "line" is the text up to the final CRLF with each literal kept as
    `{n}\\r\\n<n octets>`; `parse_sexp()` turns it into Python values."""

    def __init__(self, port, host="127.0.0.1", tls=None, timeout=30):
        self.sock = socket.create_connection((host, port), timeout)
        if tls is not None:
            self.sock = tls.wrap_socket(self.sock, server_hostname="localhost")
        self.buf = b""
        self.counter = 0
        self.greeting = self.read_response()

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError(f"connection closed; pending {self.buf[:200]!r}")
        self.buf += chunk

    def read_line(self):
        """One CRLF-terminated line (bytes, CRLF kept)."""
        while b"\r\n" not in self.buf:
            self._fill()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line + b"\r\n"

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self):
        """One complete response (literals inlined), without the final CRLF."""
        out = b""
        while True:
            line = self.read_line()
            out += line
            m = _LITERAL_AT_END.search(line)
            if not m:
                return out[:-2]
            out += self.read_exact(int(m.group(1)))

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def next_tag(self):
        self.counter += 1
        return f"T{self.counter}"

    def command(self, text, literals=()):
        """Sends `TAG text` (text may hold `{n}` markers, one per literal, sent after the
        server's continuation; use `{n+}` markers for LITERAL+). Returns (untagged responses,
        tagged status line) as bytes."""
        tag = self.next_tag()
        parts = re.split(r"(\{\d+\+?\})", text)
        line = tag + " "
        pending = list(literals)
        untagged = []
        for i, piece in enumerate(parts):
            line += piece
            if piece.startswith("{") and piece.endswith("}"):
                self.send(line + "\r\n")
                line = ""
                if not piece.endswith("+}"):
                    while True:
                        resp = self.read_response()
                        if resp.startswith(b"+"):
                            break
                        if resp.startswith(tag.encode() + b" "):
                            return untagged, resp
                        untagged.append(resp)
                self.send(pending.pop(0))
        self.send(line + "\r\n")
        return self.collect(tag, untagged)

    def collect(self, tag, untagged=None):
        untagged = [] if untagged is None else untagged
        while True:
            resp = self.read_response()
            if resp.startswith(tag.encode() + b" "):
                return untagged, resp
            untagged.append(resp)

    def ok(self, text, literals=()):
        """command() that raises unless the tagged status is OK; returns the untagged ones."""
        untagged, status = self.command(text, literals)
        if not status.split(b" ", 2)[1:2] == [b"OK"]:
            raise AssertionError(f"{text[:80]!r}: {status!r}")
        return untagged

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Atom(str):
    """An IMAP atom (NIL excepted) as parse_sexp() returns it, distinct from a string."""


def parse_sexp(data, pos=0):
    """Parses IMAP data from data[pos:] up to the end: atoms (Atom), NIL (None), numbers stay
    Atoms, quoted strings and literals (bytes), parenthesised lists (list) and `BODY[...]<n>`
    style section atoms (Atom, brackets included). Returns the list of top-level values."""
    values, pos = _parse_list(data, pos, top=True)
    return values


def _parse_list(data, pos, top=False):
    out = []
    n = len(data)
    while pos < n:
        c = data[pos:pos + 1]
        if c == b" ":
            pos += 1
        elif c == b")":
            if top:
                raise ValueError(f"unbalanced ')' at {pos}")
            return out, pos + 1
        elif c == b"(":
            sub, pos = _parse_list(data, pos + 1)
            out.append(sub)
        elif c == b'"':
            pos += 1
            s = bytearray()
            while data[pos:pos + 1] != b'"':
                if data[pos:pos + 1] == b"\\":
                    pos += 1
                if pos >= n:
                    raise ValueError("unterminated quoted string")
                s += data[pos:pos + 1]
                pos += 1
            out.append(bytes(s))
            pos += 1
        elif c in (b"{", b"~") and re.match(rb"~?\{\d+\+?\}\r\n", data[pos:pos + 24]):
            m = re.match(rb"~?\{(\d+)\+?\}\r\n", data[pos:])
            start = pos + m.end()
            out.append(data[start:start + int(m.group(1))])
            pos = start + int(m.group(1))
        else:
            m = re.match(rb"[^ ()\[\"]+(\[[^\]]*\](<\d+>)?)?", data[pos:])
            if not m or not m.group(0):
                raise ValueError(f"unexpected {data[pos:pos + 20]!r}")
            word = m.group(0).decode("latin-1")
            out.append(None if word.upper() == "NIL" else Atom(word))
            pos += m.end()
    if not top:
        raise ValueError("unterminated list")
    return out, pos


def fetch_items(response):
    """`* N FETCH (...)` (bytes) -> (N, {ITEM NAME (upper-case): value})."""
    values = parse_sexp(response)
    if len(values) < 4 or values[0] != "*" or values[2].upper() != "FETCH":
        raise ValueError(f"not a FETCH response: {response[:80]!r}")
    items = values[3]
    return int(values[1]), {items[i].upper(): items[i + 1] for i in range(0, len(items), 2)}


def imap_login(port, login, password, tls="implicit", ctx=None, timeout=30):
    """An imaplib client logged in. tls: "implicit" (imaps, RFC 8314), "starttls" or None."""
    if tls == "implicit":
        m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=timeout)
    else:
        m = imaplib.IMAP4("127.0.0.1", port, timeout=timeout)
        if tls == "starttls":
            m.starttls(ssl_context=ctx)
    try:
        m.login(login, password)
    except Exception:
        m.shutdown()
        raise
    return m
