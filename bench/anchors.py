"""Shared by the side-by-side benchmarks (bench/pop3, bench/imap): the checks every run makes
before it starts, and whether the Debian Dovecot anchor is up."""
import os
import pathlib
import shutil
import sys

DOVECOT_PIDFILE = "/run/dovecot/master.pid"


def dovecot_running():
    try:
        pid = int(pathlib.Path(DOVECOT_PIDFILE).read_text().split()[0])
        os.kill(pid, 0)
        return True
    except (OSError, ValueError, IndexError):
        return False


def check_prerequisites(tool, shared, harness_files, generator, generator_path, hermod, targets):
    """Exits with `tool: reason` unless the shared harness files, root, the load generator
    `generator` (built next to hermod unless `generator_path` is given), hermod and Dovecot are
    there. Returns the generator's path."""
    def die(msg):
        sys.exit(f"{tool}: {msg}")

    for f in harness_files:
        if not (shared / f).exists():
            die(f"shared benchmark harness not found: {shared / f} (expected ../shared/bench "
                f"next to the repository, or set SHARED_BENCH=DIR)")
    if os.geteuid() != 0:
        die("run as root: Dovecot is configured in /etc/dovecot and hermod switches users")
    path = generator_path or str(pathlib.Path(hermod).resolve().parent.parent / "bench"
                                 / generator)
    if not os.access(path, os.X_OK):
        die(f"no {generator} at {path}: cmake --build <build> --target {generator}, "
            f"or pass --{generator.replace('_', '-')}")
    if "hermod" in targets and not os.access(hermod, os.X_OK):
        die(f"no hermod binary at {hermod}: cmake --preset release && cmake --build "
            f"build/release --target hermod {generator}")
    if "dovecot" in targets and not shutil.which("dovecot"):
        die("Dovecot is not installed: apt-get install -y dovecot-imapd dovecot-pop3d")
    return path
