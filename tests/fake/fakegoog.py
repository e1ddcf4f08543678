#!/usr/bin/env python3
"""fakegoog.py - a loopback fake of Artifact Registry's testIamPermissions.

    python3 tests/fake/fakegoog.py --port-file F [--cert C --key K]
        [--bind 127.0.0.1] [--scenario S.json] [--log L.jsonl]

Standard library only.  HTTPS with --cert/--key (ALPN http/1.1), plain HTTP
without.  Listens on an ephemeral port of a loopback address (--bind must be
loopback: 127.0.0.0/8 or ::1) and writes the port to --port-file only once
it listens.  HTTP/1.1 with keep-alive, one thread per connection.  Exits 0
on SIGTERM or SIGINT.

It answers only
    POST /v1/{resource}:testIamPermissions
with a JSON body whose "permissions" list names
artifactregistry.repositories.downloadArtifacts; anything else (other path,
method, a query string, a bad body) is 404 with a google.rpc.Status
NOT_FOUND body.

Scenario (--scenario, JSON; re-read when the file changes):
  {"token": "T",            absent: any bearer is accepted; a missing or
                            (with "token") wrong bearer is 401
                            UNAUTHENTICATED
   "repositories": {"projects/p/locations/us/repositories/r": BEHAVIOUR}}
Unknown repositories answer {} (the IAM contract for a missing resource).
BEHAVIOUR keys (all optional; default: {"grant": true}):
  "grant": true|false       {"permissions": [PERMISSION]} or {}
  "permissions": [...]      answer exactly these
  "status": CODE            with "error": a google.rpc.Status object sent as
                            {"error": ...}, or with "reason" (below), or
                            alone (a plain Status for that code)
  "reason": R               SERVICE_DISABLED, ACCESS_TOKEN_EXPIRED,
                            USER_PROJECT_DENIED, IAM_PERMISSION_DENIED: the
                            real-shaped error (status defaults to 403, 401
                            for ACCESS_TOKEN_EXPIRED)
  "project_number": N       the consumer in ErrorInfo metadata
  "fail_times": n           answer "fail_status" the first n requests,
  "fail_status": CODE       then normally (default 503)
  "retry_after": S          Retry-After: S with every 429 and 503
  "delay": S                seconds to wait before answering
  "body": "raw"             send this body as it is (with "status", default
  "content_type": "..."     200, and this Content-Type, default
                            application/json)
  "fault": F                misbehave instead of answering (the request
                            is read first, then):
      "refuse"      close the connection without a byte of answer
      "reset"       send half the status line and headers, then reset
                    the connection (SO_LINGER 0: RST, not FIN)
      "hang"        never answer; wait (at most 120 s) for the client to
                    go away
      "trickle"     a granting answer, one byte per second
      "html"        502 with a proxy's HTML error page (text/html)
      "huge"        200, a 10 MiB JSON body (that would grant)
      "malformed"   200, a body that is not valid JSON
  The other failures are the keys above: 401 ACCESS_TOKEN_EXPIRED and 403
  SERVICE_DISABLED / IAM_PERMISSION_DENIED ("reason"), 404 ("status"), 429
  with and without Retry-After and 500 ("fail_times", "fail_status",
  "retry_after"), 503 n times then success ("fail_times").

Server-level keys of the scenario:
  "fault": "refuse"         close every connection right after accept(),
                            before TLS (nothing is logged)
Certificates for the wrong host name or from an untrusted CA are simply
other --cert/--key files.

Log (--log, JSON lines, one per request, written when it is answered):
  {"t_start", "t_end" (time.time()), "method", "path", "http_version",
   "user_project" (X-Goog-User-Project or null),
   "auth": "ok"|"missing"|"wrong", "body" (text, or null), "status",
   "resource" (or null), "fault" (F, or null)}
The token itself is never logged.
"""

import argparse
import ipaddress
import json
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

import fakecommon
from fakecommon import JsonLog, Scenario, serve, use_tls

PERMISSION = "artifactregistry.repositories.downloadArtifacts"
PREFIX, SUFFIX = "/v1/", ":testIamPermissions"
BODY_MAX = 65536
STATUS_NAMES = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ABORTED",
    429: "RESOURCE_EXHAUSTED", 499: "CANCELLED", 500: "INTERNAL",
    501: "NOT_IMPLEMENTED", 502: "UNAVAILABLE", 503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
METHOD = "google.devtools.artifactregistry.v1.ArtifactRegistry." \
    "TestIamPermissions"
SERVICE = "artifactregistry.googleapis.com"


class State:
    def __init__(self, scenario, log):
        self.scenario = Scenario(scenario, "fakegoog")
        self.counts = {}
        self.lock = threading.Lock()
        self.logf = JsonLog(log, self.lock)

    def current(self):
        with self.lock:
            return self.scenario.current()[0]

    def count(self, resource):
        with self.lock:
            n = self.counts.get(resource, 0)
            self.counts[resource] = n + 1
            return n

    def log(self, rec):
        self.logf.write(rec)


def status_body(code, message, status=None, details=None):
    err = {"code": code, "message": message,
           "status": status or STATUS_NAMES.get(code, "UNKNOWN")}
    if details is not None:
        err["details"] = details
    return {"error": err}


def errorinfo(reason, metadata, domain="googleapis.com"):
    return {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": reason, "domain": domain, "metadata": metadata}


def reason_error(reason, code, resource, number):
    consumer = "projects/%s" % number
    if reason == "SERVICE_DISABLED":
        url = ("https://console.developers.google.com/apis/api/"
               "%s/overview?project=%s" % (SERVICE, number))
        msg = ("Artifact Registry API has not been used in project %s "
               "before or it is disabled. Enable it by visiting %s then "
               "retry. If you enabled this API recently, wait a few "
               "minutes for the action to propagate to our systems and "
               "retry." % (number, url))
        meta = {"consumer": consumer, "service": SERVICE,
                "serviceTitle": "Artifact Registry API",
                "activationUrl": url, "containerInfo": str(number)}
        det = [errorinfo(reason, meta),
               {"@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US", "message": msg},
               {"@type": "type.googleapis.com/google.rpc.Help",
                "links": [{"description": "Google developers console API "
                           "activation", "url": url}]}]
    elif reason == "ACCESS_TOKEN_EXPIRED":
        msg = ("Request had invalid authentication credentials. Expected "
               "OAuth 2 access token, login cookie or other valid "
               "authentication credential. See https://developers.google."
               "com/identity/sign-in/web/devconsole-project.")
        det = [errorinfo(reason, {"service": SERVICE, "method": METHOD})]
    elif reason == "USER_PROJECT_DENIED":
        msg = ("Caller does not have required permission to use project "
               "%s. Grant the caller the roles/serviceusage."
               "serviceUsageConsumer role, or a custom role with the "
               "serviceusage.services.use permission, by visiting "
               "https://console.developers.google.com/iam-admin/iam/"
               "project?project=%s and then retry. Propagation of the new "
               "permission may take a few minutes." % (number, number))
        det = [errorinfo(reason, {"consumer": consumer,
                                  "service": SERVICE})]
    else:
        msg = ("Permission 'artifactregistry.repositories.get' denied on "
               "resource '%s' (or it may not exist)." % resource)
        det = [errorinfo(reason, {"consumer": consumer, "service": SERVICE,
                                  "permission":
                                  "artifactregistry.repositories.get",
                                  "resource": resource})]
    return status_body(code, msg, None, det)


def behaviour_answer(b, resource, n):
    """(code, body bytes, content type, extra headers) for one request."""
    hdrs = {}
    if n < int(b.get("fail_times", 0)):
        code = int(b.get("fail_status", 503))
        body = status_body(code, "Quota exceeded." if code == 429 else
                           "Internal error encountered." if code == 500
                           else "The service is currently unavailable.")
    elif "body" in b:
        return (int(b.get("status", 200)), str(b["body"]).encode(),
                b.get("content_type", "application/json"), hdrs)
    elif "status" in b or "reason" in b:
        reason = b.get("reason")
        code = int(b.get("status",
                         401 if reason == "ACCESS_TOKEN_EXPIRED" else 403))
        if "error" in b:
            body = {"error": b["error"]}
        elif reason:
            body = reason_error(reason, code, resource,
                                b.get("project_number", 123456789012))
        else:
            body = status_body(code, "HTTP %d" % code)
    elif "permissions" in b:
        code, body = 200, {"permissions": list(b["permissions"])}
    elif b.get("grant", True):
        code, body = 200, {"permissions": [PERMISSION]}
    else:
        code, body = 200, {}
    if code in (429, 503) and "retry_after" in b:
        hdrs["Retry-After"] = str(b["retry_after"])
    return code, json.dumps(body, indent=2).encode(), "application/json", \
        hdrs


HTML_502 = b"""<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response
from an upstream server.</p><hr><address>corporate-proxy</address></body>
</html>
"""
FAULTS = ("refuse", "reset", "hang", "trickle", "html", "huge", "malformed")
HUGE = 10 * 1024 * 1024


def fault_answer(h, fault):
    """Misbehave on handler h; returns the status logged (or None)."""
    h.close_connection = True
    sock = h.request
    if fault == "refuse":
        return None
    if fault == "reset":
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: applic")
        h.wfile.flush()
        time.sleep(0.1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
        sock.close()
        return None
    if fault == "hang":
        sock.settimeout(120)
        try:
            while sock.recv(4096):
                pass
        except (OSError, ValueError):
            pass
        return None
    if fault == "trickle":
        body = json.dumps({"permissions": [PERMISSION]}).encode()
        data = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        for i in range(len(data)):
            h.wfile.write(data[i:i + 1])
            h.wfile.flush()
            time.sleep(1)
        return 200
    if fault == "html":
        return h.send_json(502, None, "text/html; charset=UTF-8", None,
                           HTML_502)
    if fault == "huge":
        head = b'{"permissions": ["' + PERMISSION.encode() + b'"], "pad": "'
        pad = HUGE - len(head) - 2
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(HUGE))
        h.end_headers()
        h.wfile.write(head)
        chunk = b"x" * 65536
        while pad > 0:
            h.wfile.write(chunk[:min(pad, len(chunk))])
            pad -= len(chunk)
        h.wfile.write(b'"}')
        return 200
    return h.send_json(200, None, "application/json", None,
                       b'{"permissions": ["' + PERMISSION.encode() + b'",')


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""
    timeout = 30

    def setup(self):
        # Headers and body go out in two writes: without this, Nagle and
        # the client's delayed ACK add 40 ms to every answer.
        try:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY,
                                    1)
        except OSError:
            pass
        super().setup()

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, obj, ctype="application/json", extra=None,
                  raw=None):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if code == 401:
            self.send_header("WWW-Authenticate", 'Bearer realm="https://'
                             'accounts.google.com/", error="invalid_token"')
        self.end_headers()
        self.wfile.write(data)
        return code

    def read_body(self):
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = -1
        if n < 0 or n > BODY_MAX:
            self.close_connection = True
            return None
        return self.rfile.read(n) if n else b""

    def auth(self, scenario):
        h = self.headers.get("Authorization")
        if h is None or not h[:7].lower() == "bearer " or not h[7:].strip():
            return "missing"
        want = scenario.get("token")
        if want is not None and h[7:].strip() != want:
            return "wrong"
        return "ok"

    def resource(self):
        p = self.path
        if "?" in p or "#" in p or not p.startswith(PREFIX) or \
                not p.endswith(SUFFIX):
            return None
        r = p[len(PREFIX):-len(SUFFIX)]
        return r or None

    def answer(self, rec, raw):
        st = self.server.state
        scenario = st.current()
        res = self.resource() if self.command == "POST" else None
        rec["resource"] = res
        if res is None:
            return self.send_json(404, status_body(
                404, "Requested entity was not found."))
        if rec["auth"] != "ok":
            missing = rec["auth"] == "missing"
            return self.send_json(401, status_body(
                401, "Request is missing required authentication "
                "credential." if missing else "Request had invalid "
                "authentication credentials.", None,
                [errorinfo("CREDENTIALS_MISSING" if missing else
                           "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                           {"service": SERVICE, "method": METHOD})]))
        try:
            perms = json.loads(raw.decode()).get("permissions")
            if not isinstance(perms, list) or PERMISSION not in perms:
                raise ValueError
        except (ValueError, AttributeError, UnicodeDecodeError):
            return self.send_json(404, status_body(
                404, "Requested entity was not found."))
        repos = scenario.get("repositories") or {}
        b = repos.get(res)
        if not isinstance(b, dict):
            return self.send_json(200, {})
        n = st.count(res)
        if b.get("delay"):
            time.sleep(float(b["delay"]))
        if b.get("fault") in FAULTS:
            rec["fault"] = b["fault"]
            return fault_answer(self, b["fault"])
        code, data, ctype, hdrs = behaviour_answer(b, res, n)
        return self.send_json(code, None, ctype, hdrs, data)

    def handle_any(self):
        rec = {"t_start": time.time(), "method": self.command,
               "path": self.path, "http_version": self.request_version,
               "user_project": self.headers.get("X-Goog-User-Project"),
               "auth": self.auth(self.server.state.current()),
               "body": None, "status": None, "resource": None,
               "fault": None}
        raw = self.read_body()
        if self.server.delay:   # --delay-ms: a far-away region
            time.sleep(self.server.delay)
        if raw is not None:
            rec["body"] = raw.decode("utf-8", "replace")[:4096]
            try:
                rec["status"] = self.answer(rec, raw)
            except (BrokenPipeError, ConnectionError, ssl.SSLError):
                self.close_connection = True
        else:
            rec["status"] = self.send_json(404, status_body(
                404, "Requested entity was not found."))
        rec["t_end"] = time.time()
        self.server.state.log(rec)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = \
        handle_any


class Server(fakecommon.Server):
    request_queue_size = 128  # ten requests at once must not overflow 5

    def verify_request(self, request, client_address):
        # The server-level "refuse": closed before TLS, unanswered.
        return self.state.current().get("fault") != "refuse"

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        print("fakegoog: %s: %s" % (type(e).__name__, e), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--scenario")
    ap.add_argument("--log")
    ap.add_argument("--delay-ms", type=int, default=0,
                    help="sleep this long before every answer")
    a = ap.parse_args()
    addr = ipaddress.ip_address(a.bind)
    if not addr.is_loopback:
        ap.error("--bind must be a loopback address")
    if bool(a.cert) != bool(a.key):
        ap.error("--cert and --key go together")
    Server.address_family = socket.AF_INET6 if addr.version == 6 \
        else socket.AF_INET
    srv = Server((a.bind, 0), Handler)
    srv.state = State(a.scenario, a.log)
    srv.delay = max(0, a.delay_ms) / 1000.0
    if a.cert:
        use_tls(srv, a.cert, a.key)
    return serve(srv, a.port_file)

if __name__ == "__main__":
    sys.exit(main())
