"""fakecommon.py - what the loopback fakes of tests/fake/ share.

Standard library only.  The server around a fake's handler (threads, TLS
with ALPN http/1.1, the port file written once it listens, SIGTERM and
SIGINT), its JSON-lines request log, and its scenario file re-read when it
changes.  Each fake keeps its own routes, answers and command line.
"""

import json
import os
import signal
import ssl
import sys
import threading
from http.server import ThreadingHTTPServer


class Server(ThreadingHTTPServer):
    """One thread per connection; a restarted fake may reuse the port."""
    daemon_threads = True
    allow_reuse_address = True


def use_tls(srv, cert, key, handshake_on_connect=False):
    """Serve HTTPS with CERT and KEY.  By default the handshake runs in
    the connection's thread, not in accept()."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["http/1.1"])
    srv.socket = ctx.wrap_socket(
        srv.socket, server_side=True,
        do_handshake_on_connect=handshake_on_connect)


def write_port(port_file, port, newline=True):
    """The port, in PORT_FILE all at once (tests wait for it)."""
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port if newline else str(port))
    os.replace(tmp, port_file)


def serve(srv, port_file, newline=True, signals=True, poll_interval=0.5):
    """Write the port, then serve until SIGTERM or SIGINT (exit 0; with
    signals False, until SIGINT only)."""
    def stop(signum, frame):
        sys.exit(0)
    if signals:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    write_port(port_file, srv.server_address[1], newline)
    try:
        srv.serve_forever(poll_interval=poll_interval)
    except (SystemExit, KeyboardInterrupt):
        pass
    return 0


class JsonLog:
    """One JSON object per line (keys sorted), flushed at once; nothing
    without a path."""

    def __init__(self, path, lock=None):
        self.f = open(path, "a", encoding="utf-8") if path else None
        self.lock = lock or threading.Lock()

    def write(self, rec):
        if self.f is None:
            return
        with self.lock:
            self.f.write(json.dumps(rec, sort_keys=True) + "\n")
            self.f.flush()


class Scenario:
    """A JSON scenario file, re-read whenever its mtime changes.  A file
    that cannot be read or parsed keeps the last good scenario and says so
    on stderr as "NAME: scenario: ERROR" (strict: raise instead)."""

    def __init__(self, path, name, strict=False, want=dict):
        self.path, self.name, self.strict, self.want = path, name, strict, want
        self.mtime, self.data = None, {}

    def current(self):
        """(the scenario, whether it was just re-read).  Not locked: the
        caller holds its own lock."""
        if not self.path:
            return self.data, False
        if self.strict:
            return self._read()
        try:
            return self._read()
        except (OSError, ValueError, TypeError) as e:
            print("%s: scenario: %s" % (self.name, e), file=sys.stderr)
            return self.data, False

    def _read(self):
        m = os.stat(self.path).st_mtime_ns
        if m == self.mtime:
            return self.data, False
        with open(self.path, encoding="utf-8") as f:
            s = json.load(f)
        if self.want is not None and not isinstance(s, self.want):
            return self.data, False
        self.data, self.mtime = s, m
        return s, True
