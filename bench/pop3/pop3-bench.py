#!/usr/bin/env python3
"""pop3-bench.py - POP3 download rate of Hermod against Dovecot 2.3 (Debian), side by side, with
the C++ load generator bench_pop3 (bench/pop3/pop3_load.cpp). Loopback only, bounded in time.

Every session (one per client at a time, client i always on maildrop u<i % users + 1>):
connect, USER/PASS, STAT, LIST, UIDL, RETR 1..n (--pipeline RETRs outstanding), QUIT, on
mailboxes of --messages (1 000) messages of 4 KiB. Reported: sessions/s, MB/s of message octets,
messages/s, session latency, and the CPU of server and load generator for every run.

  dovecot  Debian's Dovecot 2.3 through the shared harness's setup-dovecot.sh (POP3 127.0.0.1:110,
           {PLAIN} passwd-file, one pop3-login + one pop3 process per session); the messages are
           written straight into Maildirs $MAILROOT/bench.test/uN/cur, owned by vmail, with the
           trace headers Postfix's virtual(8) would add (Return-Path, Delivered-To, Received)
  hermod   `hermod serve` (release build, own data folder on /var/tmp, only SMTP and POP3 on),
           users with Argon2id passwords and the default [auth] login cache; the same messages
           are delivered to every user over SMTP (one transaction per message, Hermod adds its
           own Received header)

Both get a warm-up pass (one session per user: Dovecot builds its index and UIDL cache, Hermod
fills its login cache), then for every configuration and run Dovecot and Hermod are measured
back to back, so drift of this shared machine hits both alike. Server CPU = the server's process
tree (the shared cpu-split.py: Dovecot's master and every child, Hermod's one process), client
CPU = bench_pop3's rusage.

  sudo bench/pop3/pop3-bench.py --hermod build/release/src/hermod      # ~6 minutes
  sudo bench/pop3/pop3-bench.py --runs 1 --secs 5 --configs 10          # quick look

Needs root (setup-dovecot.sh configures the system Dovecot; `hermod serve` switches to user
hermod). Dovecot is stopped at the end unless it was already running. Prints a Markdown table.
"""

import argparse
import email.utils
import os
import pathlib
import pwd
import random
import re
import shutil
import smtplib
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import anchors  # noqa: E402  (bench/anchors.py)
from anchors import check_prerequisites, dovecot_running  # noqa: E402
from hermod_server import HermodServer, free_port  # noqa: E402  (bench/hermod_server.py)

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED = pathlib.Path(os.environ.get("SHARED_BENCH", REPO.parent / "shared" / "bench"))
DOMAIN = "bench.test"
PASSWORD = "benchpass"
MSG_SIZE = 4096

WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud "
         "exercitation ullamco laboris nisi aliquip ex ea commodo consequat meeting report "
         "invoice schedule budget release review").split()


def die(msg):
    sys.exit(f"pop3-bench: {msg}")


# --- the messages -------------------------------------------------------------------------

def make_messages(count, size=MSG_SIZE, seed=4096):
    """count deterministic RFC 5322 messages of exactly `size` octets each (CRLF line ends, as
    sent over SMTP): From/To/Subject/Date/Message-ID/MIME headers, a text body of 60-76 column
    lines; every 25th message has lines starting with '.' (dot-stuffed on the wire)."""
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        sender = f"sender{rnd.randint(1, 50)}@example.org"
        hdr = (f"From: Sender {sender.split('@')[0]} <{sender}>\r\n"
               f"To: Bench User <user@{DOMAIN}>\r\n"
               f"Subject: bench message {i + 1}: {' '.join(rnd.choice(WORDS) for _ in range(4))}\r\n"
               f"Date: {email.utils.formatdate(1700000000 + i * 37)}\r\n"
               f"Message-ID: <bench.{i + 1}.{rnd.randrange(1 << 30)}@example.org>\r\n"
               "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n"
               "Content-Transfer-Encoding: 7bit\r\n\r\n")
        lines, n = [], len(hdr)
        if i % 25 == 0:
            lines.append(".. a line that starts with a dot (dot-stuffed on the wire)")
            n += len(lines[-1]) + 2
        while True:
            line, width = [], rnd.randint(60, 76)
            while sum(len(w) + 1 for w in line) < width:
                line.append(rnd.choice(WORDS))
            text = " ".join(line)
            if i % 25 == 0 and len(lines) == 20:
                text = "." + text
            if n + len(text) + 2 > size - 40:
                break
            lines.append(text)
            n += len(text) + 2
        # fill the rest exactly: one last line of 'x' padding and the signature
        rest = size - n - len("-- \r\nbench\r\n") - 2
        lines.append(("regards " + "x" * max(0, rest - 8))[:max(0, rest)])
        lines += ["-- ", "bench"]
        msg = (hdr + "\r\n".join(lines) + "\r\n").encode()
        assert len(msg) == size, (i, len(msg))
        out.append(msg)
    return out


def postfix_trace(msg, user, u, i):
    """The headers Postfix's virtual(8) would put above a message delivered to user."""
    sender = re.search(rb"^From: .*<([^>]+)>", msg, re.M).group(1).decode()
    date = email.utils.formatdate(1700000000 + i * 37 + 1)
    qid = "4Z%09X" % (u * 1000003 + i * 7919)
    return (f"Return-Path: <{sender}>\r\nDelivered-To: {user}\r\n"
            f"Received: from bench-client.test (localhost [127.0.0.1])\r\n"
            f"\tby mx.bench.test (Postfix) with ESMTP id {qid}\r\n"
            f"\tfor <{user}>; {date}\r\n").encode()


# --- Dovecot -------------------------------------------------------------------------------

def fill_maildirs(mailroot, users, messages):
    """Writes every message into $MAILROOT/bench.test/uN/cur as vmail, Maildir style (LF line
    ends, Postfix trace headers, S= and W= sizes in the name as Dovecot's own deliver does)."""
    vmail = pwd.getpwnam("vmail")
    host = socket.gethostname().split(".")[0] or "bench"
    total = 0
    for u in range(1, users + 1):
        user = f"u{u}@{DOMAIN}"
        base = pathlib.Path(mailroot, DOMAIN, f"u{u}")
        for sub in ("cur", "new", "tmp"):
            d = base / sub
            d.mkdir(parents=True, exist_ok=True)
            for f in d.iterdir():
                f.unlink()
        for f in base.glob("dovecot*"):
            if f.is_file():
                f.unlink()
        for i, msg in enumerate(messages):
            crlf = postfix_trace(msg, user, u, i) + msg
            lf = crlf.replace(b"\r\n", b"\n")
            name = (f"{1700000000 + i}.M{i:06d}P{u}.{host},S={len(lf)},W={len(crlf)}:2,")
            p = base / "cur" / name
            with open(p, "wb") as f:
                f.write(lf)
            os.utime(p, (1700000000 + i, 1700000000 + i))
            os.chown(p, vmail.pw_uid, vmail.pw_gid)
            total += 1
        for d in (base, base / "cur", base / "new", base / "tmp"):
            os.chown(d, vmail.pw_uid, vmail.pw_gid)
    return total


# --- Hermod --------------------------------------------------------------------------------

class Hermod(HermodServer):
    """`hermod serve` with SMTP (for loading the mailboxes) and POP3."""

    def __init__(self, binary, keep):
        super().__init__(binary, keep, "pop3", ["smtp", "pop3"])
        self.smtp_port = self.ports["smtp"]
        self.port = self.ports["pop3"]

    def start(self, users):
        self.add_users(DOMAIN, [f"u{u}@{DOMAIN}" for u in range(1, users + 1)], PASSWORD)
        super().start()

    def deliver(self, users, messages, threads=8):
        """Every message to every user over SMTP, one transaction per message (users split
        over `threads` connections, in message order within a user)."""
        errors = []

        def worker(k):
            try:
                s = smtplib.SMTP("127.0.0.1", self.smtp_port, local_hostname="bench-client.test",
                                 timeout=60)
                for u in range(k + 1, users + 1, threads):
                    rcpt = f"u{u}@{DOMAIN}"
                    for msg in messages:
                        s.sendmail("sender@example.org", [rcpt], msg)
                s.quit()
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(f"thread {k}: {e!r}")

        ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if errors:
            raise RuntimeError("SMTP delivery to hermod failed: " + "; ".join(errors))


# --- measuring ---------------------------------------------------------------------------

def parse(out):
    r = {}
    m = re.search(r"^pop3_load (.*)$", out, re.M)
    if m:
        for k, v in re.findall(r"(\w+)=(\S+)", m.group(1)):
            try:
                r[k] = float(v)
            except ValueError:
                pass
    m = re.search(r"^CPU wall_s=(\S+) server_cpu_s=(\S+) .*client_cpu_s=(\S+) .*"
                  r"machine_busy=(\d+)%", out, re.M)
    if m:
        r.update(wall=float(m.group(1)), server_cpu=float(m.group(2)),
                 client_cpu_wrap=float(m.group(3)), busy=int(m.group(4)))
    return r


class Bench:
    def __init__(self, a):
        self.a = a
        self.rows = []  # (config label, server, result dict)
        self.deadline = time.monotonic() + a.max_seconds

    def load_cmd(self, port, clients, retr_max=None, secs=None, max_sessions=None):
        cmd = [self.a.bench_pop3, "--host", "127.0.0.1", "--port", str(port),
               "--user-fmt", f"u%d@{DOMAIN}", "--users", str(self.a.users),
               "--password", PASSWORD, "--clients", str(clients),
               "--secs", str(secs or self.a.secs), "--pipeline", str(self.a.pipeline)]
        if retr_max is not None:
            cmd += ["--retr-max", str(retr_max)]
        if max_sessions:
            cmd += ["--max-sessions", str(max_sessions)]
        return cmd

    def measure(self, server, cmd, pid=None, pidfile=None, timeout=None):
        timeout = timeout or self.a.secs + 120
        cmd = [sys.executable, str(SHARED / "cpu-split.py"),
               *(["--pid", str(pid)] if pid else ["--pidfile", pidfile]),
               "--timeout", str(timeout), "--", *cmd]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 30)
        out = r.stdout + r.stderr
        if self.a.verbose:
            print(out.rstrip(), flush=True)
        res = parse(out)
        if "sess_s" not in res:
            res["error"] = f"no result (rc={r.returncode}): {out.strip()[-500:]}"
        elif res.get("size_mismatch"):
            res["error"] = (f"{res['size_mismatch']:.0f} RETR size mismatches: "
                            + " | ".join(l for l in out.splitlines() if l.startswith("bench_pop3:")))
        elif res.get("errors"):
            # Failed sessions are not counted as sessions; the run stays in the medians and the
            # reasons are listed under the table.
            res["note"] = " | ".join(sorted({re.sub(r"^bench_pop3: client \d+ \(\S+\): ", "", l)
                                             for l in out.splitlines()
                                             if l.startswith("bench_pop3: client")})[:2])
        return res

    def warmup(self, server, port, **who):
        """One session per user, all users at once: indexes, UIDL cache, login cache."""
        r = self.measure(server, self.load_cmd(port, self.a.users, secs=120, max_sessions=1),
                         timeout=300, **who)
        want = self.a.users * self.a.messages
        got = int(r.get("messages", -1))
        print(f"warm-up {server}: {self.a.users} sessions, {got} messages in {r.get('secs', 0):.1f}s"
              f" (server CPU {r.get('server_cpu', 0):.1f}s)"
              + (f"  ERROR {r['error']}" if r.get("error") else ""), flush=True)
        if got != want:
            raise RuntimeError(f"{server}: warm-up retrieved {got} messages, expected {want}")
        return r

    def python_ref(self, server, port, **who):
        """The shared harness's Python POP3 client (bench-imap.py pop3: 10 processes, 5 RETR
        each), once, for its CPU next to bench_pop3's."""
        cmd = [sys.executable, str(SHARED / "bench-imap.py"), "pop3", "--port", str(port),
               "--clients", "10", "--bodies", "5", "--secs", str(self.a.secs), "--runs", "1",
               "--users", str(self.a.users)]
        wrapped = [sys.executable, str(SHARED / "cpu-split.py"),
                   *(["--pid", str(who["pid"])] if who.get("pid") else
                     ["--pidfile", who["pidfile"]]), "--", *cmd]
        r = subprocess.run(wrapped, capture_output=True, text=True, timeout=self.a.secs + 120)
        out = r.stdout + r.stderr
        m = re.search(r"^run \d+ .*sess_s=(\S+) cmds_s=\S+ MB_s=(\S+) .*errors=(\d+)", out, re.M)
        c = parse(out)
        if not m or "server_cpu" not in c:
            print(f"python reference {server}: no result: {out[-400:]}", flush=True)
            return None
        res = dict(sess_s=float(m.group(1)), MB_s=float(m.group(2)), errors=int(m.group(3)),
                   server_cpu=c["server_cpu"], client_cpu=c["client_cpu_wrap"],
                   busy=c["busy"], wall=c["wall"])
        if res["errors"]:
            # bench-imap.py picks a random user per session, so two of its sessions can meet on
            # one maildrop: Hermod answers [IN-USE] (RFC 1939 §8), Dovecot does not lock by
            # default (pop3_lock_session = no). Failed sessions are not counted as sessions.
            res["note"] = " | ".join(sorted({re.sub(r"^worker \d+ ", "", l) for l in
                                             out.splitlines() if l.startswith("worker ")})[:2])
        self.rows.append(("10 clients, 5 RETR, Python client (bench-imap.py)", server, res))
        print(f"python reference {server}: {res['sess_s']:.1f} sess/s, server CPU "
              f"{res['server_cpu']:.1f}s, client CPU {res['client_cpu']:.1f}s, errors "
              f"{res['errors']}" + (f" ({res['note']})" if res.get("note") else ""), flush=True)
        return res

    def run(self, servers):
        for label, clients, retr_max in self.a.configs:
            for run_no in range(1, self.a.runs + 1):
                if time.monotonic() > self.deadline:
                    print(f"time budget of {self.a.max_seconds}s used up: stopping", flush=True)
                    return
                line = [f"{label} run {run_no}:"]
                for name, port, who in servers:
                    r = self.measure(name, self.load_cmd(port, clients, retr_max), **who)
                    r["client_cpu"] = r.get("client_cpu_s", r.get("client_cpu_wrap"))
                    self.rows.append((label, name, r))
                    line.append(f"{name} {r.get('sess_s', 0):.1f} sess/s {r.get('MB_s', 0):.1f} MB/s"
                                f" (cpu srv {r.get('server_cpu', 0):.1f}s cli "
                                f"{r.get('client_cpu') or 0:.1f}s)"
                                + (f" ERROR {r['error']}" if r.get("error") else "")
                                + (f" ({r['errors']:.0f} failed sessions: {r['note']})"
                                   if r.get("note") else ""))
                    time.sleep(self.a.pause)
                print("  ".join(line), flush=True)

    def table(self, names):
        def med(v):
            return statistics.median(v) if v else None

        def fmt(v, d=1):
            if v is None:
                return "–"
            return f"{v:,.{d}f}".replace(",", " ")

        out = ["| config | server | sessions/s | MB/s | messages/s | session p50 / p99 ms | "
               "server CPU s | client CPU s | server CPU ms/session | machine busy | "
               "Hermod ÷ Dovecot (sessions/s, MB/s) |",
               "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        labels = []
        for c, _, _ in self.rows:
            if c not in labels:
                labels.append(c)
        for label in labels:
            meds = {}
            for name in names:
                runs = [r for (c, n, r) in self.rows if c == label and n == name]
                ok = [r for r in runs if not r.get("error") and "sess_s" in r]
                if not runs:
                    continue
                m = {k: med([r[k] for r in ok if r.get(k) is not None])
                     for k in ("sess_s", "MB_s", "msgs_s", "p50_ms", "p99_ms", "server_cpu",
                               "client_cpu", "busy", "wall", "sessions")}
                rng = (f" ({min(r['sess_s'] for r in ok):.1f}–{max(r['sess_s'] for r in ok):.1f})"
                       if len(ok) > 1 else "")
                per = (1000 * m["server_cpu"] / (m["sess_s"] * m["wall"])
                       if m["server_cpu"] and m["sess_s"] and m["wall"] else None)
                meds[name] = m
                ratio = "–"
                if name == "hermod" and "dovecot" in meds and m["sess_s"] and meds["dovecot"]["sess_s"]:
                    d = meds["dovecot"]
                    ratio = (f"**{m['sess_s'] / d['sess_s']:.2f}×**, "
                             f"{m['MB_s'] / d['MB_s']:.2f}×" if m["MB_s"] and d["MB_s"] else "")
                failed = len(runs) - len(ok)
                busy = "–" if m["busy"] is None else f"{m['busy']:.0f} %"
                p50 = (f"{fmt(m['p50_ms'])} / {fmt(m['p99_ms'])}" if m["p50_ms"] is not None
                       else "–")
                out.append(f"| {label} | {name} | **{fmt(m['sess_s'])}**{rng}"
                           f"{f' ⚠ {failed}/{len(runs)} runs failed' if failed else ''} | "
                           f"{fmt(m['MB_s'])} | {fmt(m['msgs_s'], 0)} | {p50} | "
                           f"{fmt(m['server_cpu'])} | {fmt(m['client_cpu'])} | {fmt(per, 2)} | "
                           f"{busy} | {ratio} |")
        notes = [f"- {c}, {n}: {r['errors']:.0f} failed sessions (not counted): {r['note']}"
                 for (c, n, r) in self.rows if r.get("note")]
        if notes:
            out += ["", *notes]
        failed = [f"- {c}, {n}: {r['error']}" for (c, n, r) in self.rows if r.get("error")]
        if failed:
            out += ["", "Failed runs:", *failed]
        return "\n".join(out)


def parse_configs(spec):
    """"10,50,10:5" -> [(label, clients, retr_max or None)]."""
    out = []
    for item in spec.split(","):
        clients, _, k = item.partition(":")
        c = int(clients)
        if k:
            out.append((f"{c} clients, RETR first {int(k)}", c, int(k)))
        else:
            out.append((f"{c} clients, RETR all", c, None))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hermod", default=os.environ.get("HERMOD_BIN",
                                                      str(REPO / "build/release/src/hermod")),
                   help="hermod binary (release build)")
    p.add_argument("--bench-pop3", help="bench_pop3 binary (default: next to --hermod's build)")
    p.add_argument("--targets", default="dovecot,hermod")
    p.add_argument("--configs", default="10,50,10:5",
                   help="comma-separated CLIENTS[:K]: K = RETR only the first K messages "
                        "(10:5 is the harness's Python pop3 test: 10 clients, 5 RETR)")
    p.add_argument("--runs", type=int, default=3, help="runs per configuration and server")
    p.add_argument("--secs", type=float, default=10, help="seconds per run")
    p.add_argument("--users", type=int, default=50,
                   help="maildrops u1..uN (at least the largest client count)")
    p.add_argument("--messages", type=int, default=1000, help="messages per maildrop")
    p.add_argument("--pipeline", type=int, default=16, help="RETRs outstanding per session")
    p.add_argument("--smtp-threads", type=int, default=8, help="SMTP connections loading Hermod")
    p.add_argument("--python-ref", action=argparse.BooleanOptionalAction, default=True,
                   help="also run the harness's Python client once per server (10 clients, 5 RETR)")
    p.add_argument("--mailroot", default=os.environ.get("MAILROOT",
                                                        "/var/tmp/hermod-bench-pop3-mail"))
    p.add_argument("--max-seconds", type=int, default=900,
                   help="stop starting new runs after this many seconds")
    p.add_argument("--pause", type=float, default=1.0, help="seconds between runs")
    p.add_argument("--keep", action="store_true", help="keep the Maildirs and Hermod's data folder")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    a.configs = parse_configs(a.configs)
    targets = a.targets.split(",")
    if (a.runs > 10 or a.secs > 60 or a.users > 200 or a.messages > 5000
            or max(c for _, c, _ in a.configs) > 500):
        die("bounded: runs <= 10, secs <= 60, users <= 200, messages <= 5000, clients <= 500")
    if max(c for _, c, _ in a.configs) > a.users:
        die("--users must be at least the largest client count (one maildrop per client)")
    a.bench_pop3 = check_prerequisites("pop3-bench", SHARED,
                                     ("cpu-split.py", "setup-dovecot.sh", "bench-imap.py"),
                                     "bench_pop3",
                                     a.bench_pop3, a.hermod, targets)

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load0 = os.getloadavg()
    t0 = time.monotonic()
    messages = make_messages(a.messages)
    bench = Bench(a)
    hermod = None
    dovecot_was_running = dovecot_running()
    # Only a Maildir tree this run creates is removed at the end; the users' folders in it are
    # emptied and refilled, so point --mailroot at a dedicated directory.
    created_mailroot = not os.path.exists(a.mailroot)
    servers = []
    try:
        if "dovecot" in targets:
            if dovecot_was_running:
                print("note: Dovecot was already running; setup-dovecot.sh reloads it with the "
                      "bench config", flush=True)
            env = dict(os.environ, MAILROOT=a.mailroot, NUSERS=str(a.users), POP3_PORT="110",
                       IMAP_PORT="143", PASS=PASSWORD)
            subprocess.run([str(SHARED / "setup-dovecot.sh"), "start"], check=True, env=env,
                           stdout=subprocess.DEVNULL)
            n = fill_maildirs(a.mailroot, a.users, messages)
            print(f"dovecot: {n} messages written to {a.mailroot}/{DOMAIN}/u1..u{a.users}/cur "
                  f"({time.monotonic() - t0:.0f}s)", flush=True)
            servers.append(("dovecot", 110, {"pidfile": anchors.DOVECOT_PIDFILE}))
        if "hermod" in targets:
            hermod = Hermod(a.hermod, a.keep)
            hermod.start(a.users)
            t1 = time.monotonic()
            hermod.deliver(a.users, messages, a.smtp_threads)
            dt = time.monotonic() - t1
            print(f"hermod: {a.users * a.messages} messages delivered over SMTP in {dt:.0f}s "
                  f"({a.users * a.messages / dt:.0f} msg/s)", flush=True)
            servers.append(("hermod", hermod.port, {"pid": hermod.proc.pid}))
        sizes = {}
        for name, port, who in servers:
            w = bench.warmup(name, port, **who)
            sizes[name] = w["octets"] / w["messages"]
        print(f"pop3-bench {started}: {len(a.configs)} configs x {a.runs} runs x {a.secs:g}s, "
              f"{a.users} maildrops of {a.messages} messages, pipeline {a.pipeline}; "
              + ", ".join(f"{n} average message {s:.0f} octets" for n, s in sizes.items())
              + f"; load average {load0[0]:.2f}", flush=True)
        bench.run(servers)
        if a.python_ref:
            for name, port, who in servers:
                bench.python_ref(name, port, **who)
        print()
        print(f"{started}, {os.cpu_count()} CPUs, load average before {load0[0]:.2f}, after "
              f"{os.getloadavg()[0]:.2f}; {a.users} maildrops x {a.messages} messages of 4 KiB "
              f"(+ trace headers: " + ", ".join(f"{n} {s:.0f} octets" for n, s in sizes.items())
              + f"); median of {a.runs} runs of {a.secs:g}s (min–max sessions/s); pipeline "
              f"{a.pipeline}; CPU = server process tree and bench_pop3 (cpu-split.py); total "
              f"{time.monotonic() - t0:.0f}s")
        print()
        print(bench.table([n for n, _, _ in servers]))
    finally:
        if hermod:
            hermod.stop()
        if "dovecot" in targets:
            if not dovecot_was_running:
                subprocess.run([str(SHARED / "setup-dovecot.sh"), "stop"])
            if not a.keep and created_mailroot:
                shutil.rmtree(pathlib.Path(a.mailroot), ignore_errors=True)


if __name__ == "__main__":
    main()
