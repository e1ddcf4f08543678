"""gcloudz.py - the real gcloud, imported once, forked per command.

    SDK/platform/bundledpythonunix/bin/python3 tests/gcloudz.py SOCKET \\
        OWNER_PID

Every gcloud start spends most of its second importing.  This server
imports, the way SDK/lib/gcloud.py sets up its path, the modules gcloud
imports from the standard library and SDK/lib/third_party (about three
quarters of the import time), and none of googlecloudsdk: the list comes
from a throwaway process that imports gcloud's main module (--list).  It
then listens on the Unix socket SOCKET.  The client (tests/drivers/
gcloudz.c, which tests call instead of /usr/bin/gcloud) sends its argv,
environment, working folder and standard descriptors; the server forks,
and the child becomes that gcloud: it takes the client's descriptors as 0,
1 and 2, its environment and folder, and runs SDK/lib/gcloud.py's main()
with its argv, which imports googlecloudsdk then: every property,
configuration and log stream is read in that process, as /usr/bin/gcloud
would.  The child sends back the exit status.  The server leaves when
OWNER_PID is gone.

Message (client to server): a 4-byte big-endian length, then NUL-separated
fields: argc, the arguments (without argv[0]), envc, the NAME=VALUE
strings, the working folder; descriptors 0, 1 and 2 go with the first
bytes (SCM_RIGHTS).  Answer: 4 bytes, the exit status.
"""

import os
import signal
import socket
import struct
import sys
import time

SDK = "/usr/lib/google-cloud-sdk"


def gcloud_path():
    """SDK/lib/gcloud.py's path set-up; the module."""
    lib = os.path.join(SDK, "lib")
    sys.path.insert(0, lib)
    sys.path.insert(0, os.path.join(lib, "third_party"))
    import gcloud  # noqa: E402 - SDK/lib/gcloud.py
    sys.path[:] = gcloud.reorder_sys_path(sys.path)
    return gcloud


def ours(name):
    """A module that reads gcloud's world when imported: not preloaded."""
    top = name.split(".")[0]
    return top in ("googlecloudsdk", "surface", "gcloud", "__main__",
                   "gcloudz")


def list_modules():
    """--list: the modules gcloud's main module imports, in order."""
    gcloud = gcloud_path()
    gcloud._fix_google_module()
    gcloud._import_gcloud_main()
    for name in list(sys.modules):
        if not ours(name):
            print(name)


def preload():
    """Import what --list names (in a throwaway process); the module."""
    import subprocess
    env = dict(os.environ, CLOUDSDK_CONFIG=os.path.join(
        os.path.dirname(os.path.abspath(sys.argv[1])), "gcloudz-list"))
    out = subprocess.run([sys.executable, os.path.abspath(__file__),
                          "--list"], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         timeout=300).stdout.decode()
    gcloud = gcloud_path()
    import importlib
    for name in out.split():
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except BaseException:  # noqa: B902 - gcloud will, or not
                pass
    for name in list(sys.modules):
        if ours(name) and name not in ("__main__", "gcloud"):
            del sys.modules[name]
    return gcloud


def recv_request(conn):
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    while len(data) < 4:
        more = conn.recv(1 << 16)
        if not more:
            raise EOFError
        data += more
    n = struct.unpack(">I", data[:4])[0]
    data = data[4:]
    while len(data) < n:
        more = conn.recv(1 << 16)
        if not more:
            raise EOFError
        data += more
    f = data.split(b"\0")
    argc = int(f[0])
    argv = f[1:1 + argc]
    envc = int(f[1 + argc])
    env = f[2 + argc:2 + argc + envc]
    cwd = f[2 + argc + envc]
    return argv, env, cwd, fds


def become(gcloud, conn, argv, env, cwd, fds):
    """In the child: be `gcloud ARGV` with the client's world; exit."""
    t0, c0 = time.time(), sum(os.times()[:2])
    for i, fd in enumerate(fds[:3]):
        os.dup2(fd, i)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    os.environ.clear()
    for e in env:
        k, _, v = e.partition(b"=")
        os.environb[k] = v
    os.chdir(cwd)
    # What the gcloud script sets before it starts its bundled Python.
    for k, v in (("CLOUDSDK_ROOT_DIR", SDK),
                 ("CLOUDSDK_PYTHON", sys.executable),
                 ("CLOUDSDK_PYTHON_SITEPACKAGES", "1"),
                 ("CLOUDSDK_PYTHON_ARGS", ""),
                 ("CLOUDSDK_ENCODING",
                  os.environ.get("PYTHONIOENCODING", "UTF-8"))):
        os.environ.setdefault(k, v)
    for k in ("CLOUDSDK_GSUTIL_PYTHON", "CLOUDSDK_BQ_PYTHON"):
        os.environ.setdefault(k, os.environ["CLOUDSDK_PYTHON"])
    os.environ["PYTHONIOENCODING"] = os.environ["CLOUDSDK_ENCODING"]
    os.environ.pop("PYTHONHOME", None)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    # The standard streams as a new interpreter makes them, on the
    # client's descriptors, with the encoding the gcloud script sets.
    import io
    enc = os.environ["PYTHONIOENCODING"]
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"),
                           (2, "stderr", "w")):
        raw = io.FileIO(fd, mode, closefd=False)
        tty = raw.isatty()
        buf = io.BufferedReader(raw) if mode == "r" else \
            io.BufferedWriter(raw)
        f = io.TextIOWrapper(buf, encoding=enc, errors="backslashreplace"
                             if fd == 2 else "strict",
                             line_buffering=tty or fd == 2)
        setattr(sys, name, f)
        setattr(sys, "__%s__" % name, f)
    sys.argv = [os.path.join(SDK, "lib", "gcloud.py")] + \
        [os.fsdecode(a) for a in argv]
    status = 0
    try:
        gcloud.main()
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else \
            (0 if e.code is None else 1)
        if not isinstance(e.code, int) and e.code is not None:
            print(e.code, file=sys.stderr)
    except BaseException:  # noqa: B902 - as the interpreter would
        import traceback
        traceback.print_exc()
        status = 1
    try:
        import atexit
        atexit._run_exitfuncs()
    except BaseException:  # noqa: B902
        pass
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except (OSError, ValueError):
            pass
    log = os.environ.get("GCLOUDZ_LOG")
    if log:
        with open(log, "a") as f:
            f.write("%.2f s cpu %.2f s wall: gcloud %s\n" % (
                sum(os.times()[:2]) - c0, time.time() - t0,
                " ".join(sys.argv[1:])))
    try:
        conn.sendall(struct.pack(">I", status & 0xff))
    except OSError:
        pass
    os._exit(status & 0xff)


def main():
    if sys.argv[1:] == ["--list"]:
        return list_modules()
    path, owner = sys.argv[1], int(sys.argv[2])
    gcloud = preload()
    # What was preloaded lives as long as the server: out of the
    # collector's sight, each child's collections skip it (and leave its
    # pages unwritten): a quarter less CPU a command.  When gcloud's own
    # objects are collected is unchanged.
    import gc
    gc.freeze()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # no zombies
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path + ".tmp")
    os.rename(path + ".tmp", path)
    srv.listen(64)
    srv.settimeout(1.0)
    while True:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                return 0
            continue
        conn.settimeout(None)
        if os.fork() == 0:
            srv.close()
            try:
                req = recv_request(conn)
            except (OSError, EOFError, ValueError, IndexError):
                os._exit(125)
            become(gcloud, conn, *req)
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
