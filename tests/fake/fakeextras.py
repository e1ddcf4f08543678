#!/usr/bin/env python3
"""fakeextras.py - a loopback HTTPS fake of what the checks after the IAM
answer ask (issue 6), and of testIamPermissions so one endpoint serves the
Artifact Registry API:

    python3 tests/fake/fakeextras.py --port-file F --cert C --key K
        --scenario S.json [--log L.jsonl]

Standard library only; HTTP/1.1 over TLS, 127.0.0.1 only.  Routes:

  Artifact Registry v1 (artifactregistry_v1_client.py in the SDK):
    POST /v1/{repo}:testIamPermissions      {"permissions": [...]} or {}
    GET  /v1/{repo}:getIamPolicy?options.requestedPolicyVersion=3
                                            google.iam.v1.Policy
  Cloud Resource Manager v3 (cloudresourcemanager_v3_client.py):
    GET  /v3/projects/{id}                  Project {name: "projects/N",
                                            projectId, state, ...}
    POST /v3/projects/{id}:getIamPolicy     Policy
  Docker Registry HTTP API v2, chosen by the Host header (the test routes
  the registry host here with GCLOUD_RUN_DEPLOY_CONNECT_TO):
    HEAD|GET /v2/{name}/manifests/{ref}     200 with Docker-Content-Digest
                                            and Content-Type; 404 with
                                            {"errors": [{"code":
                                            "MANIFEST_UNKNOWN", ...}]} (GET
                                            only: HEAD has no body); 401
                                            with WWW-Authenticate Bearer

Scenario (JSON, re-read on change):
  {"token": T,                 a wrong or missing bearer is 401
   "repositories": {RES: {"grant": bool, "policy": POLICY,
                          "policy_status": CODE}},
   "projects": {ID: {"number": N, "status": CODE, "policy": POLICY,
                     "policy_status": CODE}},
   "images": {"HOST/NAME": {"tags": {TAG: DIGEST}, "status": CODE}}}
POLICY is {"bindings": [...]} (version 3 and an etag are added).  An error
status answers a google.rpc.Status ({"error": {code, message, status}}).
Unknown projects answer 403 PERMISSION_DENIED, as the real API does.

Log (JSON lines): method, host, path, query, auth ("ok"|"missing"|"wrong"),
accept, user_project, status.  Never the token.
"""

import argparse
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler

from fakecommon import JsonLog, Scenario, Server, serve, use_tls

PERMISSION = "artifactregistry.repositories.downloadArtifacts"
NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED",
         403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
         500: "INTERNAL", 503: "UNAVAILABLE"}
MANIFEST_TYPE = "application/vnd.oci.image.index.v1+json"
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle
    # and the client's delayed ACK add 40 ms to every answer.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def scenario(self):
        with LOCK:
            return self.server.scenario.current()[0]

    def auth(self, token):
        h = self.headers.get("Authorization")
        if h is None:
            return "missing"
        return "ok" if token is None or h == "Bearer " + token else "wrong"

    def send(self, code, body=b"", headers=None, head=False):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.status = code

    def send_json(self, code, obj):
        self.send(code, json.dumps(obj).encode(),
                  {"Content-Type": "application/json; charset=UTF-8"})

    def rpc_error(self, code, message):
        self.send_json(code, {"error": {
            "code": code, "message": message,
            "status": NAMES.get(code, "UNKNOWN")}})

    def policy(self, p):
        out = {"version": 3, "etag": "BwYk2Jp8z0E="}
        if p and p.get("bindings"):
            out["bindings"] = p["bindings"]
        return out

    def handle_any(self, method):
        s = self.scenario()
        u = urllib.parse.urlsplit(self.path)
        self.status = 0
        self.body = self.rfile.read(int(self.headers.get("Content-Length")
                                        or 0))
        auth = self.auth(s.get("token"))
        if u.path.startswith("/v2/"):
            self.registry(s, method, u.path, auth)
        elif auth != "ok":
            self.rpc_error(401, "Request had invalid authentication "
                           "credentials.")
        else:
            self.api(s, method, u)
        rec = {"method": method, "host": self.headers.get("Host"),
               "path": u.path, "query": u.query, "auth": auth,
               "accept": self.headers.get("Accept"),
               "user_project": self.headers.get("X-Goog-User-Project"),
               "status": self.status}
        self.server.logf.write(rec)

    def api(self, s, method, u):
        p = u.path
        if method == "POST" and p.startswith("/v1/") and \
                p.endswith(":testIamPermissions"):
            r = s.get("repositories", {}).get(p[4:-19], {})
            asked = json.loads(self.body or b"{}").get("permissions", [])
            ok = r.get("grant", False) and PERMISSION in asked
            self.send_json(200, {"permissions": [PERMISSION]} if ok else {})
        elif method == "GET" and p.startswith("/v1/") and \
                p.endswith(":getIamPolicy"):
            if urllib.parse.parse_qs(u.query).get(
                    "options.requestedPolicyVersion") != ["3"]:
                return self.rpc_error(400, "requestedPolicyVersion missing")
            r = s.get("repositories", {}).get(p[4:-13], {})
            if r.get("policy_status"):
                return self.rpc_error(r["policy_status"], "Permission "
                                      "'artifactregistry.repositories."
                                      "getIamPolicy' denied on resource")
            self.send_json(200, self.policy(r.get("policy")))
        elif method == "POST" and p.startswith("/v3/projects/") and \
                p.endswith(":getIamPolicy"):
            r = s.get("projects", {}).get(p[13:-13])
            if r is None or r.get("policy_status"):
                return self.rpc_error((r or {}).get("policy_status", 403),
                                      "The caller does not have permission")
            self.send_json(200, self.policy(r.get("policy")))
        elif method == "GET" and p.startswith("/v3/projects/"):
            pid = p[13:]
            r = s.get("projects", {}).get(pid)
            if r is None or r.get("status"):
                return self.rpc_error((r or {}).get("status", 403),
                                      "The caller does not have permission")
            self.send_json(200, {"name": "projects/%s" % r["number"],
                                 "parent": "organizations/1",
                                 "projectId": pid, "state": "ACTIVE",
                                 "displayName": pid,
                                 "etag": "W/\"0d4c1b1a\""})
        else:
            self.rpc_error(404, "Not found: %s %s" % (method, p))

    def registry(self, s, method, path, auth):
        host = (self.headers.get("Host") or "").split(":")[0]
        head = method == "HEAD"
        name, sep, ref = path[4:].rpartition("/manifests/")
        if auth != "ok":
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED",'
                             b'"message":"authentication required"}]}',
                             {"WWW-Authenticate": 'Bearer realm="https://%s'
                              '/v2/token",service="%s",scope="repository:%s'
                              ':pull"' % (host, host, name),
                              "Content-Type": "application/json"}, head)
        img = s.get("images", {}).get(host + "/" + name)
        if not sep or img is None:
            return self.manifest_unknown(ref, head)
        if img.get("status"):
            return self.send(img["status"], b'{"errors":[{"code":"DENIED",'
                             b'"message":"denied"}]}',
                             {"Content-Type": "application/json"}, head)
        digest = img.get("tags", {}).get(ref)
        if digest is None and ref in img.get("tags", {}).values():
            digest = ref
        if digest is None:
            return self.manifest_unknown(ref, head)
        body = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST_TYPE,
                           "manifests": []}).encode()
        self.send(200, body, {"Docker-Content-Digest": digest,
                              "Content-Type": MANIFEST_TYPE}, head)

    def manifest_unknown(self, ref, head):
        body = json.dumps({"errors": [{
            "code": "MANIFEST_UNKNOWN",
            "message": "Failed to fetch \"%s\"" % ref}]}).encode()
        self.send(404, body, {"Content-Type": "application/json"}, head)

    def do_GET(self):
        self.handle_any("GET")

    def do_HEAD(self):
        self.handle_any("HEAD")

    def do_POST(self):
        self.handle_any("POST")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--log")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.scenario = Scenario(a.scenario, "fakeextras", strict=True,
                            want=None)
    srv.logf = JsonLog(a.log, LOCK)
    use_tls(srv, a.cert, a.key, handshake_on_connect=True)
    return serve(srv, a.port_file, newline=False, signals=False)

if __name__ == "__main__":
    sys.exit(main())
