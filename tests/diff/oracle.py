"""Differential test: the shim's command-line model against gcloud's parser.

Run once per test run by the SDK's bundled Python:

  SDK/platform/bundledpythonunix/bin/python3 tests/diff/oracle.py \
      SDK TMPDIR CLIDUMP...

It loads gcloud's CLI in-process as gcloud_main does, generates
DIFF_COUNT command lines (tests/diff/gen.py, seed DIFF_SEED), and for each
one takes the namespace of gcloud's own parser (calliope on argparse, the
flags files expanded by calliope's _ApplyFlagsFile) without running the
command.  Each CLIDUMP (tests/diff/clidump.c, one per build) gives the
shim's reading of the same lines, all in one process; gcloud parses them
once for all of them.  Compared: the command (is it a deploy, and
which), the service name, the image of every container gcloud pulls (a
container built from source, --source or --function without --image,
pulls none), the removed containers, --region and --help.  Lines gcloud refuses are
counted, not compared.  Prints the figures, then for the K-th CLIDUMP
its first disagreements and "# [K] result: agree|disagree|failed" (failed:
the CLIDUMP itself did not answer); exits 1 on any disagreement or
failure, 2 when it cannot run at all.
"""
import contextlib
import io
import json
import os
import random
import subprocess
import sys
import time

SDK, TMPDIR = sys.argv[1:3]
CLIDUMPS = sys.argv[3:]
sys.path[:0] = [os.path.join(SDK, "lib", "third_party"),
                os.path.join(SDK, "lib"), os.path.dirname(__file__)]
os.environ["CLOUDSDK_CONFIG"] = os.path.join(TMPDIR, "gcloud-config")
os.environ["CLOUDSDK_CORE_DISABLE_PROMPTS"] = "1"

import gen  # noqa: E402

SEED = int(os.environ.get("DIFF_SEED", "11"))
COUNT = int(os.environ.get("DIFF_COUNT", "2000"))
SHOW = int(os.environ.get("DIFF_SHOW", "8"))

# gcloud writes its errors and help through its own streams and logger:
# silence file descriptors 1 and 2 while it parses; report on a copy.
REPORT = os.fdopen(os.dup(1), "w", buffering=1)
_null = os.open(os.devnull, os.O_WRONLY)
_err = os.dup(2)
os.dup2(_null, 1)
os.dup2(_null, 2)


def say(*a):
    print(*a, file=REPORT)


start = time.time()
sys.stderr = open(os.devnull, "w")
from googlecloudsdk import gcloud_main  # noqa: E402
from googlecloudsdk.calliope import cli as cli_mod  # noqa: E402
from googlecloudsdk.core import properties  # noqa: E402

CLI = gcloud_main.CreateCLI([])
PARSER = CLI._CLI__parser
TOP = CLI._TopElement()
DEPLOY = set((t + " " + c).strip() for t, c in gen.COMMANDS)


def node_of(full):
    node = TOP
    for w in full.split():
        node.LoadAllSubElements()
        node = node.LoadSubElement(w)
    return node


TABLES = {}
POSITIONAL = {}
for full in DEPLOY:
    p = node_of(full)._parser
    TABLES[full] = set(p._option_string_actions)
    POSITIONAL[full] = [a.dest for a in p._actions if not a.option_strings]
    words = full.split()
    for i in range(1, len(words)):
        group = " ".join(words[:i])
        TABLES[group] = set(node_of(group)._parser._option_string_actions)
load_time = time.time() - start


def parse(argv):
    """gcloud's namespace for argv, "help", or None when it refuses."""
    properties.VALUES.PushInvocationValues()
    try:
        with contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            return PARSER.parse_args(cli_mod._ApplyFlagsFile(list(argv)))
    except SystemExit as e:
        return "help" if e.code in (0, None) else None
    except BaseException:  # noqa: B902 - any refusal is a refusal
        return None
    finally:
        properties.VALUES.PopInvocationValues()


def specified(ns, dest):
    try:
        return ns.IsSpecified(dest)
    except BaseException:  # noqa: B902
        return False


def gcloud_reading(ns):
    cmd = " ".join(ns._GetCommand().GetPath()[1:])
    if cmd not in DEPLOY:
        return {"command": None}
    service = None
    for dest in POSITIONAL[cmd]:
        v = getattr(ns, dest, None)
        if isinstance(v, str):
            service = v
    if "containers" in getattr(ns, "_specified_args", {}):
        containers = ns.containers
    else:
        containers = {None: ns}
    pulled = {}
    for name, c in containers.items():
        img = c.image if specified(c, "image") else None
        if img is not None and not specified(c, "source"):
            pulled[name] = img if isinstance(img, str) else repr(img)
    remove = getattr(ns, "remove_containers", None) or []
    region = getattr(ns, "region", None)
    return {"command": cmd, "service": service, "pulled": pulled,
            "remove": list(remove), "help": False,
            "region": region if isinstance(region, str) else None}


def shim_reading(r):
    if r.get("command") is None:
        return {"command": None}
    skip = r.get("skip") or ""
    pulled = {}
    if not (skip.startswith("--source") or skip.startswith("--function")):
        for im in r["images"]:
            if im["image"] is not None and not im["source"]:
                pulled[im["container"]] = im["image"]
    return {"command": r["command"], "service": r["service"],
            "pulled": pulled, "remove": r["remove"], "help": r["help"],
            "region": r["region"]}


def shown(case):
    return ("gcloud " if case["wrapper"] else "gcloud-run-deploy ") + \
        " ".join(json.dumps(w) if (not w or set(w) & set(" '\"=\\$[]{}#"))
                 else w for w in case["argv"])


def files_of(case):
    out = []
    seen = set()
    for w in case["argv"]:
        for p in (w, w.split("=", 1)[-1]):
            if p.startswith(TMPDIR) and os.path.isfile(p) and p not in seen:
                seen.add(p)
                with open(p) as f:
                    out.append("    %s:\n      %s" % (
                        p, f.read().rstrip().replace("\n", "\n      ")))
    return out


def clidump(path, feed, n):
    """The shim's readings of the n lines of feed, or None when it fails."""
    dump = subprocess.run([path], input=feed, stdout=subprocess.PIPE,
                          stderr=_err, check=False)
    shim = [json.loads(x) for x in dump.stdout.decode().splitlines()]
    if dump.returncode != 0 or len(shim) != n:
        say("# [%d] clidump failed (exit %d, %d of %d lines)" %
            (CLIDUMPS.index(path) + 1, dump.returncode, len(shim), n))
        return None
    return shim


def judge(k, cases, wants, shim, enough):
    """Compare build k's readings with gcloud's; print its verdict."""
    bad = []
    for case, want, r in zip(cases, wants, shim):
        if want is None:
            continue
        got = {"help": r["help"]} if want == {"help": True} else \
            shim_reading(r)
        if want != got:
            bad.append((case, want, got))
    for case, want, got in bad[:SHOW]:
        say("# [%d] DISAGREE: %s" % (k, shown(case)))
        for line in files_of(case):
            say("# [%d]" % k + line)
        say("# [%d]   gcloud: %s" % (k, json.dumps(want, ensure_ascii=False)))
        say("# [%d]   shim:   %s" % (k, json.dumps(got, ensure_ascii=False)))
    say("# [%d] %d lines compared, %d disagreements" %
        (k, len(wants) - wants.count(None), len(bad)))
    if not enough:
        say("# [%d] too few lines accepted by gcloud to mean anything" % k)
    ok = enough and not bad
    say("# [%d] result: %s" % (k, "agree" if ok else "disagree"))
    return ok


def main():
    rnd = random.Random(SEED)
    cases = list(gen.gen(rnd, COUNT, TMPDIR, TABLES))
    feed = "".join(json.dumps(c) + "\n" for c in cases).encode()
    shims = [clidump(c, feed, len(cases)) for c in CLIDUMPS]
    # gcloud's reading of each line, once for every build: None when it
    # refuses the line, {"help": True} for help, else gcloud_reading().
    wants = []
    deploys = helps = 0
    t = time.time()
    for case in cases:
        argv = (["run", "deploy"] if not case["wrapper"] else []) + \
            case["argv"]
        ns = parse(argv)
        if ns is None:
            wants.append(None)
        elif isinstance(ns, str):
            helps += 1
            wants.append({"help": True})
        else:
            wants.append(gcloud_reading(ns))
            deploys += wants[-1]["command"] is not None
    parse_time = time.time() - t
    compared = len(cases) - wants.count(None)
    say("# seed %d: %d lines generated, %d compared (%d deploys, %d help), "
        "%d refused by gcloud" % (SEED, len(cases), compared, deploys, helps,
                                  wants.count(None)))
    say("# gcloud loaded in %.1f s, parsed in %.1f s" % (load_time,
                                                         parse_time))
    status = 0
    for k, shim in enumerate(shims, 1):
        say("# [%d] %s" % (k, CLIDUMPS[k - 1]))
        if shim is None:
            say("# [%d] result: failed" % k)
            status = 1
        elif not judge(k, cases, wants, shim, compared >= len(cases) // 2):
            status = 1
    return status


try:
    sys.exit(main())
except Exception:  # noqa: B902 - the report must say why
    import traceback
    traceback.print_exc(file=REPORT)
    sys.exit(2)
