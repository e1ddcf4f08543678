#!/bin/sh
# Hand-over: the real gcloud gets the original words byte for byte, the shim
# never runs itself, and a missing gcloud is exit 127.
. "$(dirname "$0")/lib.sh"

make_recorder
mkdir -p "$T/shimbin" "$T/empty"
ln -s "$SHIM" "$T/shimbin/gcloud"
# Nothing here may be asked over the network: an endpoint nobody listens on.
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=https://127.0.0.1:9/

# expect_argv NAME WORDS...: the recorder's argv is exactly WORDS.
expect_argv() {
	_n=$1
	shift
	for a in "$@"; do printf '%s\0' "$a"; done >"$T/want"
	if [ -f "$T/argv" ] && cmp -s "$T/want" "$T/argv"; then ok "$_n"; else
		not_ok "$_n" "argv differs:" \
			"$(od -c "$T/argv" 2>&1 | head -5)" "want:" \
			"$(od -c "$T/want" | head -5)"
	fi
}

nl='
'
odd=$(printf '\377\376')
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud"

run "$SHIM" --preflight=off "" " a b " "x${nl}y" "$odd" --image=nginx
expect_rc "off: exit 0" 0
expect_argv "off: argv byte-identical, shim option removed" \
	run deploy "" " a b " "x${nl}y" "$odd" --image=nginx

run "$SHIM" "s v c" "--image=docker.io/library/nginx:1" "" "$odd" \
	--preflight-format=text -- "--preflight=warn"
expect_rc "other registry: nothing to check, handed over" 0
expect_argv "other registry: argv byte-identical, words after -- kept" \
	run deploy "s v c" "--image=docker.io/library/nginx:1" "" "$odd" \
	-- "--preflight=warn"

run "$SHIM" svc --source . --image=us-docker.pkg.dev/p/r/i
expect_rc "--source: handed over at once" 0
expect_argv "--source: argv unchanged" run deploy svc --source . \
	--image=us-docker.pkg.dev/p/r/i

run env RECORDER_RC=3 "$SHIM" --preflight=off svc
expect_rc "gcloud's exit status is ours" 3

unset GCLOUD_RUN_DEPLOY_GCLOUD
run env PATH="$T/shimbin:$T/bin:/usr/bin:/bin" gcloud config list --format=json
expect_rc "wrapper first on PATH: runs the real gcloud" 0
expect_argv "wrapper: non-deploy command handed over unchanged" \
	config list --format=json

run env PATH="$T/shimbin:$T/bin:/usr/bin:/bin" gcloud --project run run \
	services list
expect_argv "wrapper: a flag value 'run' is not a command word" \
	--project run run services list

run env PATH="$T/shimbin:$T/empty" "$T/shimbin/gcloud" version
expect_rc "no real gcloud, only ourselves on PATH: exit 127" 127
grep_file "no real gcloud: says command not found" "$T/err" \
	"command not found"
grep_file "no real gcloud: hints GCLOUD_RUN_DEPLOY_GCLOUD" "$T/err" \
	"GCLOUD_RUN_DEPLOY_GCLOUD"

mkdir -p "$T/chain" "$T/hard"
ln -s "$T/shimbin/gcloud" "$T/chain/link1"
ln -s "$T/chain/link1" "$T/chain/gcloud"
run env PATH="$T/chain:$T/shimbin" "$T/chain/gcloud" version
expect_rc "symlink chain to the shim is skipped: 127" 127
if ln "$SHIM" "$T/hard/gcloud" 2>/dev/null; then
	run env PATH="$T/hard" "$T/hard/gcloud" version
	expect_rc "hard link to the shim is skipped: 127" 127
else
	skip "hard link to the shim (different file systems)"
fi

run env PATH="$T/empty" "$SHIM" --preflight=off svc
expect_rc "deploy mode without gcloud: 127" 127

run env GCLOUD_RUN_DEPLOY_GCLOUD=bin/gcloud "$SHIM" --preflight=off svc
expect_rc "relative GCLOUD_RUN_DEPLOY_GCLOUD refused: 127" 127
grep_file "relative override: says absolute" "$T/err" "absolute path"
run env GCLOUD_RUN_DEPLOY_GCLOUD="$T/shimbin/gcloud" "$SHIM" --preflight=off svc
expect_rc "override pointing at the shim refused: 127" 127

# A "real gcloud" that leads back to the shim: the depth guard stops it.
mkdir -p "$T/loop"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$T/shimbin/gcloud" >"$T/loop/gcloud"
chmod +x "$T/loop/gcloud"
run timeout 20 env PATH="$T/shimbin:$T/loop" "$T/shimbin/gcloud" version
expect_rc "a loop back to the shim ends with 127" 127
grep_file "loop: message names the loop" "$T/err" "leads back"

# stdin, the terminal and signals are gcloud's: stdin bytes arrive intact.
cat >"$T/bin/gcloud-stdin" <<EOF
#!/bin/sh
cat >"$T/stdin"
EOF
chmod +x "$T/bin/gcloud-stdin"
head -c 100000 /dev/urandom >"$T/stdin-src"
set +e
GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud-stdin" "$SHIM" --preflight=off svc \
	<"$T/stdin-src"
set -e
if cmp -s "$T/stdin-src" "$T/stdin"; then ok "stdin reaches gcloud intact"
else not_ok "stdin reaches gcloud intact"; fi

# SIG_IGN for SIGPIPE survives exec: what we were given, gcloud gets.
cat >"$T/bin/gcloud-sig" <<EOF
#!/bin/sh
grep -E '^Sig(Ign|Blk):' /proc/self/status >"$T/sig"
EOF
chmod +x "$T/bin/gcloud-sig"
grep -E '^Sig(Ign|Blk):' /proc/$$/status >/dev/null
(trap '' PIPE; GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud-sig" \
	"$SHIM" --preflight=off svc </dev/null)
(trap '' PIPE; grep -E '^Sig(Ign|Blk):' /proc/self/status) >"$T/sig-want"
if cmp -s "$T/sig" "$T/sig-want"; then
	ok "signal dispositions and mask handed over as received"
else
	not_ok "signal dispositions and mask handed over as received" \
		"got: $(cat "$T/sig")" "want: $(cat "$T/sig-want")"
fi

# No descriptor of ours survives the exec: gcloud sees the same open
# descriptors as when it is started directly.
cat >"$T/bin/gcloud-fds" <<EOF
#!/bin/sh
ls /proc/\$\$/fd >"\$FDS_OUT"
EOF
chmod +x "$T/bin/gcloud-fds"
FDS_OUT="$T/fds-direct" "$T/bin/gcloud-fds" </dev/null >/dev/null 2>&1
FDS_OUT="$T/fds" GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud-fds" "$SHIM" svc \
	--image=docker.io/x </dev/null >/dev/null 2>&1
if cmp -s "$T/fds" "$T/fds-direct"; then
	ok "no descriptor of the shim is left open in gcloud"
else
	not_ok "no descriptor of the shim is left open in gcloud" \
		"via shim: $(tr '\n' ' ' <"$T/fds")" \
		"direct: $(tr '\n' ' ' <"$T/fds-direct")"
fi

# A hand-over loads no libcurl (it is opened only for a check), so the
# wrapper before every gcloud command stays cheap.
run env LD_DEBUG=libs GCLOUD_RUN_DEPLOY_GCLOUD=/bin/true "$SHIM" svc \
	--image=docker.io/library/nginx:1
expect_rc "pass-through with LD_DEBUG: exit 0" 0
grep_not "a hand-over does not load libcurl" "$T/err" "libcurl"
grep_file "... while the loader did report its work" "$T/err" "calling init"

# Wrapper mode: a command that deploys nothing is gcloud's, whatever mode
# the environment sets, and whatever its flags files hold.
run env PATH="$T/shimbin:$T/bin:/usr/bin:/bin" GCLOUD_RUN_DEPLOY_PREFLIGHT=only \
	gcloud config set project foo
expect_rc "PREFLIGHT=only exported: a non-deploy command still runs" 0
expect_argv "PREFLIGHT=only exported: handed over unchanged" \
	config set project foo
run env PATH="$T/shimbin:$T/bin:/usr/bin:/bin" GCLOUD_RUN_DEPLOY_PREFLIGHT=plan \
	gcloud auth print-access-token
expect_argv "PREFLIGHT=plan exported: handed over, no plan" \
	auth print-access-token
grep_not "PREFLIGHT=plan exported: nothing of ours on stdout" "$T/out" "."
run env PATH="$T/shimbin:$T/bin:/usr/bin:/bin" \
	gcloud projects list --flags-file=/nonexistent.yaml
expect_rc "a non-deploy command with a missing flags file: gcloud's" 0
expect_argv "... handed over for gcloud to report" \
	projects list --flags-file=/nonexistent.yaml

# No gcloud at all: 127 at once, before any check or token.
run env PATH="$T/empty" "$SHIM" svc \
	--image=us-central1-docker.pkg.dev/p/r/app:1 --region=us-central1
expect_rc "no gcloud, an image to check: 127, not 69" 127
grep_file "no gcloud: command not found" "$T/err" "command not found"

run "$SHIM" --preflight=bogus svc
expect_rc "bad --preflight value: exit 64" 64
run env GCLOUD_RUN_DEPLOY_PREFLIGHT=sometimes "$SHIM" svc
expect_rc "bad GCLOUD_RUN_DEPLOY_PREFLIGHT: exit 64" 64
run env GCLOUD_RUN_DEPLOY_TIMEOUT=0 "$SHIM" svc
expect_rc "bad GCLOUD_RUN_DEPLOY_TIMEOUT: exit 64" 64

done_testing
