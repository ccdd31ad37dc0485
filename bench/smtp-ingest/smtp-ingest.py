#!/usr/bin/env python3
"""smtp-ingest.py - SMTP ingest rate of Hermod against Postfix and against the load generator's
own ceiling, with Postfix's smtp-source as the client. Loopback only, bounded in messages and time.

For every configuration (body size x sessions x new connection per message or `-d` reuse) and
every run it measures, interleaved so that drift of this shared machine hits all three alike:

  ceiling  smtp-source -> smtp-sink (no server): the most this client can send here
  postfix  smtp-source -> Postfix on 127.0.0.1:25 -> virtual(8) -> Maildir (the shared
           harness's setup-postfix.sh); rate until every file is in u1/new (fsync'ed by Postfix)
  hermod   smtp-source -> `hermod serve` (release build, own data folder on /var/tmp): Hermod
           answers 250 after DATA only once the message is fsync'ed in the store, so the
           acceptance rate is the durable rate; the mailbox count is checked after every run

Server CPU per message comes from the shared cpu-split.py (the server's process tree). The load
itself is the shared bench-smtp.py; both live in ../shared/bench next to the repository and are
called from there, never copied.

  sudo bench/smtp-ingest/smtp-ingest.py                      # defaults: ~5 minutes
  sudo bench/smtp-ingest/smtp-ingest.py --runs 1 --msgs-4k 1000 --msgs-100k 300   # quick look

Needs root: setup-postfix.sh configures and starts the system Postfix (/etc/postfix) on port 25,
and `hermod serve` started as root switches to the `hermod` user. Postfix is stopped at the end
unless it was already running. Prints a Markdown table; --tsv FILE appends raw rows.
"""

import argparse
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from hermod_server import HermodServer, free_port  # noqa: E402  (bench/hermod_server.py)

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED = pathlib.Path(os.environ.get("SHARED_BENCH", REPO.parent / "shared" / "bench"))
MAILROOT = os.environ.get("MAILROOT", "/var/tmp/anchors/postfix-mail")
POSTFIX_PIDFILE = "/var/spool/postfix/pid/master.pid"
TO = "u1@bench.test"

# (label, body octets, sessions, reuse): the matrix plus -d at 50 sessions.
CONFIGS = [
    ("4 KiB, 1 session", 4096, 1, False),
    ("4 KiB, 10 sessions", 4096, 10, False),
    ("4 KiB, 50 sessions", 4096, 50, False),
    ("4 KiB, 50 sessions, -d", 4096, 50, True),
    ("100 KiB, 1 session", 102400, 1, False),
    ("100 KiB, 10 sessions", 102400, 10, False),
    ("100 KiB, 50 sessions", 102400, 50, False),
]


def die(msg):
    sys.exit(f"smtp-ingest: {msg}")


def need_tools():
    for f in ("bench-smtp.py", "cpu-split.py", "setup-postfix.sh"):
        if not (SHARED / f).exists():
            die(f"shared benchmark harness not found: {SHARED / f} (expected ../shared/bench "
                f"next to the repository, or set SHARED_BENCH=DIR)")
    if os.geteuid() != 0:
        die("run as root: Postfix is configured in /etc/postfix and hermod switches users")
    if not shutil.which("smtp-source") and not os.path.exists("/usr/sbin/smtp-source"):
        # smtp-source/smtp-sink ship with Debian's postfix; "No configuration" leaves it idle.
        subprocess.run(["debconf-set-selections"], input="postfix postfix/main_mailer_type "
                       "select No configuration\n", text=True, check=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(["apt-get", "install", "-y", "postfix"], env=env).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, check=True)
            subprocess.run(["apt-get", "install", "-y", "postfix"], env=env, check=True)


def parse_run(out):
    """Fields of bench-smtp.py's 'run N ...' line and cpu-split.py's 'CPU ...' line."""
    r = {}
    m = re.search(r"^run \d+ .*?accept_mps=(\S+) e2e_s=\S+ e2e_mps=(\S+) cpu_busy=(\d+)% "
                  r"delivered=(\d+)", out, re.M)
    if m:
        num = lambda v: None if v == "-" else float(v)  # noqa: E731
        r.update(accept=num(m.group(1)), e2e=num(m.group(2)), busy=int(m.group(3)),
                 delivered=int(m.group(4)))
    m = re.search(r"^CPU wall_s=(\S+) server_cpu_s=(\S+) .*client_cpu_s=(\S+)", out, re.M)
    if m:
        r.update(wall=float(m.group(1)), server_cpu=float(m.group(2)), client_cpu=float(m.group(3)))
    return r


class Hermod(HermodServer):
    """`hermod serve` on one free loopback SMTP port, every other service off."""

    def __init__(self, binary, keep):
        super().__init__(binary, keep, "smtp", ["smtp"])
        self.port = self.ports["smtp"]

    def start(self):
        self.add_users("bench.test", [TO], "benchpass")
        super().start()

    def messages(self):
        m = re.search(r"in (\d+) message", self.admin("user", "show", TO))
        return int(m.group(1)) if m else -1


class Bench:
    def __init__(self, a):
        self.a = a
        self.rows = []  # (config label, target, run dict)
        self.deadline = time.monotonic() + a.max_seconds

    def msgs(self, size):
        return self.a.msgs_4k if size == 4096 else self.a.msgs_100k

    def load(self, port, size, sessions, reuse, count_dir=None, label="", factor=1):
        # Without a Maildir to scan, poll smtp-source's exit every 10 ms (the harness's 0.1 s
        # would be a 10 % error on a 1 s run); the Maildir scan keeps the baseline's 0.1 s.
        cmd = [sys.executable, str(SHARED / "bench-smtp.py"), "--port", str(port),
               "-s", str(sessions), "-m", str(self.msgs(size) * factor), "-l", str(size),
               "--to", TO, "--runs", "1", "--timeout", str(self.a.run_timeout), "--label", label,
               "--poll", "0.1" if count_dir else "0.01"]
        if reuse:
            cmd.append("-d")
        if count_dir:
            cmd += ["--count-dir", count_dir, "--clean"]
        if self.a.tsv:
            cmd += ["--results", self.a.tsv]
        return cmd

    def measure(self, target, cmd, pid=None, pidfile=None):
        if pid or pidfile:
            cmd = [sys.executable, str(SHARED / "cpu-split.py"),
                   *(["--pid", str(pid)] if pid else ["--pidfile", pidfile]),
                   "--timeout", str(self.a.run_timeout + 30), "--", *cmd]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=self.a.run_timeout + 60)
        out = r.stdout + r.stderr
        if self.a.verbose:
            print(out.rstrip(), flush=True)
        res = parse_run(out)
        if "accept" not in res:
            print(f"  {target}: no result (rc={r.returncode}):\n{out}", flush=True)
        if "smtp-source rc=" in out or "TIMEOUT" in out:
            res["error"] = " ".join(l for l in out.splitlines() if "rc=" in l or "TIMEOUT" in l)
        return res

    def run(self, targets, hermod, sink_port):
        for label, size, sessions, reuse in self.a.configs:
            for run_no in range(1, self.a.runs + 1):
                if time.monotonic() > self.deadline:
                    print(f"time budget of {self.a.max_seconds}s used up: stopping", flush=True)
                    return
                n = self.msgs(size)
                line = [f"{label} run {run_no} ({n} msgs):"]
                if "ceiling" in targets:
                    # smtp-sink is ~10x faster than any server: send more so the run lasts.
                    r = self.measure("ceiling", self.load(sink_port, size, sessions, reuse,
                                                          label="ingest-ceiling",
                                                          factor=self.a.ceiling_factor))
                    r["rate"] = r.get("accept")
                    self.rows.append((label, "ceiling", r))
                    line.append(f"ceiling {r.get('rate') or 0:.0f}/s")
                if "postfix" in targets:
                    r = self.measure("postfix", self.load(25, size, sessions, reuse,
                                                          count_dir=f"{MAILROOT}/bench.test/u1/new",
                                                          label="ingest-postfix"),
                                     pidfile=POSTFIX_PIDFILE)
                    r["rate"] = r.get("e2e")  # all n files in the Maildir
                    if r.get("delivered", 0) < n:
                        r["error"] = f"only {r.get('delivered')} of {n} in the Maildir"
                    self.rows.append((label, "postfix", r))
                    line.append(f"postfix {r.get('rate') or 0:.0f}/s")
                if "hermod" in targets:
                    before = hermod.messages()
                    r = self.measure("hermod", self.load(hermod.port, size, sessions, reuse,
                                                         label="ingest-hermod"),
                                     pid=hermod.proc.pid)
                    stored = hermod.messages() - before
                    r["rate"] = r.get("accept")  # 250 after DATA = fsync'ed in the store
                    if stored != n:
                        r["error"] = f"{stored} of {n} stored"
                        r["rate"] = None
                    self.rows.append((label, "hermod", r))
                    line.append(f"hermod {r.get('rate') or 0:.0f}/s (stored {stored})")
                errs = [f"{t}: {r['error']}" for (c, t, r) in self.rows[-len(targets):]
                        if r.get("error")]
                print("  ".join(line) + ("  ERRORS " + "; ".join(errs) if errs else ""),
                      flush=True)
                time.sleep(self.a.pause)

    def table(self, targets):
        def rate_cell(rates):
            if not rates:
                return "–"
            med = statistics.median(rates)
            return (f"**{med:,.0f}**" + (f" ({min(rates):,.0f}–{max(rates):,.0f})"
                                         if len(rates) > 1 else "")).replace(",", " ")

        def med(v):
            return statistics.median(v) if v else None

        out = [f"| config | msgs/run | ceiling msg/s (smtp-source → smtp-sink, "
               f"{self.a.ceiling_factor}× msgs) | Postfix msg/s "
               "(in Maildir) | Postfix CPU ms/msg | Hermod msg/s (durable) | Hermod CPU ms/msg "
               "| client CPU ms/msg (H) | Hermod ÷ Postfix | Hermod ÷ ceiling | machine busy (H) |",
               "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for label, size, sessions, reuse in self.a.configs:
            n = self.msgs(size)
            cells = {}
            for t in ("ceiling", "postfix", "hermod"):
                runs = [r for (c, tt, r) in self.rows if c == label and tt == t]
                rates = [r["rate"] for r in runs if r.get("rate")]
                cpus = [1000 * r["server_cpu"] / n for r in runs
                        if r.get("rate") and "server_cpu" in r]
                busy = [r["busy"] for r in runs if "busy" in r]
                errors = sum(1 for r in runs if r.get("error"))
                client = [1000 * r["client_cpu"] / n for r in runs
                          if r.get("rate") and "client_cpu" in r]
                cells[t] = (rates, med(cpus), med(busy), errors, len(runs), med(client))
            ratio = lambda a, b: (f"{med(cells[a][0]) / med(cells[b][0]):.2f}×"  # noqa: E731
                                  if cells[a][0] and cells[b][0] else "–")
            pct = (f"{100 * med(cells['hermod'][0]) / med(cells['ceiling'][0]):.0f} %"
                   if cells["hermod"][0] and cells["ceiling"][0] else "–")

            def cell(t):
                rates, _, _, errors, total, _ = cells[t]
                if t not in targets:
                    return "not run"
                s = rate_cell(rates)
                return s + (f" ⚠ {errors}/{total} runs failed" if errors else "")
            fmt_cpu = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
            busy = cells["hermod"][2]
            out.append(f"| {label} | {n} | {cell('ceiling')} | {cell('postfix')} | "
                       f"{fmt_cpu(cells['postfix'][1])} | {cell('hermod')} | "
                       f"{fmt_cpu(cells['hermod'][1])} | {fmt_cpu(cells['hermod'][5])} | "
                       f"{ratio('hermod', 'postfix')} | {pct} | "
                       f"{'–' if busy is None else f'{busy:.0f} %'} |")
        failed = [f"- {c}, {t}: {r['error']}" for (c, t, r) in self.rows if r.get("error")]
        if failed:
            out += ["", "Failed runs:", *failed]
        return "\n".join(out)


def postfix_running():
    return subprocess.run(["postfix", "status"], capture_output=True).returncode == 0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hermod", default=os.environ.get("HERMOD_BIN",
                                                      str(REPO / "build/release/src/hermod")),
                   help="hermod binary (release build)")
    p.add_argument("--targets", default="ceiling,postfix,hermod")
    p.add_argument("--runs", type=int, default=3, help="runs per configuration (median shown)")
    p.add_argument("--msgs-4k", type=int, default=3000, help="messages per 4 KiB run")
    p.add_argument("--msgs-100k", type=int, default=1000, help="messages per 100 KiB run")
    p.add_argument("--ceiling-factor", type=int, default=5,
                   help="the ceiling runs send this many times the messages")
    p.add_argument("--only", help="comma-separated config numbers (1-based) to run")
    p.add_argument("--run-timeout", type=int, default=120, help="max seconds per single run")
    p.add_argument("--max-seconds", type=int, default=720,
                   help="stop starting new runs after this many seconds")
    p.add_argument("--pause", type=float, default=1.0, help="seconds between runs")
    p.add_argument("--tsv", help="append bench-smtp.py's raw rows here")
    p.add_argument("--keep", action="store_true", help="keep Hermod's data folder")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    if (a.msgs_4k * a.ceiling_factor > 100000 or a.msgs_100k * a.ceiling_factor > 20000
            or a.runs > 10):
        die("bounded: at most 100000 (4 KiB) / 20000 (100 KiB) messages and 10 runs")
    a.configs = [c for i, c in enumerate(CONFIGS, 1)
                 if not a.only or str(i) in a.only.split(",")]
    targets = a.targets.split(",")
    need_tools()
    if "hermod" in targets and not os.access(a.hermod, os.X_OK):
        die(f"no hermod binary at {a.hermod}: build it with `cmake --preset release -B "
            f"build/release && cmake --build build/release --target hermod` or pass --hermod")

    hermod = sink = None
    postfix_was_running = postfix_running()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load0 = os.getloadavg()
    try:
        sink_port = free_port()
        if "ceiling" in targets:
            # Same smtp-sink as the harness's `bench-smtp.sh ceiling` (backlog 1024).
            sink = subprocess.Popen(["smtp-sink", "-u", "nobody", "-m", "1024",
                                     f"127.0.0.1:{sink_port}", "1024"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        if "postfix" in targets:
            subprocess.run([str(SHARED / "setup-postfix.sh"), "start"], check=True,
                           env=dict(os.environ, MAILROOT=MAILROOT), stdout=subprocess.DEVNULL)
        if "hermod" in targets:
            hermod = Hermod(a.hermod, a.keep)
            hermod.start()
        time.sleep(0.5)
        bench = Bench(a)
        print(f"smtp-ingest {started}: {len(a.configs)} configs x {a.runs} runs, "
              f"{a.msgs_4k} msgs (4 KiB) / {a.msgs_100k} msgs (100 KiB) per run; "
              f"targets {','.join(targets)}; load average {load0[0]:.2f}", flush=True)
        bench.run(targets, hermod, sink_port)
        print()
        print(f"{started}, {os.cpu_count()} CPUs, load average before {load0[0]:.2f}, after "
              f"{os.getloadavg()[0]:.2f}; median of {a.runs} runs (min–max); CPU = server "
              f"process tree (cpu-split.py), ms per message")
        print()
        print(bench.table(targets))
    finally:
        if hermod:
            hermod.stop()
        if sink and sink.poll() is None:
            sink.terminate()
            sink.wait(10)
        if "postfix" in targets:
            # Leave no Maildir files behind; stop Postfix unless it was running before.
            for sub in ("new", "cur"):
                d = pathlib.Path(MAILROOT, "bench.test", "u1", sub)
                for f in d.glob("*") if d.is_dir() else []:
                    f.unlink()
            if not postfix_was_running:
                subprocess.run([str(SHARED / "setup-postfix.sh"), "stop"])


if __name__ == "__main__":
    main()
