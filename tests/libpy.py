"""libpy.py - the long-lived Python of one test script (see tests/lib.sh).

    python3 tests/libpy.py DIR OWNER_PID

One interpreter per script instead of one per assertion: `json` and
`pyrun` in tests/lib.sh send their requests here over the FIFO DIR/req and
read the answer from the FIFO DIR/rsp.  This process holds both FIFOs open
for reading and writing, so the shell never blocks opening them while it
lives, and the shell's read of DIR/rsp ends (EOF) if it dies.  It leaves
when OWNER_PID (the script) is gone.

Request: NUL-terminated fields: N, then N fields:
    json PWD FILE EXPR          is EXPR true for d = the JSON in FILE?
    run PWD ARGV0 CODE ARGS...  python3 -c CODE ARGS (ARGV0 "-c" or "-"),
                                or a script file (ARGV0 its path, CODE
                                empty), with the environment of DIR/env
                                (`export -p`), stdout and stderr in DIR/out
                                and DIR/err
Answer: two lines: the status (0 true or exit status 0), and one line of
message (the exception, for `json`).
"""

import builtins
import json
import os
import select
import shlex
import signal
import sys
import traceback


def read_request(fd, buf, owner):
    """The next request's fields, and what is left of buf."""
    while True:
        parts = buf.split(b"\0")
        if len(parts) > 1:
            try:
                n = int(parts[0])
            except ValueError:
                n = 0
            if len(parts) > n + 1:
                fields = [p.decode("utf-8", "surrogateescape")
                          for p in parts[1:n + 1]]
                return fields, b"\0".join(parts[n + 1:])
        r, _, _ = select.select([fd], [], [], 1.0)
        if not r:
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                sys.exit(0)
            except PermissionError:
                pass
            continue
        buf += os.read(fd, 1 << 16)


def last_line(e):
    """The last line of the traceback python3 would print for e."""
    lines = traceback.format_exception_only(type(e), e)
    return lines[-1].strip() if lines else type(e).__name__


def do_json(path, expr):
    sys.argv = ["-c", path, expr]
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        g = {"__name__": "__main__", "__builtins__": builtins,
             "json": json, "sys": sys, "d": d}
        return (0 if eval(expr, g) else 1), ""
    except BaseException as e:  # noqa: B902 - report, never die
        return 1, last_line(e)


def read_env(path):
    env = {}
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            words = shlex.split(f.read())
    except (OSError, ValueError):
        return None
    for w in words:
        name, eq, value = w.partition("=")
        if eq and name.isidentifier():
            env[name] = value
    return env


def exit_status(e):
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xff
    print(code, file=sys.stderr)
    return 1


def run_code(argv0, code, args):
    if code == "" and argv0 not in ("-c", "-"):
        with open(argv0, encoding="utf-8") as f:
            code = f.read()
        name = argv0
    else:
        name = "<string>" if argv0 == "-c" else "<stdin>"
    sys.argv = [argv0] + args
    sys.path.insert(0, "" if name.startswith("<") else
                    os.path.dirname(os.path.abspath(argv0)))
    g = {"__name__": "__main__", "__builtins__": builtins}
    if not name.startswith("<"):
        g["__file__"] = name
    try:
        exec(compile(code, name, "exec"), g)
    except SystemExit as e:
        return exit_status(e)
    except BaseException as e:  # noqa: B902 - as python3 reports it
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)
        return 1
    return 0


def do_run(d, argv0, code, args):
    env = read_env(os.path.join(d, "env"))
    saved_env = dict(os.environ)
    sigs = (signal.SIGPIPE, signal.SIGINT, signal.SIGTERM, signal.SIGALRM)
    saved_sigs = [signal.getsignal(n) for n in sigs]
    saved_fds = os.dup(1), os.dup(2)
    sys.stdout.flush()
    sys.stderr.flush()
    out = os.open(os.path.join(d, "out"), os.O_WRONLY | os.O_CREAT |
                  os.O_TRUNC, 0o600)
    err = os.open(os.path.join(d, "err"), os.O_WRONLY | os.O_CREAT |
                  os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.close(out)
    os.close(err)
    try:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        rc = run_code(argv0, code, args)
    finally:
        for f in (sys.stdout, sys.stderr):
            try:
                f.flush()
            except (OSError, ValueError):
                pass
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        os.close(saved_fds[0])
        os.close(saved_fds[1])
        os.environ.clear()
        os.environ.update(saved_env)
        signal.alarm(0)
        for n, h in zip(sigs, saved_sigs):
            signal.signal(n, h)
    return rc, ""


def handle(d, fields):
    kind, pwd = fields[0], fields[1]
    try:
        os.chdir(pwd)
    except OSError:
        pass
    if kind == "json" and len(fields) == 4:
        return do_json(fields[2], fields[3])
    if kind == "run" and len(fields) >= 4:
        return do_run(d, fields[2], fields[3], fields[4:])
    return 125, "libpy: bad request %r" % fields[:2]


def main():
    d, owner = sys.argv[1], int(sys.argv[2])
    req = os.open(os.path.join(d, "req"), os.O_RDWR)
    rsp = os.open(os.path.join(d, "rsp"), os.O_RDWR)
    with open(os.path.join(d, "ready"), "w"):
        pass
    saved_argv, saved_path = list(sys.argv), list(sys.path)
    buf = b""
    while True:
        fields, buf = read_request(req, buf, owner)
        if len(fields) < 2:
            rc, msg = 125, "libpy: bad request"
        else:
            try:
                rc, msg = handle(d, fields)
            except BaseException as e:  # noqa: B902 - never die
                rc, msg = 125, "libpy: " + last_line(e)
        sys.argv, sys.path[:] = list(saved_argv), saved_path
        msg = " ".join(msg.split("\n"))[:2000]
        os.write(rsp, ("%d\n%s\n" % (rc, msg)).encode("utf-8",
                                                      "surrogateescape"))


if __name__ == "__main__":
    main()
