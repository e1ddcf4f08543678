"""Generate Cloud Run manifests and flags files for the differential test.

Pure Python, no gcloud imports: gen_manifest(rng, i) and gen_flagsfile(rng, i)
return (text, meta).  The same seed always gives the same files.  The
manifests stay inside the run v1 schema (so gcloud's message conversion
accepts their fields) and vary what a YAML loader decides: anchors and
aliases, "<<" merges (a mapping, a list, "!!merge", two of them, empty),
duplicate keys with and without merges, tags, JSON, document markers,
YAML 1.1/1.2 directives, flow style, odd key and kind spellings.
"""
import json

IMAGES = [
    'us-central1-docker.pkg.dev/p/r/app:1',
    'us-central1-docker.pkg.dev/p/r/side:2',
    'europe-west4-docker.pkg.dev/p/r/nested/img@sha256:' + 'a' * 64,
    'gcr.io/p/proxy:1.2',
    'eu.gcr.io/p/worker',
    'nginx',
    'docker.io/library/busybox:1.36',
    'us-docker.pkg.dev/example.com/p/r/x:latest',
    'asia-docker.pkg.dev/p/r/y:v3',
]
NAMES = ['app', 'side', 'proxy', 'collector', 'c1', 'web']


class Y(object):
    """A tiny YAML writer with choices: block or flow, anchors, merges."""

    def __init__(self, rng):
        self.rng = rng
        self.n = 0
        self.scalars = []   # anchors on image scalars

    def anchor(self):
        self.n += 1
        return 'a%d' % self.n


def q(rng, s):
    """A string scalar, spelled one of the ways that stay a string."""
    c = rng.random()
    if c < 0.55:
        return s
    if c < 0.7:
        return "'%s'" % s
    if c < 0.85:
        return json.dumps(s)
    if c < 0.95:
        return '!!str ' + s
    return '!<tag:yaml.org,2002:str> ' + s


def key(rng, k):
    c = rng.random()
    if c < 0.8:
        return k
    if c < 0.9:
        return json.dumps(k)
    if c < 0.96:
        return '!!str ' + k
    return "'%s'" % k


def flowmap(rng, pairs):
    return '{' + ', '.join('%s: %s' % (key(rng, k), v) for k, v in pairs) + '}'


def container_pairs(rng, name, image, meta):
    """The key/value lines of one container (values already spelled)."""
    pairs = []
    if name is not None:
        pairs.append(('name', q(rng, name)))
    if image is not None:
        pairs.append(('image', image))
    if rng.random() < 0.3:
        pairs.append(('ports', '[{containerPort: %d}]' % rng.choice(
            [8080, 80, 9000])))
    if rng.random() < 0.25:
        pairs.append(('env', '[{name: A, value: %s}]' % json.dumps(
            rng.choice(['x', 'y z', '1']))))
    rng.shuffle(pairs)
    return pairs


def spell_image(rng, meta):
    img = rng.choice(IMAGES)
    c = rng.random()
    if c < 0.04:
        meta['odd'].append('image-int')
        return '!!int "12"'
    if c < 0.07:
        meta['odd'].append('image-yes')
        return rng.choice(['yes', 'on', '1.5', '2024-01-01', '12', 'null'])
    if c < 0.09:
        meta['odd'].append('image-empty')
        return '""'
    return q(rng, img)


def gen_container(rng, y, i, lines, ind, anchors, meta):
    """Append one "- ..." container item to lines."""
    name = rng.choice(NAMES) + str(i) if rng.random() < 0.85 else None
    pairs = container_pairs(rng, name, spell_image(rng, meta), meta)
    pre = ''
    if y.scalars and rng.random() < 0.2:
        pairs = [p for p in pairs if p[0] != 'image']
        pairs.append(('image', '*' + rng.choice(y.scalars)))
        meta['odd'].append('alias-image')
    elif rng.random() < 0.2:
        a = y.anchor()
        pairs = [(k, '&%s %s' % (a, v) if k == 'image' and
                  not v.startswith('!') else v) for k, v in pairs]
        if any(v.startswith('&' + a + ' ') for k, v in pairs):
            y.scalars.append(a)
    if rng.random() < 0.55:
        if anchors and rng.random() < 0.6:
            src = rng.choice(anchors)
            srcref = '*' + src
        else:
            srcref = flowmap(rng, [('image', q(rng, rng.choice(IMAGES)))] +
                             ([('name', 'm%d' % i)] if rng.random() < 0.5
                              else []))
            meta['odd'].append('inline-merge')
        c = rng.random()
        if c < 0.5:
            merges = [('<<', srcref)]
            meta['odd'].append('merge')
        elif c < 0.6:
            merges = [('!!merge <<', srcref)]
            meta['odd'].append('!!merge')
        elif c < 0.75:
            other = flowmap(rng, [('image', q(rng, rng.choice(IMAGES)))])
            lst = [srcref, other]
            rng.shuffle(lst)
            merges = [('<<', '[' + ', '.join(lst) + ']')]
            meta['odd'].append('merge-list')
        elif c < 0.85:
            other = flowmap(rng, [('image', q(rng, rng.choice(IMAGES)))])
            merges = [('<<', srcref), ('<<', other)]
            rng.shuffle(merges)
            meta['odd'].append('two-merges')
        elif c < 0.9:
            merges = [('<<', '{}')]
            meta['odd'].append('empty-merge')
        else:
            merges = [('<<', srcref)]
            if rng.random() < 0.5:
                pairs = [p for p in pairs if p[0] != 'image']
            meta['odd'].append('merge-no-own-image')
        for m in merges:
            pairs.insert(rng.randrange(len(pairs) + 1), m)
    if rng.random() < 0.2:
        dup = ('image', q(rng, rng.choice(IMAGES)))
        pairs.insert(rng.randrange(len(pairs) + 1), dup)
        meta['odd'].append('dup-image')
    if rng.random() < 0.35:
        a = y.anchor()
        pre = '&%s ' % a
        anchors.append(a)
    if rng.random() < 0.25:
        lines.append(' ' * ind + '- ' + pre + flowmap_raw(pairs))
        return
    if not pairs:
        lines.append(' ' * ind + '- ' + pre + '{}')
        return
    first = True
    for k, v in pairs:
        kk = k if k.endswith('<<') else key(rng, k)
        if first and pre:
            lines.append(' ' * ind + '- ' + pre.rstrip())
            first = False
            lines.append(' ' * (ind + 2) + '%s: %s' % (kk, v))
            continue
        lead = '- ' if first else '  '
        first = False
        lines.append(' ' * ind + lead + '%s: %s' % (kk, v))


def flowmap_raw(pairs):
    return '{' + ', '.join('%s: %s' % (k, v) for k, v in pairs) + '}'


def gen_yaml(rng, kind, meta):
    y = Y(rng)
    lines = []
    if rng.random() < 0.1:
        lines.append(rng.choice(['%YAML 1.1', '%YAML 1.2']))
        lines.append('---')
        meta['odd'].append('directive')
    elif rng.random() < 0.1:
        lines.append('---')
    if rng.random() < 0.05:
        lines += ['~', '---']
        meta['odd'].append('null-doc')
    api = ('serving.knative.dev/v1' if kind == 'Service'
           else 'run.googleapis.com/v1')
    top = []
    top.append(['apiVersion: ' + q(rng, api)])
    kspell = kind
    c = rng.random()
    if c < 0.08:
        kspell = kind.lower()
        meta['odd'].append('kind-lower')
    elif c < 0.12:
        kspell = '!!str ' + kind
    elif c < 0.15:
        kspell = None
        meta['odd'].append('no-kind')
    if kspell is not None:
        top.append(['kind: ' + (kspell if kspell.startswith('!!')
                                else q(rng, kspell))])
    top.append(['metadata:', '  name: ' + q(rng, 'svc%d' % rng.randrange(9))])
    if rng.random() < 0.1:
        top.append(['status:', '  url: 12', '  whatever: [1, 2]'])
        meta['odd'].append('status')
    body = []
    ind = 6 if kind == 'Service' else 10
    if kind == 'Service':
        body += ['spec:', '  template:', '    spec:']
    else:
        body += ['spec:', '  template:', '    spec:', '      template:',
                 '        spec:']
    anchors = []
    nc = rng.choice([1, 1, 2, 2, 3])
    clines = []
    cind = ind + rng.choice([0, 2])
    for i in range(nc):
        gen_container(rng, y, i, clines, cind, anchors, meta)
    body.append(' ' * ind + 'containers:')
    body += clines
    if rng.random() < 0.12:
        # a second containers key: without a merge the first one wins
        body.append(' ' * ind + 'containers:')
        body.append(' ' * (ind + 2) + '- image: ' + q(rng, rng.choice(IMAGES)))
        meta['odd'].append('dup-containers')
        if rng.random() < 0.5:
            body.append(' ' * ind + '<<: {}')
            meta['odd'].append('dup-containers-empty-merge')
        elif rng.random() < 0.5:
            body.append(' ' * ind + '<<: {timeoutSeconds: 30}')
            meta['odd'].append('dup-containers-merge')
    top.append(body)
    rng.shuffle(top)
    for t in top:
        lines += t
    if rng.random() < 0.05:
        lines.append('...')
    return '\n'.join(lines) + '\n'


def gen_json(rng, kind, meta):
    meta['odd'].append('json')
    cs = []
    for i in range(rng.choice([1, 2, 3])):
        c = []
        if rng.random() < 0.85:
            c.append('"name": %s' % json.dumps(rng.choice(NAMES) + str(i)))
        c.append('"image": %s' % json.dumps(rng.choice(IMAGES)))
        if rng.random() < 0.15:
            c.append('"image": %s' % json.dumps(rng.choice(IMAGES)))
            meta['odd'].append('dup-image')
        cs.append('{' + ', '.join(c) + '}')
    inner = '{"containers": [%s]}' % ', '.join(cs)
    if kind == 'Job':
        inner = '{"template": {"spec": %s}}' % inner
    spec = '{"template": {"spec": %s}}' % inner
    api = ('serving.knative.dev/v1' if kind == 'Service'
           else 'run.googleapis.com/v1')
    sep = rng.choice([', ', ',\n  ', ','])
    doc = ('{"apiVersion": %s%s"kind": %s%s"metadata": {"name": "s"}%s'
           '"spec": %s}' % (json.dumps(api), sep, json.dumps(kind), sep,
                            sep, spec))
    return doc + '\n'


def gen_manifest(rng, i):
    """(text, meta): meta has cmd ('services' or 'jobs'), ext and odd."""
    kind = rng.choice(['Service', 'Job'])
    meta = {'odd': [], 'kind': kind}
    cmd = 'services' if kind == 'Service' else 'jobs'
    if rng.random() < 0.05:
        cmd = 'jobs' if cmd == 'services' else 'services'
        meta['odd'].append('other-command')
    meta['cmd'] = cmd
    if rng.random() < 0.15:
        meta['ext'] = 'json'
        return gen_json(rng, kind, meta), meta
    meta['ext'] = 'yaml'
    return gen_yaml(rng, kind, meta), meta


# --- flags files ---------------------------------------------------------

FLAGS = ['--image', '--region', '--memory', '--set-env-vars', '--port',
         '--no-traffic', '--labels', '--remove-containers', '--container',
         '--args', '--update-env-vars', '--cpu']


def fscalar(rng):
    c = rng.random()
    if c < 0.35:
        return q(rng, rng.choice(IMAGES))
    if c < 0.5:
        return rng.choice(['1', '007', '1.5', '1e3', '-3', '0o17', '0x10'])
    if c < 0.6:
        return rng.choice(['true', 'false', 'yes', 'no', 'on', 'null', '~',
                           ''])
    if c < 0.7:
        return rng.choice(['!!str 12', '!!int "5"', '!!float "2"',
                           '"a b"', "'x: y'", "!!str ''"])
    return q(rng, rng.choice(['us-central1', '1Gi', 'A=1,B=2', 'a b',
                              'x=y', '-v']))


def fvalue(rng, depth=0):
    c = rng.random()
    if c < 0.7 or depth > 1:
        return fscalar(rng)
    if c < 0.85:
        return '[' + ', '.join(fscalar(rng) for _ in range(
            rng.randrange(3))) + ']'
    return '{' + ', '.join('k%d: %s' % (j, fscalar(rng)) for j in range(
        rng.randrange(3))) + '}'


def gen_flagsfile(rng, i):
    """(text, meta): a mapping or list of mappings of flags."""
    meta = {'odd': []}
    anchors = []
    docs = []
    for d in range(rng.choice([1, 1, 1, 2, 3])):
        pairs = []
        for f in rng.sample(FLAGS, rng.randrange(1, 5)):
            v = fvalue(rng)
            if rng.random() < 0.2:
                a = 'f%d' % len(anchors)
                anchors.append(('scalar', a))
                v = '&%s %s' % (a, v)
            elif anchors and rng.random() < 0.15:
                v = '*' + rng.choice(anchors)[1]
                meta['odd'].append('alias')
            pairs.append((key(rng, f), v))
        if rng.random() < 0.1:
            pairs.append((pairs[0][0], fvalue(rng)))
            meta['odd'].append('dup')
        if rng.random() < 0.3:
            src = flowmap_raw([(rng.choice(FLAGS), fscalar(rng))
                               for _ in range(rng.randrange(1, 3))])
            c = rng.random()
            if c < 0.5:
                m = ('<<', src)
            elif c < 0.65:
                m = ('!!merge <<', src)
                meta['odd'].append('!!merge')
            elif c < 0.8:
                m = ('<<', '[%s, %s]' % (src, flowmap_raw(
                    [(rng.choice(FLAGS), fscalar(rng))])))
            else:
                pairs.insert(rng.randrange(len(pairs) + 1), ('<<', '{}'))
                m = ('<<', src)
                meta['odd'].append('two-merges')
            pairs.insert(rng.randrange(len(pairs) + 1), m)
            meta['odd'].append('merge')
        docs.append(pairs)
    flow = rng.random() < 0.2
    lines = []
    if rng.random() < 0.08:
        lines += [rng.choice(['%YAML 1.1', '%YAML 1.2']), '---']
    if len(docs) == 1 and rng.random() < 0.7:
        if flow:
            lines.append(flowmap_raw(docs[0]))
        else:
            lines += ['%s: %s' % kv for kv in docs[0]]
    else:
        for pairs in docs:
            if flow:
                lines.append('- ' + flowmap_raw(pairs))
                continue
            first = True
            for kv in pairs:
                lines.append(('- ' if first else '  ') + '%s: %s' % kv)
                first = False
    return '\n'.join(lines) + '\n', meta
