"""Differential test: gcloud's own manifest and flags-file loaders against
the shim's.  Run ONCE per test by the SDK's bundled Python:

  python3 oracle.py DIR SHIM FFDUMP [SHIM FFDUMP...]

DIR is a scratch folder; SHIM a gcloud-run-deploy binary (run in wrapper
mode through DIR/bK/gcloud, with --preflight=plan, so nothing goes over the
network); FFDUMP a driver that prints that build's flags-file expansion.
One SHIM FFDUMP pair a build: gcloud reads each file once, and each build
is compared with it; the K-th pair's figures are prefixed "# [K]", its
verdict is "# [K] result: agree|disagree|failed" (failed: its FFDUMP did
not answer).  Exit 1 on any disagreement or failure.
Environment: DIFF_SEED (default 11), DIFF_MANIFESTS (default 600),
DIFF_FLAGSFILES (default 400), DIFF_SHOW (disagreements shown, default 5).

gcloud's side runs the real code of `gcloud run services|jobs replace`:
arg_parsers.YAMLFileContents() loads FILE as argparse does, then the
command's Run() is called with that value; its conversion into the run v1
Service or Job message is the last step taken: service.Service / job.Job
(what Run builds next) is swapped for a function that stops the run and
hands the message back.  The containers (name, image) are read from that
message.  Flags files go through calliope's cli._ApplyFlagsFile.

A manifest is "accepted" when gcloud builds the message and every
container has a non-empty image (without one the Run API refuses the
request, "image: Required", and so does the shim).
"""
import json
import os
import random
import subprocess
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
SDK = '/usr/lib/google-cloud-sdk/lib'
sys.path.insert(0, os.path.join(SDK, 'third_party'))
sys.path.insert(0, SDK)
warnings.simplefilter('ignore')

import gen  # noqa: E402

from googlecloudsdk.calliope import arg_parsers  # noqa: E402
from googlecloudsdk.calliope import cli  # noqa: E402
from googlecloudsdk.core import yaml as gyaml  # noqa: E402
from surface.run.jobs import replace as jobs_replace  # noqa: E402
from surface.run.services import replace as svc_replace  # noqa: E402


class Built(Exception):
    def __init__(self, msg):
        Exception.__init__(self, 'built')
        self.msg = msg


def stop(raw, _messages):
    raise Built(raw)


class Stub(object):
    Service = staticmethod(stop)
    Job = staticmethod(stop)


svc_replace.service = Stub
jobs_replace.job = Stub


class Args(object):
    def __init__(self, data):
        self.FILE = data


def gcloud_manifest(path, cmd):
    """('ok', [(name, image)...]) or ('refused', why)."""
    mod = svc_replace if cmd == 'services' else jobs_replace
    try:
        data = arg_parsers.YAMLFileContents()(path)
        mod.Replace.Run(None, Args(data))
    except Built as b:
        spec = b.msg.spec.template.spec
        if cmd == 'jobs':
            spec = spec.template.spec
        cs = [(c.name, c.image) for c in spec.containers]
        if not cs:
            return 'refused', 'no containers (the API refuses it)'
        for c in cs:
            if not c[1]:
                return 'refused', 'a container without image (API)'
        return 'ok', cs
    except BaseException as e:  # gcloud refuses or crashes: no deploy
        return 'refused', '%s: %s' % (type(e).__name__, str(e)[:120])
    return 'refused', 'Run() went past the conversion'


def shim_manifest(shim_dir, path, cmd):
    env = {'PATH': '/usr/bin:/bin', 'HOME': shim_dir,
           'CLOUDSDK_CONFIG': os.path.join(shim_dir, 'cfg')}
    p = subprocess.run([os.path.join(shim_dir, 'gcloud'), 'run', cmd,
                        'replace', path, '--preflight=plan',
                        '--preflight-format=json'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env)
    if p.returncode != 0:
        return 'refused', 'exit %d: %s' % (
            p.returncode, p.stderr.decode('utf-8', 'replace').strip()[:160])
    out = json.loads(p.stdout.decode())
    return 'ok', [(i.get('container'), i['image']) for i in out['images']]


def gcloud_flags(path):
    """('ok', [word...]) or ('refused', why): calliope's expansion."""
    try:
        out = cli._ApplyFlagsFile(['--flags-file', path])
    except BaseException as e:
        return 'refused', '%s: %s' % (type(e).__name__, str(e)[:120])
    words, skip = [], 0
    for w in out:
        if skip:
            skip -= 1
            continue
        if isinstance(w, str) and w == cli._FLAG_FILE_LINE_NAME:
            skip = 1
            continue
        words.append(w if isinstance(w, str) else ('struct', w))
    try:
        return 'ok', [plain(w) for w in words]
    except TypeError as e:  # a value gcloud cannot give argparse as JSON
        return 'refused', 'TypeError: %s' % e


def plain(w):
    """Words as comparable values: structs as plain JSON-able objects."""
    if isinstance(w, tuple):
        return ['struct', json.loads(json.dumps(w[1]))]
    return str(w)


def shim_flags(lines):
    """The shim's expansion of each file (ffdump output lines)."""
    res = []
    for ln in lines:
        r = json.loads(ln)
        if not r['ok']:
            res.append(('refused', r['err']))
            continue
        ws = []
        for w, k in zip(r['words'], r['kinds']):
            ws.append(['struct', json.loads(w)] if k == 2 else w)
        res.append(('ok', ws))
    return res


def coverage(label, metas):
    """How often each generated feature occurs: the run's reach."""
    seen = {}
    for m in metas:
        for k in set(m['odd']):
            seen[k] = seen.get(k, 0) + 1
    print('# %s features: %s' % (label, ', '.join(
        '%s %d' % kv for kv in sorted(seen.items()))))


def compare(label, items, show, k):
    """items: (name, gcloud, shim, text).  Prints figures, prefixed "[k]";
    disagreements."""
    agree = 0
    bad = []
    acc = [0, 0]
    for name, g, s, text in items:
        acc[g[0] == 'ok'] += 1
        same = g[0] == s[0] and (g[0] != 'ok' or g[1] == s[1])
        if same:
            agree += 1
        else:
            bad.append((name, g, s, text))
    print('# [%d] %s: %d compared, %d agree, %d disagree '
          '(gcloud accepts %d, refuses %d)' % (k, label, len(items), agree,
                                               len(bad), acc[1], acc[0]))
    if os.environ.get('DIFF_WHY') and k == 1:
        why = {}
        for name, g, s, text in items:
            if g[0] != 'ok':
                w = g[1].split('\n')[0][:60]
                if 'Failed to parse YAML' in w:
                    w = 'YAML syntax'
                why[w] = why.get(w, 0) + 1
        for w, v in sorted(why.items(), key=lambda kv: -kv[1]):
            print('#   refused %4d  %s' % (v, w))
    for name, g, s, text in bad[:show]:
        print('# [%d] DISAGREE %s\n#  gcloud: %r\n#  shim:   %r' % (
            k, name, g, s))
        for ln in text.splitlines()[:40]:
            print('#   | ' + ln)
    return len(bad)


def shim_dirs(d, shims):
    """One wrapper folder per SHIM: DIR/bK/gcloud links to it."""
    dirs = []
    for k, shim in enumerate(shims, 1):
        sd = os.path.join(d, 'b%d' % k)
        os.makedirs(os.path.join(sd, 'cfg'), exist_ok=True)
        link = os.path.join(sd, 'gcloud')
        if not os.path.lexists(link):
            os.symlink(shim, link)
        dirs.append(sd)
    return dirs


def main():
    d = sys.argv[1]
    shims, ffdumps = sys.argv[2::2], sys.argv[3::2]
    if not shims or len(shims) != len(ffdumps):
        print('# usage: oracle.py DIR SHIM FFDUMP [SHIM FFDUMP...]')
        return 2
    seed = int(os.environ.get('DIFF_SEED', '11'))
    nm = int(os.environ.get('DIFF_MANIFESTS', '600'))
    nf = int(os.environ.get('DIFF_FLAGSFILES', '400'))
    show = int(os.environ.get('DIFF_SHOW', '5'))
    os.makedirs(os.path.join(d, 'm'), exist_ok=True)
    os.makedirs(os.path.join(d, 'f'), exist_ok=True)
    dirs = shim_dirs(d, shims)
    print('# seed %d, %d manifests, %d flags files' % (seed, nm, nf))
    rng = random.Random(seed)
    # gcloud's reading of each manifest, once; each build's after it.
    items = [[] for _ in shims]
    metas = []
    for i in range(nm):
        text, meta = gen.gen_manifest(rng, i)
        metas.append(meta)
        path = os.path.join(d, 'm', 'm%05d.%s' % (i, meta['ext']))
        with open(path, 'w') as f:
            f.write(text)
        g = gcloud_manifest(path, meta['cmd'])
        name = '%s (run %s replace; %s)' % (path, meta['cmd'],
                                            ','.join(meta['odd']))
        for k, sd in enumerate(dirs):
            items[k].append((name, g, shim_manifest(sd, path, meta['cmd']),
                             text))
    coverage('manifest', metas)
    bad = [compare('manifests', it, show, k)
           for k, it in enumerate(items, 1)]
    paths = []
    texts = []
    for i in range(nf):
        text, meta = gen.gen_flagsfile(rng, i)
        path = os.path.join(d, 'f', 'f%05d.yaml' % i)
        with open(path, 'w') as f:
            f.write(text)
        paths.append(path)
        texts.append((text, meta))
    gs = [gcloud_flags(path) for path in paths]
    coverage('flags-file', [m for _, m in texts])
    status = 0
    for k, ffdump in enumerate(ffdumps, 1):
        p = subprocess.run([ffdump],
                           input=('\n'.join(paths) + '\n').encode(),
                           stdout=subprocess.PIPE)
        sl = p.stdout.decode('utf-8').splitlines()
        if p.returncode != 0 or len(sl) != len(paths):
            print('# [%d] ffdump failed: exit %d, %d lines' % (
                k, p.returncode, len(sl)))
            print('# [%d] result: failed' % k)
            status = 1
            continue
        items = [('%s (%s)' % (path, ','.join(meta['odd'])), g, s, text)
                 for path, (text, meta), g, s in
                 zip(paths, texts, gs, shim_flags(sl))]
        n = bad[k - 1] + compare('flags files', items, show, k)
        print('# [%d] result: %s' % (k, 'disagree' if n else 'agree'))
        status |= 1 if n else 0
    return status


if __name__ == '__main__':
    sys.exit(main())
