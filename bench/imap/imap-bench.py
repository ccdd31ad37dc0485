#!/usr/bin/env python3
"""imap-bench.py - IMAP throughput and idle memory of Hermod against Dovecot 2.3 (Debian), side by
side on the same messages, with the C++ load generator bench_imap (bench/imap/bench_imap.cpp).
Loopback only, bounded in time and count.

  sessions  connect, LOGIN, SELECT INBOX, FETCH 1:* (FLAGS ENVELOPE), --bodies x FETCH n
            BODY.PEEK[] (random n), LOGOUT: sessions/s
  commands  logged in once, then a cycle of FETCH a:b (FLAGS ENVELOPE), UID FETCH u BODY.PEEK[],
            STORE +FLAGS/-FLAGS (\\Seen), UID SEARCH UNSEEN|FROM|SUBJECT, NOOP, IDLE+DONE, APPEND
            4 KiB + UID STORE \\Deleted + UID EXPUNGE: commands/s
  idle      N logged-in connections in IDLE (the shared harness's idle-mem.py): server RSS and PSS
            growth per connection (10 000 for Hermod, 1 000 for Dovecot: one process each)

Messages: --messages per user (100) from the shared harness's populate.py generator (seed 42:
~70 % 1-8 KiB, ~25 % 8-64 KiB, ~5 % 64-256 KiB, 20 % multipart with base64), the same list for
every user u1..u<users>@bench.test.

  dovecot  Debian's Dovecot 2.3 through the shared setup-dovecot.sh (IMAP 127.0.0.1:143,
           {PLAIN} passwd-file, imap-login + imap process per connection); the messages written
           straight into its Maildirs (bench/pop3's fill_maildirs: Postfix-style trace headers)
  hermod   `hermod serve` (bench/hermod_server.py: fresh data folder under /var/tmp, SMTP and
           IMAP only, [limits] raised for the idle test), Argon2id users, the messages delivered
           over SMTP

Both get a warm-up (one session per user, then a short commands run: Dovecot builds its indexes
and caches, Hermod fills its login cache); then every configuration and run measures Dovecot and
Hermod back to back. Server CPU = the server's process tree (shared cpu-split.py), client CPU =
bench_imap's rusage.

  sudo bench/imap/imap-bench.py --hermod build/release/src/hermod           # ~6 minutes
  sudo bench/imap/imap-bench.py --targets dovecot --runs 1 --secs 5          # quick look

Needs root. Dovecot is stopped at the end unless it was running before. Prints Markdown tables.
"""

import argparse
import importlib.util
import os
import pathlib
import random
import re
import resource
import shutil
import smtplib
import statistics
import subprocess
import sys
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO / "bench"))
import anchors  # noqa: E402  (bench/anchors.py)
from anchors import check_prerequisites, dovecot_running  # noqa: E402
from hermod_server import HermodServer  # noqa: E402  (bench/hermod_server.py)

SHARED = pathlib.Path(os.environ.get("SHARED_BENCH", REPO.parent / "shared" / "bench"))
DOMAIN = "bench.test"
PASSWORD = "benchpass"


def die(msg):
    sys.exit(f"imap-bench: {msg}")


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_messages(count):
    """`count` messages from the harness's populate.py generator, addressed to a generic user so
    that every mailbox (and both servers) get the same octets."""
    populate = load_module("populate", SHARED / "populate.py")
    rnd = random.Random(42)
    return [populate.make_message(rnd, i, f"user@{DOMAIN}", DOMAIN).encode()
            for i in range(count)]


class Hermod(HermodServer):
    """`hermod serve` with SMTP (to load the mailboxes) and IMAP; connection limits raised so
    that the idle test's connections all fit."""

    def __init__(self, binary, keep, max_conns):
        super().__init__(binary, keep, "imap", ["smtp", "imap"])
        text = self.config.read_text()
        text = re.sub(r"max_connections_per_ip = \d+",
                      f"max_connections = {max_conns}\nmax_connections_per_ip = {max_conns}", text)
        self.config.write_text(text)
        self.smtp_port = self.ports["smtp"]
        self.port = self.ports["imap"]

    def deliver(self, users, messages, threads=8):
        """Every message to every user over SMTP, in order, users split over `threads`."""
        errors = []

        def worker(k):
            try:
                with smtplib.SMTP("127.0.0.1", self.smtp_port, local_hostname="bench-client.test",
                                  timeout=60) as s:
                    for u in range(k + 1, users + 1, threads):
                        for msg in messages:
                            s.sendmail(f"sender@{DOMAIN}", [f"u{u}@{DOMAIN}"], msg)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(f"thread {k}: {e!r}")

        ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if errors:
            raise RuntimeError("SMTP delivery to hermod failed: " + "; ".join(errors))


def imap_ready(port, timeout=5):
    """The greeting: a real IMAP server says "* OK"; Hermod before its IMAP server says BYE."""
    import socket
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            return s.recv(512).decode(errors="replace").strip()
    except OSError as e:
        return f"error: {e}"


# --- measuring ---------------------------------------------------------------------------

def parse(out):
    r = {}
    m = re.search(r"^imap_load (.*)$", out, re.M)
    if m:
        for k, v in re.findall(r"(\w+)=(\S+)", m.group(1)):
            try:
                r[k] = float(v)
            except ValueError:
                r[k] = v
    m = re.search(r"^kinds(.*)$", out, re.M)
    if m:
        r["kinds"] = m.group(1).strip()
    m = re.search(r"^CPU wall_s=(\S+) server_cpu_s=(\S+) .*client_cpu_s=(\S+) .*"
                  r"machine_busy=(\d+)%", out, re.M)
    if m:
        r.update(wall=float(m.group(1)), server_cpu=float(m.group(2)),
                 client_cpu_wrap=float(m.group(3)), busy=int(m.group(4)))
    return r


def who_args(who):
    return ["--pid", str(who["pid"])] if who.get("pid") else ["--pidfile", who["pidfile"]]


class Bench:
    def __init__(self, a):
        self.a = a
        self.rows = []  # (mode, clients, server, result)
        self.idle = []  # (server, result)
        self.pyref = []  # (bench-imap.py mode, server, result)
        self.deadline = time.monotonic() + a.max_seconds

    def load_cmd(self, mode, port, clients, secs=None, max_ops=None):
        mix = []
        if mode == "commands-read":  # the commands cycle without STORE, APPEND, EXPUNGE
            mode, mix = "commands", ["--mix", "read"]
        cmd = [self.a.bench_imap, mode, *mix, "--host", "127.0.0.1", "--port", str(port),
               "--user-fmt", f"u%d@{DOMAIN}", "--users", str(self.a.users),
               "--password", PASSWORD, "--clients", str(clients),
               "--seconds", str(secs or self.a.secs), "--bodies", str(self.a.bodies),
               "--window", str(self.a.window)]
        if max_ops:
            cmd += ["--max-ops", str(max_ops)]
        return cmd

    def measure(self, cmd, who, timeout=None):
        timeout = timeout or self.a.secs + 180
        wrapped = [sys.executable, str(SHARED / "cpu-split.py"), *who_args(who),
                   "--timeout", str(timeout), "--", *cmd]
        r = subprocess.run(wrapped, capture_output=True, text=True, timeout=timeout + 30)
        out = r.stdout + r.stderr
        if self.a.verbose:
            print(out.rstrip(), flush=True)
        res = parse(out)
        if "ops_s" not in res:
            res["error"] = f"no result (rc={r.returncode}): {out.strip()[-500:]}"
        elif res.get("errors"):
            msgs = [l for l in out.splitlines() if l.startswith("bench_imap:")]
            res["error"] = (f"{res['errors']:.0f} errors (no={res.get('no', 0):.0f} "
                            f"bad={res.get('bad', 0):.0f} io={res.get('io_errors', 0):.0f} "
                            f"malformed={res.get('malformed', 0):.0f}): " + " | ".join(msgs[:3]))
        return res

    def warmup(self, name, port, who):
        """One session per user at once (indexes, login cache), then a short commands run (the
        header caches SEARCH and ENVELOPE use)."""
        r = self.measure(self.load_cmd("sessions", port, self.a.users, secs=120, max_ops=1), who,
                         timeout=300)
        print(f"warm-up {name}: {r.get('sessions', 0):.0f} sessions, "
              f"{r.get('server_cpu', 0):.1f}s server CPU"
              + (f"  ERROR {r['error']}" if r.get("error") else ""), flush=True)
        if r.get("sessions", 0) != self.a.users:
            raise RuntimeError(f"{name}: warm-up completed {r.get('sessions', 0):.0f} sessions "
                               f"of {self.a.users}: {r.get('error', '')}")
        r = self.measure(self.load_cmd("commands", port, self.a.users, secs=3), who)
        print(f"warm-up {name}: commands {r.get('ops_s', 0):.0f}/s"
              + (f"  ERROR {r['error']}" if r.get("error") else ""), flush=True)

    def run(self, servers):
        for mode in self.a.modes:
            for clients in self.a.clients:
                for run_no in range(1, self.a.runs + 1):
                    if time.monotonic() > self.deadline:
                        print(f"time budget of {self.a.max_seconds}s used up: stopping",
                              flush=True)
                        return
                    line = [f"{mode} {clients} clients run {run_no}:"]
                    for name, port, who in servers:
                        r = self.measure(self.load_cmd(mode, port, clients), who)
                        r["client_cpu"] = r.get("client_cpu_s", r.get("client_cpu_wrap"))
                        self.rows.append((mode, clients, name, r))
                        line.append(f"{name} {r.get('ops_s', 0):.0f} ops/s"
                                    + (f" {r.get('sess_s', 0):.1f} sess/s"
                                       if mode == "sessions" else "")
                                    + f" (cpu srv {r.get('server_cpu', 0):.1f}s cli "
                                    f"{r.get('client_cpu') or 0:.1f}s)"
                                    + (f" ERROR {r['error']}" if r.get("error") else ""))
                        if self.a.verbose and r.get("kinds"):
                            line.append(f"[{r['kinds']}]")
                        time.sleep(self.a.pause)
                    print("  ".join(line), flush=True)

    def python_ref(self, name, port, who):
        """The shared harness's Python client (bench-imap.py imap / imap-noconn, 10 clients, 5
        bodies), the tool behind BASELINE.md's 115 sessions/s and 6 400 commands/s, once per
        server, with its CPU next to bench_imap's."""
        for mode in ("imap", "imap-noconn"):
            cmd = [sys.executable, str(SHARED / "bench-imap.py"), mode, "--port", str(port),
                   "--clients", "10", "--bodies", str(self.a.bodies), "--secs", str(self.a.secs),
                   "--runs", "1", "--users", str(self.a.users)]
            wrapped = [sys.executable, str(SHARED / "cpu-split.py"), *who_args(who), "--", *cmd]
            r = subprocess.run(wrapped, capture_output=True, text=True,
                               timeout=self.a.secs + 180)
            out = r.stdout + r.stderr
            m = re.search(r"^run \d+ .*sess_s=(\S+) cmds_s=(\S+) MB_s=(\S+) .*errors=(\d+)",
                          out, re.M)
            c = parse(out)
            if not m or "server_cpu" not in c:
                print(f"python reference {name} {mode}: no result: {out[-400:]}", flush=True)
                continue
            res = dict(sess_s=float(m.group(1)), cmds_s=float(m.group(2)),
                       MB_s=float(m.group(3)), errors=int(m.group(4)),
                       server_cpu=c["server_cpu"], client_cpu=c["client_cpu_wrap"],
                       busy=c["busy"], wall=c["wall"])
            self.pyref.append((mode, name, res))
            print(f"python reference {name} {mode}: {res['sess_s']:.1f} sess/s "
                  f"{res['cmds_s']:.0f} cmds/s, server CPU {res['server_cpu']:.1f}s, client CPU "
                  f"{res['client_cpu']:.1f}s, errors {res['errors']}", flush=True)

    def idle_mem(self, name, port, who, conns):
        cmd = [sys.executable, str(SHARED / "idle-mem.py"), "--port", str(port),
               "--users", str(self.a.users), "--conns", str(conns), "--parallel", "20",
               "--connect-timeout", "300", "--settle", "3", *who_args(who), "--label", name]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        out = r.stdout + r.stderr
        if self.a.verbose:
            print(out.rstrip(), flush=True)
        res = {"conns_wanted": conns}
        m = re.search(r"^RESULT (.*)$", out, re.M)
        if m:
            for k, v in re.findall(r"(\w+)=(\S+)", m.group(1)):
                try:
                    res[k] = float(v)
                except ValueError:
                    res[k] = v
        m = re.search(r"^before: procs=(\d+) rss=(\S+) MiB pss=(\S+) MiB", out, re.M)
        if m:
            res.update(procs0=int(m.group(1)), rss0=float(m.group(2)), pss0=float(m.group(3)))
        m = re.search(r"^established (\d+)/(\d+) .*?\((\d+) errors(.*)\)$", out, re.M)
        if m:
            res["errors"] = int(m.group(3))
            if int(m.group(3)):
                res["error"] = m.group(4).strip(", ")
        if "conns" not in res:
            res["error"] = f"no result (rc={r.returncode}): {out.strip()[-400:]}"
        self.idle.append((name, res))
        print(f"idle {name}: {res.get('conns', 0):.0f}/{conns} connections, RSS "
              f"{res.get('rss_per_conn_kib', 0):.1f} KiB/conn, PSS "
              f"{res.get('pss_per_conn_kib', 0):.1f} KiB/conn, machine "
              f"{res.get('sys_used_delta_per_conn_kib', 0):.1f} KiB/conn"
              + (f"  ERROR {res['error']}" if res.get("error") else ""), flush=True)

    def table(self, names):
        def med(v):
            return statistics.median(v) if v else None

        def fmt(v, d=0):
            return "–" if v is None else f"{v:,.{d}f}".replace(",", " ")

        out = ["| load | clients | server | ops/s | sessions/s | rx MB/s | p50 / p99 ms | "
               "server CPU s | client CPU s | CPU µs/op server / client | machine busy | "
               "Hermod ÷ Dovecot |",
               "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        keys = []
        for mode, clients, _, _ in self.rows:
            if (mode, clients) not in keys:
                keys.append((mode, clients))
        for mode, clients in keys:
            meds = {}
            for name in names:
                runs = [r for (m, c, n, r) in self.rows if m == mode and c == clients and n == name]
                ok = [r for r in runs if not r.get("error") and "ops_s" in r]
                if not runs:
                    continue
                m = {k: med([r[k] for r in ok if r.get(k) is not None])
                     for k in ("ops_s", "sess_s", "rx_MB_s", "p50_ms", "p99_ms", "server_cpu",
                               "client_cpu", "busy", "ops")}
                meds[name] = m
                rng = (f" ({fmt(min(r['ops_s'] for r in ok))}–{fmt(max(r['ops_s'] for r in ok))})"
                       if len(ok) > 1 else "")
                per = (1e6 * m["server_cpu"] / m["ops"]
                       if m["server_cpu"] and m["ops"] else None)
                cper = (1e6 * m["client_cpu"] / m["ops"]
                        if m["client_cpu"] and m["ops"] else None)
                ratio = ""
                if name == "hermod" and meds.get("dovecot", {}).get("ops_s") and m["ops_s"]:
                    ratio = f"**{m['ops_s'] / meds['dovecot']['ops_s']:.2f}×**"
                failed = len(runs) - len(ok)
                sess = fmt(m["sess_s"], 1) if mode == "sessions" else "–"
                lat = (f"{fmt(m['p50_ms'], 2)} / {fmt(m['p99_ms'], 2)}"
                       if m["p50_ms"] is not None else "–")
                out.append(f"| {mode} | {clients} | {name} | **{fmt(m['ops_s'])}**{rng}"
                           f"{f' ⚠ {failed}/{len(runs)} runs failed' if failed else ''} | "
                           f"{sess} | {fmt(m['rx_MB_s'], 1)} | {lat} | "
                           f"{fmt(m['server_cpu'], 1)} | {fmt(m['client_cpu'], 1)} | "
                           f"{fmt(per)} / {fmt(cper)} | {fmt(m['busy'])} % | {ratio} |")
        failed = [f"- {m} {c} clients, {n}: {r['error']}" for (m, c, n, r) in self.rows
                  if r.get("error")]
        if failed:
            out += ["", "Failed runs (not in the medians):", *failed]
        if self.pyref:
            out += ["", "| Python client (bench-imap.py, 10 clients, 1 run) | server | sessions/s "
                    "| commands/s | MB/s | server CPU s | client CPU s | machine busy |",
                    "|---|---|--:|--:|--:|--:|--:|--:|"]
            for mode, name, r in self.pyref:
                what = ("full sessions (imap)" if mode == "imap" else
                        "logged in once (imap-noconn)")
                out.append(f"| {what} | {name} | {fmt(r['sess_s'], 1)} | {fmt(r['cmds_s'])} | "
                           f"{fmt(r['MB_s'], 1)} | {fmt(r['server_cpu'], 1)} | "
                           f"{fmt(r['client_cpu'], 1)} | {r['busy']} % |"
                           + (f" ⚠ {r['errors']} errors" if r["errors"] else ""))
        if self.idle:
            out += ["", "| idle in IDLE | connections | server processes | RSS before MiB | "
                    "RSS after MiB | RSS KiB/conn | PSS KiB/conn | machine KiB/conn | setup s |",
                    "|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
            for name, r in self.idle:
                out.append(f"| {name} | {fmt(r.get('conns'))} of {r['conns_wanted']} | "
                           f"{fmt(r.get('procs'))} | {fmt(r.get('rss0'), 1)} | "
                           f"{fmt(r.get('rss_total_mib'), 1)} | "
                           f"**{fmt(r.get('rss_per_conn_kib'), 1)}** | "
                           f"**{fmt(r.get('pss_per_conn_kib'), 1)}** | "
                           f"{fmt(r.get('sys_used_delta_per_conn_kib'), 1)} | "
                           f"{fmt(r.get('connect_s'), 1)} |"
                           + (f" ⚠ {r['error']}" if r.get("error") else ""))
        return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hermod", default=os.environ.get("HERMOD_BIN",
                                                      str(REPO / "build/release/src/hermod")),
                   help="hermod binary (release build)")
    p.add_argument("--bench-imap", help="bench_imap binary (default: next to --hermod's build)")
    p.add_argument("--targets", default="dovecot,hermod")
    p.add_argument("--modes", default="sessions,commands",
                   help="sessions, commands, commands-read (the cycle without STORE, APPEND, "
                        "EXPUNGE: reads only)")
    p.add_argument("--clients", default="10,50", help="comma-separated client counts")
    p.add_argument("--runs", type=int, default=3, help="runs per configuration and server")
    p.add_argument("--secs", type=float, default=10, help="seconds per run")
    p.add_argument("--users", type=int, default=50,
                   help="mailboxes u1..uN (at least the largest client count)")
    p.add_argument("--messages", type=int, default=100, help="messages per mailbox")
    p.add_argument("--bodies", type=int, default=5, help="BODY.PEEK[] fetches per session")
    p.add_argument("--window", type=int, default=20, help="messages per FETCH ENVELOPE (commands)")
    p.add_argument("--python-ref", action=argparse.BooleanOptionalAction, default=True,
                   help="also run the harness's Python client once per server (bench-imap.py "
                        "imap and imap-noconn, 10 clients)")
    p.add_argument("--idle", action=argparse.BooleanOptionalAction, default=True,
                   help="measure memory of idle connections in IDLE")
    p.add_argument("--idle-hermod", type=int, default=10000, help="IDLE connections to Hermod")
    p.add_argument("--idle-dovecot", type=int, default=1000,
                   help="IDLE connections to Dovecot (a process each: ~5 MiB RSS, ~0.5 MiB PSS)")
    p.add_argument("--smtp-threads", type=int, default=8, help="SMTP connections loading Hermod")
    p.add_argument("--mailroot", default=os.environ.get("MAILROOT",
                                                        "/var/tmp/hermod-bench-imap-mail"))
    p.add_argument("--max-seconds", type=int, default=1500,
                   help="stop starting new runs after this many seconds")
    p.add_argument("--pause", type=float, default=1.0, help="seconds between runs")
    p.add_argument("--keep", action="store_true", help="keep the Maildirs and Hermod's data folder")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    a.clients = [int(c) for c in a.clients.split(",")]
    a.modes = a.modes.split(",")
    targets = a.targets.split(",")
    if (a.runs > 10 or a.secs > 60 or a.users > 200 or a.messages > 2000 or max(a.clients) > 500
            or a.idle_hermod > 15000 or a.idle_dovecot > 1900):
        die("bounded: runs <= 10, secs <= 60, users <= 200, messages <= 2000, clients <= 500, "
            "idle: hermod <= 15000, dovecot <= 1900 (setup-dovecot.sh's 2000 processes)")
    if max(a.clients) > a.users:
        die("--users must be at least the largest client count (one mailbox per client)")
    if set(a.modes) - {"sessions", "commands", "commands-read"}:
        die("--modes: sessions,commands,commands-read")
    a.bench_imap = check_prerequisites("imap-bench", SHARED,
                                     ("cpu-split.py", "setup-dovecot.sh", "populate.py", "idle-mem.py"),
                                     "bench_imap",
                                     a.bench_imap, a.hermod, targets)

    # 10 000 idle sockets in Hermod (it inherits this limit) and in idle-mem.py
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < a.idle_hermod + 256:
        print(f"note: RLIMIT_NOFILE hard limit {hard} < {a.idle_hermod + 256}", flush=True)

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load0 = os.getloadavg()
    t0 = time.monotonic()
    messages = make_messages(a.messages)
    avg = sum(len(m) for m in messages) / len(messages)
    bench = Bench(a)
    hermod = None
    dovecot_was_running = dovecot_running()
    created_mailroot = not os.path.exists(a.mailroot)
    servers = []
    failure = None
    try:
        if "dovecot" in targets:
            if dovecot_was_running:
                print("note: Dovecot was already running; setup-dovecot.sh reloads it with the "
                      "bench config", flush=True)
            env = dict(os.environ, MAILROOT=a.mailroot, NUSERS=str(a.users), IMAP_PORT="143",
                       POP3_PORT="110", PASS=PASSWORD)
            subprocess.run([str(SHARED / "setup-dovecot.sh"), "start"], check=True, env=env,
                           stdout=subprocess.DEVNULL)
            pop3 = load_module("pop3_bench", REPO / "bench" / "pop3" / "pop3-bench.py")
            n = pop3.fill_maildirs(a.mailroot, a.users, messages)
            print(f"dovecot: {n} messages written to {a.mailroot}/{DOMAIN}/u1..u{a.users}/cur "
                  f"({time.monotonic() - t0:.0f}s)", flush=True)
            servers.append(("dovecot", 143, {"pidfile": anchors.DOVECOT_PIDFILE}))
        if "hermod" in targets:
            hermod = Hermod(a.hermod, a.keep, a.idle_hermod + 1000)
            hermod.add_users(DOMAIN, [f"u{u}@{DOMAIN}" for u in range(1, a.users + 1)], PASSWORD)
            hermod.start()
            greeting = imap_ready(hermod.port)
            if not greeting.startswith("* OK"):
                raise RuntimeError(f"hermod's IMAP port answers {greeting!r}: no IMAP server yet")
            t1 = time.monotonic()
            hermod.deliver(a.users, messages, a.smtp_threads)
            dt = time.monotonic() - t1
            print(f"hermod: {a.users * a.messages} messages delivered over SMTP in {dt:.0f}s "
                  f"({a.users * a.messages / dt:.0f} msg/s)", flush=True)
            servers.append(("hermod", hermod.port, {"pid": hermod.proc.pid}))
        for name, port, who in servers:
            bench.warmup(name, port, who)
        print(f"imap-bench {started}: modes {','.join(a.modes)} x clients "
              f"{','.join(map(str, a.clients))} x {a.runs} runs x {a.secs:g}s, {a.users} "
              f"mailboxes of {a.messages} messages (average {avg:.0f} octets); load average "
              f"{load0[0]:.2f}", flush=True)
        bench.run(servers)
        if a.python_ref:
            for name, port, who in servers:
                bench.python_ref(name, port, who)
        if a.idle:
            for name, port, who in servers:
                bench.idle_mem(name, port, who,
                               a.idle_hermod if name == "hermod" else a.idle_dovecot)
        print()
        print(f"{started}, {os.cpu_count()} CPUs, load average before {load0[0]:.2f}, after "
              f"{os.getloadavg()[0]:.2f}; {a.users} mailboxes x {a.messages} messages "
              f"(populate.py mix, average {avg:.0f} octets); median of {a.runs} runs of "
              f"{a.secs:g}s (min–max ops/s); sessions: {a.bodies} bodies each; commands: window "
              f"{a.window}; CPU = server process tree and bench_imap (cpu-split.py); total "
              f"{time.monotonic() - t0:.0f}s")
        print()
        print(bench.table([n for n, _, _ in servers]))
    except (RuntimeError, subprocess.CalledProcessError) as e:
        failure = e
    finally:
        if hermod:
            hermod.stop()
        if "dovecot" in targets:
            if not dovecot_was_running:
                subprocess.run([str(SHARED / "setup-dovecot.sh"), "stop"])
            if not a.keep and created_mailroot:
                shutil.rmtree(pathlib.Path(a.mailroot), ignore_errors=True)
    if failure:
        die(str(failure))


if __name__ == "__main__":
    main()
