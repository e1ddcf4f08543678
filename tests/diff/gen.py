"""Command lines for the differential test (tests/t36-argparse-diff.sh).

gen(rnd, n, tmpdir) yields n cases, each a dict {"wrapper": bool, "argv":
[...]} (argv after argv[0]; in deploy mode the words after
"gcloud-run-deploy", which gcloud reads after "run deploy").  They mix real
flags of every deploy command and track, "=" and space forms, values with
spaces, "=", leading dashes and YAML-ish text, --container scopes,
--flags-file files (written under tmpdir), repeated and list flags, and
global flags before, between and after the command words.  Most lines are
ones gcloud accepts; some are not, on purpose (gcloud refuses them; they
are counted, not compared).  Deterministic for a given random.Random.
"""
import json
import os

COMMANDS = [
    ("", "run deploy"), ("beta", "run deploy"), ("alpha", "run deploy"),
    ("", "run services update"), ("beta", "run services update"),
    ("alpha", "run services update"),
    ("", "run jobs deploy"), ("beta", "run jobs deploy"),
    ("", "run jobs create"), ("alpha", "run jobs create"),
    ("", "run jobs update"), ("beta", "run jobs update"),
    ("beta", "run worker-pools deploy"), ("alpha", "run worker-pools deploy"),
    ("beta", "run worker-pools update"), ("alpha", "run worker-pools update"),
    ("beta", "run multi-region-services update"),
    ("alpha", "run multi-region-services update"),
]
# Commands that deploy nothing (wrapper mode must hand them over).
OTHER = ["run services list", "run services describe svc",
         "config list", "run revisions list", "run jobs execute job",
         "beta run services logs read svc", "config get core/project",
         "run deploy-not", "run services delete svc"]

IMAGES = [
    "us-docker.pkg.dev/p/r/app:1", "1e3", "0x10", "1_000", "0o17", "+1",
    ".5", "1.", "True", "Null", "on", "off", "~", "2026-01-01",
    "europe-west1-docker.pkg.dev/p/r/a/b@sha256:"
    + "a" * 64, "gcr.io/p/app", "nginx", "IMG ", " lead", "a b",
    "-dash", "--dash-dash", "x=y", "key: value", "[a, b]", "{a: 1}", "-1",
    "007", "yes", "null", "#c", "value(a, b)", "--image=z", "'q'", "-",
    "-q x", "-h", "-qx", "ünï", "", "-1\n", "a\tb", "--container",
    "--container=x",
]
TEXTS = [
    "hello world", "a=b", "-x y", "--not-a-flag value", "key: value",
    "[a, b]", "{a: 1}", "-1", "-2.5", "-", "#comment", "value(a, b)",
    "'quoted'", "plain", "--image=evil", "--container=evil", "-q x",
    "--", "x y z", "1e3", "true", "~", "", "run", "deploy", "-5\n",
    "multi\nline", "-x=y z",
]
NAMES = ["svc", "api", "my-svc", "run", "deploy", "-1", "a b",
         "namespaces/p/services/s", "job", "update", "x", "", "-2.5",
         "--x y"]
CONTAINERS = ["app", "side", "c1", "c2", "web", "db"]
GLOBAL_VALUED = ["--project", "--account", "--billing-project", "--format",
                 "--trace-token", "--verbosity", "--configuration"]
GLOBAL_BOOL = ["-q", "--quiet", "--log-http"]
VERBOSITY = ["debug", "info", "warning", "error", "none"]
# Per-container flags (after --container) and how to make a value.
CONTAINER_FLAGS = ["--image", "--port", "--memory", "--args", "--command",
                   "--update-env-vars", "--set-env-vars", "--cpu"]


def ident(rnd):
    return rnd.choice(["k", "v", "x", "name", "app"]) + str(rnd.randrange(99))


def value(rnd, flag, k, pool=None):
    """A value gcloud's type for `flag` accepts (mostly)."""
    if flag == "--image":
        return rnd.choice(IMAGES)
    if flag in ("--set-env-vars", "--update-env-vars", "--update-labels",
                "--labels"):
        key = "K%d" % k if "env" in flag else "k%d" % k
        v = rnd.choice(TEXTS).replace(",", ";")
        if "labels" in flag:
            v = rnd.choice(["a", "b-1", "x_y"])
        return "%s=%s" % (key, v)
    if flag in ("--args", "--command"):
        return rnd.choice(TEXTS)
    if flag == "--remove-containers":
        names = [x for x in (pool.pop() if pool else "c9%d" % k
                             for _ in range(rnd.randrange(1, 3)))]
        return rnd.choice([",".join(names), "^:^" + ":".join(names)])
    if flag == "--port":
        return str(rnd.randrange(1, 65535))
    if flag == "--memory":
        return rnd.choice(["512Mi", "1Gi", "2Gi"])
    if flag == "--cpu":
        return rnd.choice(["1", "2", "0.5"])
    if flag == "--verbosity":
        return rnd.choice(VERBOSITY)
    if flag in ("--source", "--function"):
        return rnd.choice([".", "src", "fn", "a b"])
    if flag in ("--project", "--billing-project"):
        return rnd.choice(["p-1", "my-project-42", "example.com:p"])
    if flag in ("--region", "--account", "--configuration"):
        return rnd.choice(["us-central1", "p-1", "a@b.c", "x y", "-x y",
                           "run", "deploy", "beta"])
    if flag == "--max-instances":
        return rnd.choice(["3", "default"])
    return rnd.choice(TEXTS)


def spell(rnd, flag, val):
    """--flag=VAL or --flag VAL; a dashy value only in the = form."""
    if rnd.random() < 0.5 or (val.startswith("-") and " " not in val and
                              rnd.random() < 0.9) or val == "":
        return [flag + "=" + val]
    return [flag, val]


PLAIN_SAFE = set("abcdefghijklmnopqrstuvwxyz0123456789-./@_()=")


def yaml_scalar(rnd, s):
    """s as a YAML scalar: mostly one that loads back as the string s;
    sometimes plain, which YAML may read as a number, a Boolean or null
    (gcloud then gets Python's str() of it, or the bare flag)."""
    r = rnd.random()
    if r < 0.25 and s and set(s) <= PLAIN_SAFE and s[0] not in "-@" \
            and not s.endswith(":"):
        return s
    if r < 0.35 and "'" not in s and "\n" not in s:
        return "'" + s + "'"
    return json.dumps(s, ensure_ascii=False)


class Line:
    def __init__(self, rnd, tmpdir, seq, command, flags):
        self.rnd = rnd
        self.tmpdir = tmpdir
        self.seq = seq
        self.command = command
        self.flags = flags  # option strings of the command's parser
        self.k = 0
        self.nfiles = 0
        # flags gcloud allows only one of: drop the others for this line
        self.off = set([rnd.choice(["--set-env-vars", "--update-env-vars"]),
                        rnd.choice(["--command", "--function"]),
                        rnd.choice(["--image", "--source", "--source"]) if
                        "jobs" in command or "worker-pools" in command
                        else "", "--labels"])
        self.scoped = self.has("--container") and rnd.random() < 0.35
        self.removable = list(CONTAINERS)
        rnd.shuffle(self.removable)

    def has(self, f):
        if f in self.off:
            return False
        return f in self.flags

    def main_flags(self):
        """Flags that belong before any --container (with scopes, the
        container's own flags only after one)."""
        out = []
        for f in ["--region", "--description", "--service-account", "--tag",
                  "--remove-containers", "--max-instances", "--async",
                  "--no-traffic", "--project", "--labels", "--source",
                  "--function", "--image", "--args", "--update-env-vars",
                  "--set-env-vars", "--port", "--command"]:
            if self.has(f) and not (self.scoped and f in CONTAINER_FLAGS +
                                    ["--source", "--function"]):
                out.append(f)
        return out

    def one_flag(self, flag):
        rnd = self.rnd
        self.k += 1
        if flag in ("--async", "--no-traffic"):
            return [flag]
        return spell(rnd, flag, value(rnd, flag, self.k, self.removable))

    def flags_file(self, pairs, nest=0):
        """Write a flags file of (flag, value) pairs; return its path."""
        rnd = self.rnd
        self.nfiles += 1
        path = os.path.join(self.tmpdir, "f%d-%d.yaml" % (self.seq,
                                                          self.nfiles))
        docs = []
        cur = []
        for flag, val in pairs:
            if cur and (rnd.random() < 0.2 or flag in (f for f, _ in cur)):
                docs.append(cur)
                cur = []
            cur.append((flag, val))
        docs.append(cur)
        as_list = len(docs) > 1 or rnd.random() < 0.2
        out = []
        for d in docs:
            for i, (flag, val) in enumerate(d):
                lead = "- " if as_list and i == 0 else \
                    ("  " if as_list else "")
                if isinstance(val, list):
                    text = "[" + ", ".join(yaml_scalar(rnd, v)
                                           for v in val) + "]"
                elif val is None:
                    text = ""
                else:
                    text = yaml_scalar(rnd, val)
                out.append("%s%s: %s" % (lead, flag, text))
        if nest < 1 and rnd.random() < 0.15:
            self.k += 1
            inner = self.flags_file([("--region", "in ner")], nest + 1)
            out.append(("  " if as_list else "") + "--flags-file: " +
                       yaml_scalar(rnd, inner))
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")
        return path

    def file_pairs(self, scope):
        rnd = self.rnd
        pairs = []
        choices = CONTAINER_FLAGS if scope else self.main_flags()
        for _ in range(rnd.randrange(1, 4)):
            flag = rnd.choice(choices)
            if rnd.random() < 0.3 and "--image" in choices:
                flag = "--image"
            if not self.has(flag):
                continue
            self.k += 1
            if flag == "--remove-containers" and rnd.random() < 0.6:
                pairs.append((flag, [self.removable.pop() if self.removable
                                     else "r%d" % self.k]))
            elif flag in ("--args", "--command") and rnd.random() < 0.5:
                pairs.append((flag, [rnd.choice(TEXTS), rnd.choice(TEXTS)]))
            elif flag in ("--async", "--no-traffic"):
                pairs.append((flag, None))
            else:
                pairs.append((flag, value(rnd, flag, self.k,
                                          self.removable)))
        return pairs

    def words(self, globals_):
        """The words after the command words (flags, service, scopes);
        globals_ is a list of global-flag groups to mix in before any
        --container (after one, only the container's flags are known)."""
        rnd = self.rnd
        main = self.main_flags()
        groups = [g for g in globals_]
        for _ in range(rnd.randrange(0, 5)):
            if rnd.random() < 0.12:
                path = self.flags_file(self.file_pairs(False))
                groups.append(spell(rnd, "--flags-file", path))
            else:
                groups.append(self.one_flag(rnd.choice(main)))
        if rnd.random() < 0.3 and self.has("--remove-containers"):
            groups.append(self.one_flag("--remove-containers"))
        if rnd.random() < 0.05:
            groups.append([rnd.choice(["--future-flag", "--newer"]),
                           rnd.choice(NAMES)])
        rnd.shuffle(groups)
        svc = rnd.choice(NAMES)
        tail = []
        if rnd.random() < 0.85:
            if svc.startswith("-") and " " not in svc or \
                    rnd.random() < 0.05:
                tail = ["--", svc]
            else:
                groups.insert(rnd.randrange(len(groups) + 1), [svc])
        out = [w for g in groups for w in g]
        if self.scoped:
            for name in rnd.sample(CONTAINERS, rnd.randrange(1, 4)):
                if rnd.random() < 0.1:
                    path = self.flags_file([("--container", name)] +
                                           self.file_pairs(True))
                    out += spell(rnd, "--flags-file", path)
                    continue
                out += spell(rnd, "--container", name)
                for _ in range(rnd.randrange(0, 3)):
                    flag = rnd.choice(CONTAINER_FLAGS)
                    if self.has(flag):
                        out += self.one_flag(flag)
                if rnd.random() < 0.7 and self.has("--image"):
                    out += self.one_flag("--image")
                if rnd.random() < 0.08 and self.has("--source"):
                    out += self.one_flag("--source")
                if rnd.random() < 0.08 and self.has("--function"):
                    out += self.one_flag("--function")
        elif rnd.random() < 0.8 and self.has("--image"):
            out += self.one_flag("--image")
        return out + tail

    def global_groups(self):
        rnd = self.rnd
        out = []
        for _ in range(rnd.randrange(0, 3)):
            if rnd.random() < 0.3:
                out.append([rnd.choice(GLOBAL_BOOL)])
            else:
                f = rnd.choice(GLOBAL_VALUED)
                v = value(rnd, f, 0) if f != "--format" else \
                    rnd.choice(["json", "value(status.url, status.x)",
                                "yaml(a, b)", "value(a)"])
                out.append(spell(rnd, f, v))
        return out

    def global_flags(self):
        out = [w for g in self.global_groups() for w in g]
        if self.rnd.random() < 0.05:
            self.k += 1
            path = self.flags_file([("--project", "p-%d" % self.k),
                                    ("--quiet", None)], 1)
            out += spell(self.rnd, "--flags-file", path)
        return out


# The lines of issue 11 come first, then random ones.
FIXED = [
    {"wrapper": False, "argv": ["api", "--image=us-docker.pkg.dev/p/r/i",
                                "--set-env-vars=GREETING=hello world"]},
    {"wrapper": False, "argv": ["--set-env-vars=GREETING=hello world",
                                "api", "--image=us-docker.pkg.dev/p/r/i"]},
    {"wrapper": False, "argv": ["api", "--image=us-docker.pkg.dev/p/r/i "]},
    {"wrapper": True, "argv": [
        "--format=value(status.url, status.latestReadyRevisionName)", "run",
        "deploy", "api", "--image=us-docker.pkg.dev/p/r/i"]},
    {"wrapper": False, "argv": ["api", "--container=a", "--image=x",
                                "--remove-containers=b",
                                "--remove-containers=c"]},
    {"wrapper": False, "argv": ["api", "--function=f", "--image=x"]},
    {"wrapper": False, "argv": ["api", "--function=f"]},
    {"wrapper": True, "argv": ["beta", "run", "services", "update", "api",
                               "--help"]},
    {"wrapper": False, "argv": ["api", "-h", "--image=x"]},
]


def gen(rnd, n, tmpdir, tables):
    """tables: command (e.g. "beta run deploy") -> set of option strings."""
    for case in FIXED[:n]:
        yield case
    for seq in range(n - min(n, len(FIXED))):
        track, cmd = rnd.choice(COMMANDS)
        full = (track + " " + cmd).strip()
        line = Line(rnd, tmpdir, seq, full, tables[full])
        wrapper = rnd.random() < 0.5 or full != "run deploy"
        if wrapper and rnd.random() < 0.08:
            words = rnd.choice(OTHER).split()
            yield {"wrapper": True,
                   "argv": line.global_flags() + words +
                   line.global_flags()}
            continue
        if not wrapper:
            rest = line.words(line.global_groups())
            yield {"wrapper": False, "argv": rest}
            continue
        cw = full.split()
        argv = line.global_flags()
        split = rnd.randrange(len(cw) + 1)
        between = line.global_flags()
        group = " ".join(cw[:split])
        if "--region" in tables.get(group, ()) and rnd.random() < 0.5:
            between += spell(rnd, "--region", value(rnd, "--region", 0))
        argv += cw[:split] + between + cw[split:]
        argv += line.words(line.global_groups())
        yield {"wrapper": True, "argv": argv}
