#!/bin/sh
# Hostile input: image references that would bend a URL, command lines at
# the kernel's limits, flags files and manifests built to exhaust a
# parser.  Each is refused with a clear message and a documented exit code
# (65: not valid input) before any request, or handed over byte for byte.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
make_recorder
TOKEN=ya29.test-secret-token-1732050807
P=projects/p/locations/us-central1/repositories
IMG=us-central1-docker.pkg.dev/p
DEADLINE=3
echo "{\"token\": \"$TOKEN\", \"repositories\": {\"$P/ok\": {\"grant\": true}}}" >"$T/scenario.json"
start_https_fake ar artifactregistry fakegoog.py \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" CLOUDSDK_CORE_PROJECT=p
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud"
export GCLOUD_RUN_DEPLOY_TIMEOUT=$DEADLINE
W="$T/wrap"
mkdir -p "$W"
ln -s "$SHIM" "$W/gcloud"
: >"$T/ar.jsonl"

requests() { wc -l <"$T/ar.jsonl" | tr -d ' '; }
show() { printf '%s' "$1" | head -c 60 | tr -c '[:print:]' '?'; }
# timed CMD...: run, and fail unless it ended within the deadline + margin.
timed() {
	_s=$(date +%s%N)
	run "$@"
	el=$((($(date +%s%N) - _s) / 1000000))
}
# within NAME: a hang guard, not a speed target (speed lives in make
# bench): bounded work ends long before HANG seconds even on a loaded
# machine, and an unbounded parse or a hand-over loop never does.
HANG=60
within() {
	if [ $el -le $((HANG * 1000)) ]; then ok "$1 (${el} ms)"
	else not_ok "$1" "${el} ms: still running after $HANG s"; fi
}
# refused NAME PATTERN: exit 65, gcloud not run, stderr matches PATTERN.
refused() {
	if [ "$rc" -eq 65 ] && [ ! -f "$T/ran" ] &&
		grep -Eq -- "$2" "$T/err"; then ok "$1: refused, 65"
	else not_ok "$1: refused, 65" "exit $rc, ran: $([ -f "$T/ran" ] && echo yes || echo no)" \
		"stderr: $(head -c 400 "$T/err")"; fi
}

# --- image references ---
long=$(printf '%0300d' 0 | tr 0 a)
for bad in "$IMG/ok/../x" "$IMG/ok/..%2Fx" "$IMG/ok/a%2Fb" "$IMG/ok/a?x=1" \
	"$IMG/ok/a#frag" "$IMG/ok/a b" " $IMG/ok/a" "$IMG/ok/a " \
	"$(printf '%s/ok/a\001' "$IMG")" "$(printf '%s/ok/a\tb' "$IMG")" \
	"$(printf '%s/ok/a\nb' "$IMG")" "$(printf '%s/ok/a\177' "$IMG")" \
	"$(printf '%s/ok/a\033[31mred' "$IMG")" \
	"$IMG/ok:testIamPermissions/app" "$IMG/ok/app:testIamPermissions?x" \
	"$IMG/ok/app@sha256:testIamPermissions" \
	"$IMG/$long/app" "$IMG/ok/app:$long" \
	"US-CENTRAL1-DOCKER.PKG.DEV/p/ok/app" "GCR.IO/p/app" \
	"$(printf '%s/ok/\377\376' "$IMG")" "$(printf '%s/ok/caf\303\251' "$IMG")" \
	"" "@sha256:" ":" "/" "//" "$IMG//ok/app" "$IMG/ok/app/"; do
	run "$SHIM" svc --image "$bad"
	refused "image $(show "$bad")" "invalid image reference"
done
if grep -q "$(printf '\033')" "$T/all-output"; then
	not_ok "no raw ESC from an image reaches the terminal"
else ok "no raw ESC from an image reaches the terminal"; fi
[ "$(requests)" -eq 0 ] && ok "hostile references: no request sent" ||
	not_ok "hostile references: no request sent" "$(head -3 "$T/ar.jsonl")"

# A tag spelled like the API method stays out of the URL.
run "$SHIM" svc --image "$IMG/ok/app:testIamPermissions"
expect_rc "tag 'testIamPermissions': a valid reference, checked" 0
if grep -q "\"path\": \"/v1/$P/ok:testIamPermissions\"" "$T/ar.jsonl" &&
	[ "$(requests)" -eq 1 ]; then ok "tag 'testIamPermissions': one request, for the repository"
else not_ok "tag 'testIamPermissions': one request, for the repository" "$(cat "$T/ar.jsonl")"; fi
: >"$T/ar.jsonl"

# --- command lines at the kernel's limits ---
# 100,000 arguments; the kernel caps one argument at 128 KiB
# (MAX_ARG_STRLEN), so the longest single word is 131071 bytes.  A 1 MiB
# value comes through a flags file below.
bigexec() {
	python3 - "$@" <<'EOF'
import os, sys
shim, what, want = sys.argv[1], sys.argv[2], sys.argv[3]
if what == "many":
    words = ["svc", "--image=docker.io/library/nginx:1"] + \
        ["--quiet" if i % 2 else "-q" for i in range(100000)]
else:
    words = ["svc", "--image=docker.io/library/nginx:1",
             "--description=\udcff" + "\u00e9x" * 40000 + "y" * 11053]
with open(want, "wb") as f:
    for w in ["run", "deploy"] + words:
        f.write(os.fsencode(w) + b"\0")
os.execv(shim, [shim] + words)
EOF
}
for what in many long; do
	timed bigexec "$SHIM" $what "$T/want-$what"
	expect_rc "$what arguments: handed over, gcloud's exit" 0
	within "$what arguments: ends"
	if cmp -s "$T/want-$what" "$T/argv"; then ok "$what arguments: gcloud got the same bytes"
	else not_ok "$what arguments: gcloud got the same bytes" \
		"$(wc -c <"$T/want-$what") vs $(wc -c <"$T/argv" 2>&1)"; fi
done
timed bigexec "$T/wrap/gcloud" many "$T/want-wrap"
expect_rc "100,000 arguments, wrapper mode: handed over" 0
within "100,000 arguments, wrapper mode: ends"

# --- flags files and manifests ---
cd "$T"
pyrun - <<'EOF'
img = "us-central1-docker.pkg.dev/p/ok/"
def bomb(head, tail):
    s = head + 'x0: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for i in "bcdefghi":
        s += "x%s: &%s [%s]\n" % (i, i, ",".join(["*" + prev] * 9))
        prev = i
    return s + tail
def w(name, data):
    open(name, "wb").write(data if isinstance(data, bytes) else data.encode())
w("ff-huge.yaml", "--image: " + img + "a\n#" + "x" * (5 << 20) + "\n")
w("ff-deep.yaml", "--labels: " + "[" * 100000 + "]" * 100000 + "\n")
w("ff-deepmap.yaml", "--labels:\n" + "".join(" " * i + "k:\n" for i in range(1, 3000)))
w("ff-notutf8.yaml", b"--image: " + img.encode() + b"\xff\xfe\n")
w("ff-utf16.yaml", "--image: x\n".encode("utf-16"))
w("ff-bomb.yaml", bomb("", "--labels: *i\n"))
w("ff-longimg.yaml", "--image: " + img + "a" * (1 << 20) + "\n")
w("ff-self.yaml", "--flags-file: ff-self.yaml\n")
c = "spec:\n  template:\n    spec:\n      containers:\n      - image: " + img + "a\n"
w("m-huge.yaml", "kind: Service\n#" + "x" * (20 << 20) + "\n" + c)
w("m-deep.yaml", "kind: Service\nx: " + "[" * 100000 + "]" * 100000 + "\n" + c)
w("m-notutf8.yaml", b"kind: Service\n" + c.encode()[:-2] + b"\xff\n")
w("m-bomb.yaml", bomb("kind: Service\n", c + "        args: *i\n"))
w("m-recursive.yaml", "kind: Service\nx: &r [*r]\n" + c)
w("m-longimg.yaml", "kind: Service\n" + c[:-2] + "a" * (1 << 20) + "\n")
w("m-nul.yaml", b"kind: Service\n" + c.encode()[:-2] + b"\0a\n")
EOF
cd "$TOP"
for f in huge deep deepmap notutf8 utf16 bomb longimg self; do
	timed "$SHIM" svc --flags-file="$T/ff-$f.yaml"
	refused "flags file $f" "flags-file|ff-$f|image"
	within "flags file $f: bounded"
done
for f in huge deep notutf8 bomb recursive longimg nul; do
	timed "$W/gcloud" run services replace "$T/m-$f.yaml"
	refused "manifest $f" "m-$f|image"
	within "manifest $f: bounded"
done
[ "$(requests)" -eq 0 ] && ok "hostile files: no request sent" ||
	not_ok "hostile files: no request sent" "$(head -3 "$T/ar.jsonl")"
# Messages stay readable: a 1 MiB image is not echoed whole.
run "$SHIM" svc --flags-file="$T/ff-longimg.yaml"
if [ "$(wc -c <"$T/err")" -lt 4096 ]; then ok "1 MiB image: a short message"
else not_ok "1 MiB image: a short message" "$(wc -c <"$T/err") bytes of stderr"; fi

done_testing
