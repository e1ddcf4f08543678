#!/bin/sh
# t44-warmup.sh - connection set-up while config-helper runs (issue 14,
# "connection set-up counted").  When the token must come from
# `gcloud config config-helper`, the TCP and TLS set-up to Artifact
# Registry and Cloud Run happens while the helper runs, and the
# authenticated requests come over those very connections.  Seen from the
# wire: a relay in front of each fake records every connection it accepts
# and when its first byte (the TLS ClientHello) arrived; the helper
# stand-in records when it started and ended.  The warm-up carries no
# token, and there is none when the token is in hand.
# tests/run: light
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
TOKEN=ya29.test-secret-token-4471358252
R=us-central1-docker.pkg.dev/p
printf '{"token": "%s", "repositories": {"projects/p/locations/us-central1/repositories/ok": {"grant": true}}}\n' \
	"$TOKEN" >"$T/scenario.json"
start_fake ar fakegoog.py --cert "$T/ca/server.pem" --key "$T/ca/server.key" \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
start_fake run fakerun.py --log "$T/run.jsonl" --token "$TOKEN"
start_fake proxy fakerun.py --log "$T/proxy.jsonl"

# The relay: NAME:LISTEN_PORT_FILE:TARGET_PORT each; one JSON line per
# connection at its first byte: {"name", "accept", "first"} (time.time()).
cat >"$T/relay.py" <<'PY'
import json, socket, sys, threading, time
log = open(sys.argv[1], "a")
lock = threading.Lock()
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
def conn(name, c, port, accepted):
    u = socket.create_connection(("127.0.0.1", port))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    u.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    first = c.recv(65536)
    with lock:
        log.write(json.dumps({"name": name, "accept": accepted,
                              "first": time.time()}) + "\n")
        log.flush()
    if first:
        u.sendall(first)
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
    pipe(c, u)
def serve(name, pf, port):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    with open(pf + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    import os
    os.replace(pf + ".tmp", pf)
    while True:
        c, _ = s.accept()
        threading.Thread(target=conn, args=(name, c, port, time.time()),
                         daemon=True).start()
ts = []
for spec in sys.argv[2:]:
    name, pf, port = spec.split(":")
    t = threading.Thread(target=serve, args=(name, pf, int(port)), daemon=True)
    t.start()
    ts.append(t)
for t in ts:
    t.join()
PY
python3 "$T/relay.py" "$T/conns.jsonl" "ar:$T/rar.port:$PORT_ar" \
	"run:$T/rrun.port:$PORT_run" >"$T/relay.log" 2>&1 &
_pids="$_pids $!"
while [ ! -s "$T/rar.port" ] || [ ! -s "$T/rrun.port" ]; do sleep 0.05; done
RAR=$(cat "$T/rar.port") RRUN=$(cat "$T/rrun.port")

# The gcloud stand-in: config-helper takes HELPER_SLEEP seconds and notes
# its start and end; the deploy notes the sockets it inherited.
mkdir -p "$T/bin"
cat >"$T/bin/gcloud" <<REC
#!/bin/sh
if [ "\$1 \$2" = "config config-helper" ]; then
	date +%s.%N >"$T/helper-start"
	sleep \${HELPER_SLEEP:-2}
	printf '{"configuration": {"active_configuration": "default", "properties": {"core": {"account": "dev@example.com", "project": "p"}}}, "credential": {"access_token": "%s", "token_expiry": "2099-01-01T00:00:00Z"}, "sentinels": {"config_sentinel": "/dev/null"}}\n' "$TOKEN"
	date +%s.%N >"$T/helper-end"
	exit 0
fi
ls -l /proc/\$\$/fd 2>/dev/null | grep -c 'socket:' >"$T/sockets" || :
echo ran >"$T/ran"
exit 0
REC
chmod +x "$T/bin/gcloud"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$RAR/"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$RRUN/"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export CLOUDSDK_CORE_PROJECT=p CLOUDSDK_CORE_ACCOUNT=dev@example.com
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" GCLOUD_RUN_DEPLOY_TIMEOUT=20

# mark: where the next case's lines start in the logs.
mark() {
	log_mark "$T/ar.jsonl"; a0=$n0
	log_mark "$T/conns.jsonl"; c0=$n0
	rm -f "$T/helper-start" "$T/helper-end" "$T/sockets" "$T/ran"
}
# wire: after a case, one line "AR_CONNS RUN_CONNS AR_DURING RUN_DURING
# AUTH_OK ANON ANON_DURING": the connections each relay accepted, how many
# of them sent their first byte before the helper ended, the IAM requests
# that carried the token, the requests without one (the warm-up), and how
# many of those were answered before the helper ended.
wire() {
	log_mark "$T/ar.jsonl"
	log_mark "$T/conns.jsonl"
	pyrun - "$T/conns.jsonl" "$c0" "$T/ar.jsonl" "$a0" "$T/helper-start" \
		"$T/helper-end" <<'PY'
import json, sys
def lines(p, n):
    try:
        return [json.loads(l) for l in open(p).read().splitlines()[int(n):]]
    except OSError:
        return []
def stamp(p):
    try:
        return float(open(p).read())
    except (OSError, ValueError):
        return None
conns, ar = lines(sys.argv[1], sys.argv[2]), lines(sys.argv[3], sys.argv[4])
s, e = stamp(sys.argv[5]), stamp(sys.argv[6])
# The stand-in notes its start only once its shell runs, a few ms after
# the fork: before its end is what counts (before the change, nothing
# is sent before the helper has printed the token and exited).
def during(t):
    return s is not None and e is not None and t <= e
n = lambda name: [c for c in conns if c["name"] == name]
anon = [r for r in ar if r["auth"] == "missing"]
print(len(n("ar")), len(n("run")),
      sum(during(c["first"]) for c in n("ar")),
      sum(during(c["first"]) for c in n("run")),
      sum(r["auth"] == "ok" for r in ar), len(anon),
      sum(during(r["t_end"]) for r in anon))
PY
}
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1" "got '$2', want '$3'" "stderr: $(head -c 400 "$T/err")"
	fi
}

mark
run "$SHIM" fresh --image "$R/ok/app:1" --region us-central1
expect_rc "token from config-helper: granted, 0" 0
ran "token from config-helper: gcloud ran"
is "token from config-helper: one connection to each host, set up before the helper ended; the IAM request came over it; the warm-up carried no token and was answered before the helper ended" \
	"$(wire)" "1 1 1 1 1 1 1"
is "no connection of the check is left open in gcloud" \
	"$(cat "$T/sockets" 2>/dev/null)" 0

mark
run env CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" "$SHIM" fresh \
	--image "$R/ok/app:1" --region us-central1
expect_rc "token in the environment: granted, 0" 0
is "token in the environment: no helper, no warm-up request, one connection each" \
	"$(wire)" "1 1 0 0 1 0 0"

# Another named image's repository: the warm-up goes only to the hosts the
# check asks, here Cloud Run alone (the image is not in Artifact Registry).
mark
run "$SHIM" fresh --image docker.io/library/nginx:1 --region us-central1
expect_rc "image outside Artifact Registry: 0" 0
is "image outside Artifact Registry: only Cloud Run is warmed and asked" \
	"$(wire)" "0 1 0 1 0 0 0"

# gcloud's proxy settings: the warm-up takes the same tunnel as the real
# request (one CONNECT), and the request reuses it.
mark
log_mark "$T/proxy.jsonl"; p0=$n0
run env CLOUDSDK_PROXY_TYPE=http CLOUDSDK_PROXY_ADDRESS=127.0.0.1 \
	CLOUDSDK_PROXY_PORT="$PORT_proxy" "$SHIM" fresh --image "$R/ok/app:1" \
	--region us-central1
expect_rc "through gcloud's proxy: granted, 0" 0
is "through gcloud's proxy: one connection each, set up before the helper ended, reused by the IAM request" \
	"$(wire)" "1 1 1 1 1 1 1"
is "through gcloud's proxy: one CONNECT tunnel to Artifact Registry" \
	"$(tail -n +$((p0 + 1)) "$T/proxy.jsonl" | grep -c "\"method\": \"CONNECT\".*127.0.0.1:$RAR" || :)" 1

mark
run env HELPER_SLEEP=0 "$SHIM" fresh --image "$R/ok/app:1" \
	--region us-central1
expect_rc "a helper quicker than the set-up: granted all the same, 0" 0

if grep -rqa "$TOKEN" "$T/all-output" "$T/ar.jsonl" "$T/run.jsonl" \
	"$T/conns.jsonl" 2>/dev/null; then
	not_ok "the token appears in no output or log"
else ok "the token appears in no output or log"; fi

done_testing
