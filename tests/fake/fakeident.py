#!/usr/bin/env python3
"""fakeident.py - a loopback fake of Google's identity endpoints and of
Artifact Registry's testIamPermissions, for the principal and secret tests.

    python3 tests/fake/fakeident.py --port-file F --dir D [--cert C --key K]

Listens on two ephemeral loopback ports: plain HTTP (written to F) and,
with --cert/--key, HTTPS (written to F.tls).  Standard library only.

What it answers (the token it hands out is read from D/token, the one it
expects as a bearer too):
  POST /token                        OAuth2 token endpoint (refresh and
                                     JWT-bearer grants): {"access_token"}
  POST /sts                          STS token exchange (external accounts)
  POST /v1/projects/-/serviceAccounts/SA:generateAccessToken
                                     IAM credentials: {"accessToken"}
  POST /introspect                   STS token introspection: "username"
  POST /tokeninfo                    form body access_token=T: D/tokeninfo
                                     (JSON) when T is the token, else 400
  POST /v1/RESOURCE:testIamPermissions
                                     granted when the repository name
                                     starts with "ok", 500 when it starts
                                     with "fail", 400 with the bearer
                                     after 500 bytes of message when it
                                     starts with "echo", else {}; with
                                     D/echo present every answer carries
                                     "X-Echo-Credential: <the bearer>"
Every other request: 404.

Log (D/wire.jsonl): one JSON line per request: method, path, "query"
(whether the URL had one), "bearer" ("ok", "none" or "other"),
"token_in_url" and "token_in_body" (booleans), "proxy_form" (an absolute
URL in the request line).  The token itself is never logged.
"""
import argparse
import json
import os
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def token(self):
        with open(os.path.join(self.server.dir, "token")) as f:
            return f.read().strip()

    def send(self, code, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def log(self, **kw):
        with self.server.lock, open(os.path.join(self.server.dir,
                                                 "wire.jsonl"), "a") as f:
            f.write(json.dumps(kw) + "\n")

    def do_GET(self):
        self.route(b"")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.route(self.rfile.read(n) if n else b"")

    def route(self, body):
        tok = self.token()
        auth = self.headers.get("Authorization") or ""
        bearer = "none" if not auth else (
            "ok" if auth == "Bearer " + tok else "other")
        path = self.path
        proxy_form = path.startswith("http")
        if proxy_form:
            path = "/" + path.split("/", 3)[-1]
        query = "?" in path
        path = path.split("?")[0]
        text = body.decode("latin-1")
        self.log(method=self.command, path=path, query=query,
                 bearer=bearer, token_in_url=tok in unquote(self.path),
                 token_in_body=tok in text, proxy_form=proxy_form,
                 tls=self.server.tls)
        echo = {}
        if os.path.exists(os.path.join(self.server.dir, "echo")):
            echo = {"X-Echo-Credential": auth}
        if path == "/token":
            return self.send(200, {"access_token": tok, "expires_in": 3600,
                                   "token_type": "Bearer"})
        if path == "/sts":
            return self.send(200, {
                "access_token": tok, "expires_in": 3600,
                "issued_token_type":
                    "urn:ietf:params:oauth:token-type:access_token",
                "token_type": "Bearer"})
        if path == "/introspect":
            # STS introspection, as gcloud asks for an external account
            # without impersonation (the account id of its token cache).
            form = parse_qs(text)
            return self.send(200, {
                "active": form.get("token") == [tok],
                "username": "principal://iam.googleapis.com/projects/"
                "123456/locations/global/workloadIdentityPools/gh-pool/"
                "subject/repo:octo/app:ref:refs/heads/main"})
        if path.endswith(":generateAccessToken"):
            return self.send(200, {"accessToken": tok,
                                   "expireTime": "2099-01-01T00:00:00Z"})
        if path == "/tokeninfo":
            form = parse_qs(text)
            info = os.path.join(self.server.dir, "tokeninfo")
            if form.get("access_token") == [tok] and os.path.exists(info):
                with open(info) as f:
                    return self.send(200, json.load(f))
            return self.send(400, {"error": "invalid_token",
                                   "error_description": "Invalid Value"})
        if path.endswith(":testIamPermissions"):
            repo = path.split("/repositories/")[-1].split(":")[0]
            if bearer != "ok":
                return self.send(401, {"error": {
                    "code": 401, "status": "UNAUTHENTICATED",
                    "message": "Request had invalid credentials."}}, echo)
            if repo.startswith("ok"):
                return self.send(200, {"permissions": [
                    "artifactregistry.repositories.downloadArtifacts"]},
                    echo)
            if repo.startswith("echo"):
                # A hostile answer: the token after 500 bytes of text.
                return self.send(400, {"error": {
                    "code": 400, "status": "INVALID_ARGUMENT",
                    "message": "x" * 500 + " " + auth[7:]}}, echo)
            if repo.startswith("fail"):
                return self.send(500, {"error": {
                    "code": 500, "status": "INTERNAL",
                    "message": "Internal error."}}, echo)
            return self.send(200, {}, echo)
        self.send(404, {"error": {"code": 404, "status": "NOT_FOUND",
                                  "message": "no such path"}})


def serve(port_file, d, ctx):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.dir, srv.lock, srv.tls = d, threading.Lock(), ctx is not None
    if ctx:
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    srv.serve_forever()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    a = ap.parse_args()
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        ctx.set_alpn_protocols(["http/1.1"])
        threading.Thread(target=serve, args=(a.port_file + ".tls", a.dir,
                                             ctx), daemon=True).start()
    serve(a.port_file, a.dir, None)


if __name__ == "__main__":
    sys.exit(main())
