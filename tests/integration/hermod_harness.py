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
import time

HERMOD = os.environ.get("HERMOD_BIN", "build/debug/src/hermod")
SERVICES = ["smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s", "lmtp", "http"]


def free_port(host="127.0.0.1"):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


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
        self.ports = ports or {s: free_port() for s in SERVICES}
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
