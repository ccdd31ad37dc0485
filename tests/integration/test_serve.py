"""`hermod serve` end to end: first start, TLS with the self-signed certificate, a clear answer on
every port, SIGTERM, restart, and the switch away from root."""

import os
import pathlib
import re
import signal
import socket
import ssl
import stat
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import hermod_harness as h  # noqa: E402


class ServeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = h.Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_banner_lists_every_port_and_the_demo_login(self):
        banner = self.server.banner()
        for service, port in self.server.ports.items():
            self.assertRegex(banner, rf"\n  {service} +127\.0\.0\.1:{port}\n")
        m = re.search(r"login: +demo@localhost\n +password: +(\S+)", banner)
        self.assertIsNotNone(m, banner)
        pw_file = self.server.data / "demo-password"
        self.assertEqual(pw_file.read_text().strip(), m.group(1))
        self.assertEqual(stat.S_IMODE(pw_file.stat().st_mode), 0o600)
        self.assertGreaterEqual(len(m.group(1)), 16)

    def test_demo_account_exists_and_admin_sees_it_while_running(self):
        out = h.run(["user", "list"], self.server.data)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("demo@localhost", out.stdout)
        out = h.run(["domain", "list"], self.server.data)
        self.assertIn("localhost", out.stdout.split())

    def tls_client(self, **kwargs):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cafile=str(self.server.data / "tls" / "cert.pem"))
        for k, v in kwargs.items():
            setattr(ctx, k, v)
        return ctx

    def test_implicit_tls_handshake_verifies_self_signed_certificate(self):
        for service in ("imaps", "pop3s", "submissions"):
            ctx = self.tls_client()
            with socket.create_connection(("127.0.0.1", self.server.ports[service]), 10) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                    self.assertIn(tls.version(), ("TLSv1.2", "TLSv1.3"))
                    # A greeting over TLS (SMTP 220, or the "not available yet" line).
                    self.assertTrue(h.read_line(tls), service)

    def test_tls_below_1_2_is_refused(self):
        ctx = self.tls_client(check_hostname=False, verify_mode=ssl.CERT_NONE)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        import warnings
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        with socket.create_connection(("127.0.0.1", self.server.ports["imaps"]), 10) as raw:
            with self.assertRaises((ssl.SSLError, ConnectionError)):
                with ctx.wrap_socket(raw, server_hostname="localhost"):
                    pass

    def test_every_port_answers_clearly(self):
        expect = {"smtp": "220 ", "lmtp": "220 ", "submission": "220 ",
                  "imap": "* OK [CAPABILITY ", "pop3": "+OK ", "http": "HTTP/1.1 501"}
        for service, prefix in expect.items():
            with socket.create_connection(("127.0.0.1", self.server.ports[service]), 10) as s:
                if service == "http":
                    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                line = h.read_line(s)
                self.assertTrue(line.startswith(prefix), f"{service}: {line!r}")
                self.assertTrue(line.endswith("\r\n"), f"{service}: {line!r}")


class LifecycleTest(unittest.TestCase):
    def test_sigterm_stops_and_restart_keeps_the_store(self):
        server = h.Server()
        try:
            server.start()
            first = (server.data / "demo-password").read_text()
            with socket.create_connection(("127.0.0.1", server.ports["imap"]), 10):
                pass
            t0 = time.monotonic()
            self.assertEqual(server.stop(signal.SIGTERM), 0, server.banner())
            self.assertLess(time.monotonic() - t0, 15)
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", server.ports["imap"]), 2)

            again = h.Server(data=server.data, ports=server.ports)
            try:
                again.start()
                self.assertNotIn("password:", again.banner())
                self.assertIn("demo login: demo@localhost", again.banner())
                self.assertEqual((server.data / "demo-password").read_text(), first)
                self.assertEqual(again.stop(signal.SIGINT), 0)
            finally:
                again.cleanup()
        finally:
            server.cleanup()

    def test_busy_port_is_one_clear_error(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            server = h.Server()
            server.ports["smtp"] = port
            server.config.write_text(server.config.read_text().replace(
                f'smtp = ["127.0.0.1:', f'smtp = ["127.0.0.1:{port}"]\n#'))
            try:
                with self.assertRaises(RuntimeError) as ctx:
                    server.start(timeout=20)
                self.assertIn(f"127.0.0.1:{port}", str(ctx.exception))
                self.assertNotEqual(server.proc.returncode, 0)
            finally:
                server.cleanup()

    def test_bad_config_is_refused_with_file_and_line(self):
        server = h.Server(extra_config="[limits]\nmax_recipients = 0\n")
        try:
            out = subprocess.run([h.HERMOD, "serve", "--data", str(server.data), "--config",
                                  str(server.config)], capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 2)
            self.assertIn(f"{server.config}:", out.stderr)
            self.assertIn("max_recipients", out.stderr)
        finally:
            server.cleanup()

    @unittest.skipUnless(os.geteuid() == 0, "needs root to test the switch to an unprivileged user")
    def test_root_binds_then_runs_as_the_configured_user(self):
        server = h.Server(extra_config='[server]\nuser = "nobody"\n')
        try:
            server.start()
            status = pathlib.Path(f"/proc/{server.proc.pid}/status").read_text()
            uids = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
            self.assertTrue(all(u != "0" for u in uids), status)
            import pwd
            nobody = pwd.getpwnam("nobody").pw_uid
            self.assertEqual((server.data / "hermod.db").stat().st_uid, nobody)
            self.assertEqual(server.stop(), 0)
        finally:
            server.cleanup()


    @unittest.skipUnless(os.geteuid() == 0, "needs root to test the switch to an unprivileged user")
    def test_data_folder_below_a_folder_the_user_cannot_enter(self):
        # A checkout in /root (mode 0700): after the switch the server reaches its data folder
        # only through its current directory, never by absolute path.
        import tempfile
        parent = tempfile.mkdtemp(prefix="hermod-private-")
        os.chmod(parent, 0o700)
        server = h.Server(data=os.path.join(parent, "var"), extra_config='[server]\nuser = "nobody"\n')
        try:
            server.start()
            with socket.create_connection(("127.0.0.1", server.ports["smtp"]), 10) as s:
                self.assertTrue(h.read_line(s).startswith("220 "))
                s.sendall(b"EHLO t\r\n")
                while not h.read_line(s).startswith("250 "):
                    pass
                # Both lookups read the store on connections opened after the switch.
                s.sendall(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<demo@localhost>\r\n")
                self.assertTrue(h.read_line(s).startswith("250"))
                self.assertTrue(h.read_line(s).startswith("250"), server.banner())
            self.assertEqual(server.stop(), 0)
        finally:
            server.cleanup()
            import shutil
            shutil.rmtree(parent, ignore_errors=True)


class ConfigCommandTest(unittest.TestCase):
    def test_config_show_and_check(self):
        server = h.Server()
        try:
            shown = h.run(["config", "show", "--config", str(server.config)], server.data)
            self.assertEqual(shown.returncode, 0, shown.stderr)
            self.assertIn(f'imap = ["127.0.0.1:{server.ports["imap"]}"]', shown.stdout)
            out_file = pathlib.Path(server.tmp) / "shown.toml"
            out_file.write_text(shown.stdout)
            ok = h.run(["config", "check", str(out_file)], server.data)
            self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
            bad = pathlib.Path(server.tmp) / "bad.toml"
            bad.write_text('[server]\nhostname = 1\n[limits]\nbogus = 2\n')
            out = h.run(["config", "check", str(bad)], server.data)
            self.assertEqual(out.returncode, 2)
            self.assertIn(f"{bad}:2: 'hostname' must be a string", out.stdout)
            self.assertIn(f"{bad}:4: unknown key 'bogus' in [limits]", out.stdout)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
