#!/usr/bin/env python3
"""fakemeta.py - a loopback fake of the GCE metadata server.

    python3 tests/fake/fakemeta.py --port-file F --log L.jsonl
        [--project P] [--numeric N] [--email E] [--token T]
        [--expires-in S] [--universe U | --no-universe] [--extra-account E]
        [--delay-ms MS] [--scopes S,S]

Standard library only.  Plain HTTP on 127.0.0.1, as the real server speaks
plain HTTP on 169.254.169.254 (gcloud's gce_read.py takes its address from
GCE_METADATA_ROOT, google-auth from GCE_METADATA_HOST / GCE_METADATA_ROOT
and, for its ping, GCE_METADATA_IP).  Like the real server it:
  - answers only requests that carry "Metadata-Flavor: Google" (403
    otherwise), and refuses any request carrying X-Forwarded-For (403);
  - sends "Metadata-Flavor: Google" in every answer, text as
    application/text and JSON as application/json.
Paths (under /computeMetadata/v1/), ACCT being "default", E, or an
--extra-account:
  project/project-id, project/numeric-project-id, instance/zone,
  universe/universe-domain (404 with --no-universe),
  instance/service-accounts/            "default/\\nE/\\n..."
  instance/service-accounts/?recursive=true   {ACCT: info, ...}
  instance/service-accounts/ACCT/       (?recursive=true: the info JSON
                                         {"aliases","email","scopes"})
  instance/service-accounts/ACCT/email, .../scopes, .../aliases
  instance/service-accounts/ACCT/token  {"access_token", "expires_in",
                                         "token_type"}; ACCT's token is T
                                         for E, "T.EXTRA" for an extra one
  instance/service-accounts/ACCT/identity?audience=A   an unsigned JWT
and "/" (google-auth's ping).  Anything else: 404.

Every request is logged as one JSON line in --log: {"method", "path",
"query", "headers" (every request header; none of them is secret here),
"status"}.  The token is never logged.  --delay-ms adds that much to every
answer.  Exits 0 on SIGTERM or SIGINT.
"""

import argparse
import base64
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

ARGS = None
LOCK = threading.Lock()
ROOT = "/computeMetadata/v1/"


def accounts():
    """ACCT name -> (email, token)."""
    out = {"default": (ARGS.email, ARGS.token), ARGS.email: (ARGS.email,
                                                             ARGS.token)}
    for e in ARGS.extra_account:
        out[e] = (e, ARGS.token + ".EXTRA")
    return out


def info(email):
    return {"aliases": ["default"] if email == ARGS.email else [],
            "email": email, "scopes": ARGS.scopes.split(",")}


def id_token(email, audience):
    def b64(o):
        return base64.urlsafe_b64encode(json.dumps(o).encode()).decode() \
            .rstrip("=")
    now = int(time.time())
    return "%s.%s.c2ln" % (b64({"alg": "RS256", "typ": "JWT"}),
                           b64({"aud": audience, "azp": email, "email": email,
                                "exp": now + 3600, "iat": now,
                                "iss": "https://accounts.google.com",
                                "sub": "1"}))


def answer(path, query):
    """(status, body) with body a str (text) or a dict/list (JSON)."""
    if path == "/":
        return 200, "computeMetadata/\n"
    if not path.startswith(ROOT):
        return 404, "not found\n"
    rel = path[len(ROOT):]
    rec = query.get("recursive", [""])[0].lower() == "true"
    accts = accounts()
    simple = {
        "project/project-id": ARGS.project,
        "project/numeric-project-id": ARGS.numeric,
        "instance/zone": "projects/%s/zones/us-central1-a" % ARGS.numeric,
    }
    if rel in simple:
        return 200, simple[rel]
    if rel == "universe/universe-domain":
        return (404, "not found\n") if ARGS.no_universe else \
            (200, ARGS.universe)
    if rel == "instance/service-accounts/":
        if rec:
            return 200, {a: info(e) for a, (e, _) in accts.items()}
        return 200, "".join("%s/\n" % a for a in ["default", ARGS.email] +
                            ARGS.extra_account)
    parts = rel.split("/")
    if len(parts) < 4 or parts[:2] != ["instance", "service-accounts"]:
        return 404, "not found\n"
    acct, what = unquote(parts[2]), "/".join(parts[3:])
    if acct not in accts:
        return 404, "not found\n"
    email, tok = accts[acct]
    if what == "":
        return (200, info(email)) if rec else \
            (200, "aliases\nemail\nidentity\nscopes\ntoken\n")
    if what == "email":
        return 200, email
    if what == "scopes":
        return 200, "".join(s + "\n" for s in ARGS.scopes.split(","))
    if what == "aliases":
        return 200, "default\n" if email == ARGS.email else ""
    if what == "token":
        return 200, {"access_token": tok, "expires_in": ARGS.expires_in,
                     "token_type": "Bearer"}
    if what == "identity":
        aud = query.get("audience", [""])[0]
        if not aud:
            return 400, "non-empty audience parameter required\n"
        return 200, id_token(email, aud)
    return 404, "not found\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Metadata Server for VM"
    sys_version = ""

    def log_message(self, *a):
        pass

    def do_GET(self):
        u = urlsplit(self.path)
        query = parse_qs(u.query)
        if self.headers.get("X-Forwarded-For") is not None:
            status, body = 403, "Request had X-Forwarded-For header\n"
        elif self.headers.get("Metadata-Flavor") != "Google":
            status, body = 403, "Missing Metadata-Flavor:Google header.\n"
        else:
            status, body = answer(u.path, query)
        if ARGS.delay_ms:
            time.sleep(ARGS.delay_ms / 1000.0)
        if isinstance(body, str):
            data, ctype = body.encode(), "application/text"
        else:
            data, ctype = json.dumps(body).encode(), "application/json"
        self.send_response(status)
        self.send_header("Metadata-Flavor", "Google")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        rec = {"method": "GET", "path": u.path, "query": u.query,
               "headers": {k.lower(): v for k, v in self.headers.items()},
               "status": status}
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(rec) + "\n")

    def do_POST(self):
        self.send_response(405)
        self.send_header("Metadata-Flavor", "Google")
        self.send_header("Content-Length", "0")
        self.end_headers()


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--project", default="meta-project")
    p.add_argument("--numeric", default="123456789012")
    p.add_argument("--email",
                   default="123456789012@cloudbuild.gserviceaccount.com")
    p.add_argument("--token", default="ya29.meta-token-0123456789")
    p.add_argument("--expires-in", type=int, default=3599)
    p.add_argument("--universe", default="googleapis.com")
    p.add_argument("--no-universe", action="store_true")
    p.add_argument("--extra-account", action="append", default=[])
    p.add_argument("--scopes",
                   default="https://www.googleapis.com/auth/cloud-platform")
    p.add_argument("--delay-ms", type=int, default=0)
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, ARGS.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
