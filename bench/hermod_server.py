"""`hermod serve` for the side-by-side benchmarks: a temporary data folder under /var/tmp, the
named services on free loopback ports, every other service off. Shared by bench/*/ scripts."""

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SERVICES = ["smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s", "lmtp", "http"]


def free_port():
    return free_ports(1)[0]


def free_ports(count):
    """Distinct free loopback ports: all stay bound until every one is picked."""
    socks = [socket.socket() for _ in range(count)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class HermodServer:
    """Start with start(); admin() runs `hermod ...` on the same data folder and config."""

    def __init__(self, binary, keep, name, services):
        self.binary = binary
        self.keep = keep
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix=f"hermod-bench-{name}-", dir="/var/tmp"))
        os.chmod(self.dir, 0o755)  # SQLite opens the store by absolute path as user hermod
        self.data = self.dir / "var"
        self.ports = dict(zip(services, free_ports(len(services))))
        self.config = self.dir / "hermod.toml"
        listen = "".join(f'{s} = ["127.0.0.1:{self.ports[s]}"]\n' if s in self.ports else
                         f"{s} = []\n" for s in SERVICES)
        self.config.write_text(
            '[server]\nhostname = "mx.bench.test"\n'
            # Load generators reconnect while their previous connection is still closing (and
            # Postfix and Dovecot exempt or raise their per-client limits): lift Hermod's.
            "[limits]\nmax_connections_per_ip = 1000\n"
            f"[listen]\n{listen}")
        self.proc = None
        self.log = self.dir / "serve.log"

    def admin(self, *args, stdin=None):
        r = subprocess.run([self.binary, *args, "--data", str(self.data), "--config",
                            str(self.config)], input=stdin, text=True, capture_output=True,
                           timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"hermod {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def add_users(self, domain, users, password):
        self.admin("domain", "add", domain)
        for user in users:
            self.admin("user", "add", user, stdin=password + "\n")

    def start(self):
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([self.binary, "serve", "--data", str(self.data),
                                          "--config", str(self.config)],
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "stop with Ctrl-C" in self.log.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("hermod serve did not start:\n" + self.log.read_text(errors="replace"))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
