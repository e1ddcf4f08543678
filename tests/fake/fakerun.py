#!/usr/bin/env python3
"""fakerun.py - a loopback fake of the Cloud Run Admin API, and an HTTP proxy.

    python3 tests/fake/fakerun.py --port-file F --log L.jsonl
        [--project-number N] [--seed FILE] [--ready-after N] [--token T]

Standard library only.  Listens on 127.0.0.1 (an ephemeral port, written to
--port-file once it listens) and plays two roles on the same port:

* The Cloud Run Admin API, reached either directly (origin-form requests,
  api_endpoint_overrides/run = http://127.0.0.1:PORT/) or through the proxy
  role below (absolute-form requests for http://run.localhost:PORT/ and the
  regional hosts gcloud derives from it, http://REGION-run.localhost:PORT/).
  It speaks the real REST shapes:
    v1 (Knative serving, what `gcloud run deploy` uses):
      GET/PUT/DELETE /apis/serving.knative.dev/v1/namespaces/NS/services/NAME
      POST/GET       /apis/serving.knative.dev/v1/namespaces/NS/services
      GET            /apis/serving.knative.dev/v1/namespaces/NS/revisions/NAME
      GET/PUT/DELETE /apis/run.googleapis.com/v1/namespaces/NS/jobs/NAME
      POST/GET       /apis/run.googleapis.com/v1/namespaces/NS/jobs
      and the /v1/projects/P/locations/R/services[/NAME] forms.
    v2 (read only):
      GET /v2/projects/P/locations/R/services/NAME
      GET /v2/projects/P/locations/R/jobs/NAME
  Errors are google.rpc.Status: {"error": {"code", "message", "status"}}.
  The region of a v1 request comes from the REGION-run.localhost host; a
  request to the global host (or direct) takes the
  cloud.googleapis.com/location label, else us-central1.

* An HTTP proxy (gcloud's proxy/type=http, proxy/address, proxy/port):
  absolute-form http:// requests for *.localhost hosts (or loopback on this
  port) are answered as above; absolute-form http:// requests for another
  loopback port are relayed there; CONNECT tunnels go ONLY to loopback
  targets (127.0.0.0/8, ::1, localhost).  Any other target is refused with
  403 and logged - nothing leaves the machine.

Every request is logged as one JSON line in --log:
  {"time", "via": "direct"|"proxy"|"connect", "method", "url", "host",
   "path", "query", "region", "body", "auth", "status"}
"url" is the absolute URL (or the CONNECT target), "body" the parsed JSON
body (or the text, or null), "auth" whether an Authorization: Bearer header
came (and matched --token when one is given).  The token is never logged.

Seed file (--seed): {"services": [SEED...], "jobs": [SEED...]} with
  SEED = {"project": "p", "region": "us-central1", "name": "svc",
          "image": "IMG"} or, instead of "image",
          "containers": [{"name": "c1", "image": "IMG", "ports": [...]}, ...];
  optional "v2_error": CODE makes the v2 GET of it answer that error (a
  google.rpc.Status, e.g. 403 PERMISSION_DENIED) while v1 still sees it.

--ready-after N: a created/replaced service becomes Ready on the N+1-th GET
(default 0: the create answer is in progress, the first GET is Ready).
--fail-create CODE: answer every create/replace with that HTTP error (e.g.
403 PERMISSION_DENIED), to play a server-side refusal.

Exits 0 on SIGTERM or SIGINT.
"""

import argparse
import base64
import datetime
import ipaddress
import json
import re
import select
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler

import fakecommon
from fakecommon import JsonLog, serve
from urllib.parse import parse_qs, urlsplit

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "ALREADY_EXISTS",
    411: "INVALID_ARGUMENT",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
}
MAX_BODY = 8 << 20
LOC_LABEL = "cloud.googleapis.com/location"
DEFAULT_REGION = "us-central1"


class ApiError(Exception):
    def __init__(self, code, message, status=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def is_loopback_host(host):
    """True for 127.0.0.0/8, ::1, localhost and *.localhost (RFC 6761).
    Decided on the text alone: never resolves a name."""
    h = host.strip("[]").lower().rstrip(".")
    if h == "localhost" or h.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def loopback_addr(host):
    """The address to connect to for a loopback host, without DNS."""
    h = host.strip("[]").lower().rstrip(".")
    try:
        ipaddress.ip_address(h)
        return h
    except ValueError:
        return "127.0.0.1"


def split_hostport(s, default_port):
    """'h:p', '[v6]:p', 'h' -> (host, port) or raise ValueError."""
    s = s.strip()
    if s.startswith("["):
        end = s.index("]")
        host, rest = s[1:end], s[end + 1:]
        port = int(rest[1:]) if rest.startswith(":") else default_port
    elif s.count(":") == 1:
        host, p = s.split(":")
        port = int(p)
    elif ":" in s:  # bare IPv6
        host, port = s, default_port
    else:
        host, port = s, default_port
    if not host or not 0 < port < 65536:
        raise ValueError("bad host:port")
    return host, port


# --------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------

class Store:
    """Services and jobs, keyed by (project-or-number, region, name)."""

    def __init__(self, project_number, ready_after):
        self.lock = threading.Lock()
        self.project_number = project_number
        self.ready_after = ready_after
        self.services = {}  # key -> record
        self.jobs = {}
        self.policies = {}
        self.denied_run_permissions = set()

    def same_project(self, a, b):
        if a == b:
            return True
        n = self.project_number
        # With a project number configured, the number stands for any id.
        return bool(n) and (a == n or b == n)

    def find(self, table, project, region, name):
        for (p, r, n), rec in table.items():
            if n == name and self.same_project(p, project) and (
                    region is None or r == region):
                return (p, r, n), rec
        return None, None


def container_list(spec):
    cs = spec.get("containers") if isinstance(spec, dict) else None
    return cs if isinstance(cs, list) else []


def v1_service_from_seed(seed, number):
    containers = seed.get("containers") or [{"image": seed.get("image", "")}]
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {
            "name": seed["name"],
            "labels": {LOC_LABEL: seed.get("region", DEFAULT_REGION)},
            "annotations": {},
        },
        "spec": {"template": {"metadata": {"annotations": {}},
                              "spec": {"containers": containers}}},
    }


def v1_job_from_seed(seed, number):
    containers = seed.get("containers") or [{"image": seed.get("image", "")}]
    return {
        "apiVersion": "run.googleapis.com/v1",
        "kind": "Job",
        "metadata": {
            "name": seed["name"],
            "labels": {LOC_LABEL: seed.get("region", DEFAULT_REGION)},
            "annotations": {},
        },
        "spec": {"template": {
            "metadata": {"annotations": {}},
            "spec": {"taskCount": 1, "template": {"spec": {
                "containers": containers, "maxRetries": 3}}}}},
    }


# --------------------------------------------------------------------------
# The HTTP handler
# --------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakerun/1"
    timeout = 60
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    # -- logging ----------------------------------------------------------
    def log_json(self, **kw):
        rec = {"time": now_rfc3339()}
        rec.update(kw)
        self.server.log.write(rec)

    # -- responses ---------------------------------------------------------
    def send_json(self, code, obj, extra_headers=()):
        data = (json.dumps(obj, indent=2) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(data)
        return code

    def send_error_status(self, code, message, status=None):
        return self.send_json(code, {"error": {
            "code": code, "message": message,
            "status": status or STATUS_NAMES.get(code, "UNKNOWN")}})

    # -- request body ------------------------------------------------------
    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise ApiError(400, "truncated chunked body")
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ApiError(413, "request body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
            return b"".join(chunks)
        cl = self.headers.get("Content-Length")
        if cl is None:
            return b""
        try:
            n = int(cl)
        except ValueError:
            raise ApiError(400, "bad Content-Length")
        if n < 0 or n > MAX_BODY:
            raise ApiError(413, "request body too large")
        return self.rfile.read(n)

    # -- dispatch ----------------------------------------------------------
    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionError, socket.timeout, OSError):
            self.close_connection = True

    def do_CONNECT(self):
        target = self.path
        try:
            host, port = split_hostport(target, 443)
        except (ValueError, IndexError):
            self.log_json(via="connect", method="CONNECT", url=target,
                          host=None, path=None, body=None, status=400,
                          note="bad CONNECT target")
            self.send_error_status(400, "bad CONNECT target")
            self.close_connection = True
            return
        if not is_loopback_host(host):
            self.log_json(via="connect", method="CONNECT", url=target,
                          host=host, path=None, body=None, status=403,
                          note="refused: not a loopback target")
            self.send_error_status(
                403, "fakerun proxy: CONNECT to non-loopback target %s "
                "refused" % target)
            self.close_connection = True
            return
        try:
            upstream = socket.create_connection(
                (loopback_addr(host), port), timeout=10)
        except OSError as e:
            self.log_json(via="connect", method="CONNECT", url=target,
                          host=host, path=None, body=None, status=502,
                          note="connect failed: %s" % e)
            self.send_error_status(502, "fakerun proxy: cannot reach %s"
                                   % target)
            self.close_connection = True
            return
        self.log_json(via="connect", method="CONNECT", url=target, host=host,
                      path=None, body=None, status=200)
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        self.tunnel(upstream)

    def tunnel(self, upstream):
        client = self.connection
        # The client waits for our 200 before it speaks TLS, so nothing is
        # buffered yet; reading the client through rfile.read1 below keeps
        # that true (read1 drains the buffer before touching the socket).
        upstream.settimeout(None)
        client.settimeout(None)
        socks = [client, upstream]
        try:
            while True:
                r, _, x = select.select(socks, [], socks, 120)
                if x or not r:
                    break
                done = False
                for s in r:
                    if s is client:
                        # read through rfile so buffered bytes are not lost
                        data = self.rfile.read1(65536)
                        other = upstream
                    else:
                        data = s.recv(65536)
                        other = client
                    if not data:
                        done = True
                        break
                    other.sendall(data)
                if done:
                    break
        except OSError:
            pass
        finally:
            try:
                upstream.close()
            except OSError:
                pass

    def do_GET(self):
        try:
            self.dispatch()
        except (ConnectionError, socket.timeout):
            self.close_connection = True
        except Exception as e:  # bad input must never kill the fake
            self.close_connection = True
            try:
                self.log_json(via="direct", method=self.command,
                              url=self.path, host=None, path=None,
                              body=None, status=400, note="bad request: %r"
                              % (e,))
                self.send_error_status(400, "fakerun: bad request: %s" % e)
            except Exception:
                pass

    def send_error(self, code, message=None, explain=None):
        """http.server's own errors (bad request line, bad headers...) as
        google.rpc.Status JSON, logged like every other request."""
        self.close_connection = True
        try:
            self.log_json(via="direct", method=getattr(self, "command", None),
                          url=getattr(self, "path", None), host=None,
                          path=None, body=None, status=code,
                          note="rejected by the HTTP parser: %s" % message)
        except Exception:
            pass
        if not hasattr(self, "request_version"):
            self.request_version = "HTTP/1.1"
        self.send_error_status(code, message or "bad request")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def dispatch(self):
        if self.server.delay:   # --delay-ms: a far-away region
            time.sleep(self.server.delay)
        raw = self.path
        via = "direct"
        host = self.headers.get("Host", "")
        if raw.startswith(("http://", "https://", "HTTP://", "HTTPS://")):
            via = "proxy"
            u = urlsplit(raw)
            host = u.netloc
            path, query = u.path or "/", u.query
            url = raw
            scheme = u.scheme.lower()
        else:
            u = urlsplit(raw)
            path, query = u.path or "/", u.query
            url = "http://%s%s" % (host, raw)
            scheme = "http"
        body_raw = b""
        body = None
        entry = dict(via=via, method=self.command, url=url, path=path,
                     query=query)
        try:
            hostname, hport = split_hostport(host or "localhost", 80)
        except (ValueError, IndexError):
            hostname, hport = host, 80
        entry["host"] = hostname
        try:
            body_raw = self.read_body()
        except (ApiError, ValueError) as e:
            entry.update(body=None, status=400, auth=False)
            self.log_json(**entry)
            self.close_connection = True
            self.send_error_status(400, str(e))
            return
        if body_raw:
            try:
                body = json.loads(body_raw)
            except ValueError:
                body = body_raw.decode("utf-8", "replace")
        entry["body"] = body
        auth = self.headers.get("Authorization", "")
        tok = self.server.token
        entry["auth"] = auth.startswith("Bearer ") and len(auth) > 7 and (
            tok is None or auth[7:].strip() == tok)

        # Proxy role: never let anything out.
        if via == "proxy":
            own = hostname.lower().endswith(".localhost") or (
                is_loopback_host(hostname) and hport == self.server.port)
            if scheme != "http" or not is_loopback_host(hostname):
                entry.update(status=403, region=None,
                             note="refused: not a loopback target")
                self.log_json(**entry)
                self.send_error_status(
                    403, "fakerun proxy: request to non-loopback %s refused"
                    % url)
                return
            if not own:
                entry.update(region=None)
                self.relay(entry, hostname, hport, body_raw)
                return

        region = None
        m = re.match(r"^([a-z0-9-]+?)-run\.localhost$", hostname.lower())
        if m:
            region = m.group(1)
        entry["region"] = region
        try:
            if self.server.token is not None and not entry["auth"]:
                raise ApiError(
                    401, "Request had invalid authentication credentials. "
                    "Expected OAuth 2 access token, login cookie or other "
                    "valid authentication credential.")
            code, obj = self.server.api.handle(
                self.command, path, parse_qs(query), body, region)
        except ApiError as e:
            entry["status"] = e.code
            self.log_json(**entry)
            self.send_error_status(e.code, e.message, e.status)
            return
        except Exception as e:  # a bug here must not kill the fake
            entry["status"] = 500
            entry["note"] = "internal: %r" % (e,)
            self.log_json(**entry)
            self.send_error_status(500, "fakerun internal error: %r" % (e,))
            return
        entry["status"] = code
        self.log_json(**entry)
        self.send_json(code, obj)

    def relay(self, entry, host, port, body_raw):
        """Forward a plain-HTTP absolute-form request to another loopback
        port; the answer is passed back with Connection: close."""
        try:
            up = socket.create_connection((loopback_addr(host), port),
                                          timeout=30)
        except OSError as e:
            entry.update(status=502, note="relay failed: %s" % e)
            self.log_json(**entry)
            self.send_error_status(502, "fakerun proxy: cannot reach %s:%d"
                                   % (host, port))
            return
        target = entry["path"] + ("?" + entry["query"] if entry["query"]
                                  else "")
        lines = ["%s %s HTTP/1.1" % (self.command, target)]
        for k, v in self.headers.items():
            if k.lower() in ("proxy-connection", "proxy-authorization",
                             "connection", "transfer-encoding",
                             "content-length", "keep-alive"):
                continue
            lines.append("%s: %s" % (k, v))
        lines.append("Content-Length: %d" % len(body_raw))
        lines.append("Connection: close")
        try:
            up.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
                       + body_raw)
            chunks = []
            while True:
                d = up.recv(65536)
                if not d:
                    break
                chunks.append(d)
            resp = b"".join(chunks)
        except OSError as e:
            entry.update(status=502, note="relay failed: %s" % e)
            self.log_json(**entry)
            self.send_error_status(502, "fakerun proxy: relay failed")
            return
        finally:
            up.close()
        m = re.match(rb"HTTP/1\.[01] (\d{3})", resp)
        entry.update(status=int(m.group(1)) if m else 502, note="relayed")
        self.log_json(**entry)
        self.close_connection = True
        self.wfile.write(resp)


# --------------------------------------------------------------------------
# The Cloud Run Admin API
# --------------------------------------------------------------------------

V1_SVC = re.compile(
    r"^/apis/serving\.knative\.dev/v1/namespaces/([^/]+)/services(?:/([^/:]+))?$")
V1_SVC_LOC = re.compile(
    r"^/v1/projects/([^/]+)/locations/([^/]+)/services(?:/([^/:]+))?$")
V1_IAM = re.compile(
    r"^/v1/projects/([^/]+)/locations/([^/]+)/(services|jobs)/([^/:]+)"
    r":(testIamPermissions|getIamPolicy|setIamPolicy)$")
V1_REV = re.compile(
    r"^/apis/serving\.knative\.dev/v1/namespaces/([^/]+)/revisions(?:/([^/:]+))?$")
V1_JOB = re.compile(
    r"^/apis/run\.googleapis\.com/v1/namespaces/([^/]+)/jobs(?:/([^/:]+))?$")
V2_RES = re.compile(
    r"^/v2/projects/([^/]+)/locations/([^/]+)/(services|jobs)/([^/:]+)$")
NAME_RE = re.compile(r"^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$")


class Api:
    def __init__(self, store):
        self.s = store

    # helpers ---------------------------------------------------------------
    def namespace_out(self, ns):
        return self.s.project_number or ns

    def region_of(self, region, obj):
        if region:
            return region
        labels = (obj or {}).get("metadata", {}).get("labels") or {}
        return labels.get(LOC_LABEL) or DEFAULT_REGION

    def not_found(self, kind, name, region, project):
        return ApiError(404, "Resource '%s' of kind '%s' in region '%s' in "
                        "project '%s' does not exist." %
                        (name, kind, region or DEFAULT_REGION, project))

    def handle(self, method, path, query, body, region):
        m = V1_SVC.match(path)
        if m:
            return self.v1_services(method, m.group(1), region, m.group(2),
                                    query, body)
        m = V1_SVC_LOC.match(path)
        if m:
            return self.v1_services(method, m.group(1), m.group(2),
                                    m.group(3), query, body)
        m = V1_IAM.match(path)
        if m:
            return self.v1_iam(method, *m.groups(), body=body)
        m = V1_JOB.match(path)
        if m:
            return self.v1_jobs(method, m.group(1), region, m.group(2),
                                query, body)
        m = V1_REV.match(path)
        if m:
            return self.v1_revisions(method, m.group(1), region, m.group(2))
        m = V2_RES.match(path)
        if m:
            if method not in ("GET", "HEAD"):
                raise ApiError(501, "fakerun: only GET of v2 resources is "
                               "implemented")
            return self.v2_get(*m.groups())
        raise ApiError(404, "fakerun: no such API path: %s %s" %
                       (method, path))

    # v1 services -------------------------------------------------------------
    def v1_services(self, method, ns, region, name, query, body):
        s = self.s
        if name is None:
            if method == "GET":
                with s.lock:
                    items = [self.v1_service_view(k, r) for k, r in
                             s.services.items()
                             if s.same_project(k[0], ns) and
                             (region is None or k[1] == region)]
                return 200, {"apiVersion": "serving.knative.dev/v1",
                             "kind": "ServiceList", "items": items,
                             "metadata": {}}
            if method == "POST":
                return self.v1_service_write(ns, region, None, body, query,
                                             create=True)
            raise ApiError(405, "method %s not allowed" % method)
        if method in ("GET", "HEAD"):
            with s.lock:
                key, rec = s.find(s.services, ns, region, name)
                if rec is None:
                    raise self.not_found("SERVICE", name, region, ns)
                if rec["pending"] > 0:
                    rec["pending"] -= 1
                elif not rec["ready"]:
                    rec["ready"] = True
                return 200, self.v1_service_view(key, rec)
        if method == "PUT":
            return self.v1_service_write(ns, region, name, body, query,
                                         create=False)
        if method == "DELETE":
            with s.lock:
                key, rec = s.find(s.services, ns, region, name)
                if rec is None:
                    raise self.not_found("SERVICE", name, region, ns)
                del s.services[key]
            return 200, {"apiVersion": "v1", "kind": "Status",
                         "status": "Success", "details": {
                             "name": name, "kind": "services",
                             "uid": rec["uid"]}, "metadata": {}}
        raise ApiError(405, "method %s not allowed" % method)

    def validate(self, body, kind, name):
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid JSON payload received: expected a "
                           "%s object." % kind)
        md = body.get("metadata")
        if not isinstance(md, dict) or not isinstance(md.get("name"), str):
            raise ApiError(400, "metadata.name: Required.")
        if name is not None and md["name"] != name:
            raise ApiError(400, "metadata.name '%s' does not match the "
                           "resource name '%s'." % (md["name"], name))
        if not NAME_RE.match(md["name"]):
            raise ApiError(400, "metadata.name: Resource name must use only "
                           "lowercase letters, numbers and '-'. Must begin "
                           "with a letter and cannot end with a '-'. Maximum "
                           "length is 49 characters.")
        for k in ("labels", "annotations"):
            if md.get(k) is not None and not isinstance(md[k], dict):
                raise ApiError(400, "metadata.%s: expected a map." % k)
        spec = body.get("spec")
        if spec is not None and not isinstance(spec, dict):
            raise ApiError(400, "spec: expected an object.")
        if body.get("kind") not in (None, kind):
            raise ApiError(400, "kind: expected %s" % kind)

    def v1_service_write(self, ns, region, name, body, query, create):
        s = self.s
        if self.s_fail_create():
            code = self.s_fail_create()
            raise ApiError(code, "fakerun: %s refused by --fail-create" %
                           ("create" if create else "replace"))
        self.validate(body, "Service", name)
        name = body["metadata"]["name"]
        region = self.region_of(region, body)
        dry = "true" in [v.lower() for v in query.get("dryRun", [])]
        with s.lock:
            key, old = s.find(s.services, ns, region, name)
            if create and old is not None:
                raise ApiError(409, "Resource '%s' already exists." % name)
            if not create and old is None:
                raise self.not_found("SERVICE", name, region, ns)
            obj = json.loads(json.dumps(body))
            if old is None:
                rec = {"uid": str(uuid.uuid4()), "generation": 1,
                       "revisions": 0, "created": now_rfc3339(),
                       "project": ns}
                key = (ns, region, name)
            else:
                rec = dict(old)
                rec["generation"] = old["generation"] + 1
            rec["obj"] = obj
            rec["revisions"] += 1
            rec["revision"] = "%s-%05d-%s" % (
                name, rec["revisions"], uuid.uuid4().hex[:3])
            rec["ready"] = False
            rec["pending"] = s.ready_after
            view = self.v1_service_view(key, rec, in_progress=True)
            if not dry:
                s.services[key] = rec
        return 200, view

    def s_fail_create(self):
        return getattr(self.s, "fail_create", 0)

    def service_url(self, name, region):
        return "https://%s-%s.%s.run.app" % (
            name, self.s.project_number or "fakerun", region)

    def v1_service_view(self, key, rec, in_progress=False):
        ns, region, name = key
        obj = json.loads(json.dumps(rec["obj"]))
        md = obj.setdefault("metadata", {})
        md["name"] = name
        md["namespace"] = self.namespace_out(ns)
        md["uid"] = rec["uid"]
        md["generation"] = rec["generation"]
        md["resourceVersion"] = base64.b64encode(
            ("%s/%d" % (rec["uid"], rec["generation"])).encode()).decode()
        md["creationTimestamp"] = rec["created"]
        md["selfLink"] = "/apis/serving.knative.dev/v1/namespaces/%s/" \
            "services/%s" % (self.namespace_out(ns), name)
        labels = md.setdefault("labels", {}) or {}
        md["labels"] = labels
        labels[LOC_LABEL] = region
        ann = md.setdefault("annotations", {}) or {}
        md["annotations"] = ann
        ann.setdefault("serving.knative.dev/creator", "fake@example.com")
        ann["serving.knative.dev/lastModifier"] = "fake@example.com"
        url = self.service_url(name, region)
        ann["run.googleapis.com/urls"] = json.dumps([url])
        obj["apiVersion"] = "serving.knative.dev/v1"
        obj["kind"] = "Service"
        ts = now_rfc3339()
        rev = rec["revision"]
        if in_progress or not rec["ready"]:
            st = "Unknown"
            conds = [{"type": t, "status": st, "lastTransitionTime": ts}
                     for t in ("Ready", "ConfigurationsReady", "RoutesReady")]
            status = {"observedGeneration": rec["generation"],
                      "conditions": conds,
                      "latestCreatedRevisionName": rev}
            if in_progress:  # what a create/replace answers: no status yet
                status = {}
        else:
            conds = [{"type": t, "status": "True", "lastTransitionTime": ts}
                     for t in ("Ready", "ConfigurationsReady", "RoutesReady")]
            status = {
                "observedGeneration": rec["generation"],
                "conditions": conds,
                "latestReadyRevisionName": rev,
                "latestCreatedRevisionName": rev,
                "traffic": [{"revisionName": rev, "percent": 100,
                             "latestRevision": True}],
                "url": url,
                "address": {"url": url},
            }
        obj["status"] = status
        return obj

    # v1 IAM (One Platform resource names) ---------------------------------
    def v1_iam(self, method, project, location, kind, name, verb, body):
        """testIamPermissions answers every permission asked for (the
        deployer acts as an owner of Cloud Run); get/setIamPolicy keep a
        policy per resource.  gcloud asks for run.services.setIamPolicy
        before it would prompt about --allow-unauthenticated."""
        s = self.s
        want = "GET" if verb == "getIamPolicy" else "POST"
        if method != want and not (verb == "getIamPolicy" and
                                   method == "POST"):
            raise ApiError(405, "method %s not allowed" % method)
        if verb == "testIamPermissions":
            perms = (body or {}).get("permissions") if isinstance(
                body, dict) else None
            if not isinstance(perms, list):
                raise ApiError(400, "permissions: Required.")
            granted = [p for p in perms if isinstance(p, str) and
                       p not in s.denied_run_permissions]
            return 200, ({"permissions": granted} if granted else {})
        key = (project, location, kind, name)
        with s.lock:
            table = s.services if kind == "services" else s.jobs
            _, rec = s.find(table, project, location, name)
            if rec is None:
                raise self.not_found(kind[:-1].upper(), name, location,
                                     project)
            if verb == "getIamPolicy":
                return 200, s.policies.get(key, {"etag": "ACAB"})
            pol = (body or {}).get("policy") if isinstance(body, dict) \
                else None
            if not isinstance(pol, dict):
                raise ApiError(400, "policy: Required.")
            pol = dict(pol)
            pol["etag"] = base64.b64encode(uuid.uuid4().bytes[:6]).decode()
            pol.setdefault("version", 1)
            s.policies[key] = pol
            return 200, pol

    # v1 revisions ------------------------------------------------------------
    def v1_revisions(self, method, ns, region, name):
        if method not in ("GET", "HEAD") or name is None:
            raise ApiError(501, "fakerun: only GET of a revision is "
                           "implemented")
        s = self.s
        with s.lock:
            for (p, r, n), rec in s.services.items():
                if rec.get("revision") == name and s.same_project(p, ns):
                    tmpl = (rec["obj"].get("spec") or {}).get("template") or {}
                    return 200, {
                        "apiVersion": "serving.knative.dev/v1",
                        "kind": "Revision",
                        "metadata": {
                            "name": name,
                            "namespace": self.namespace_out(p),
                            "generation": 1,
                            "labels": {LOC_LABEL: r,
                                       "serving.knative.dev/service": n},
                        },
                        "spec": tmpl.get("spec") or {},
                        "status": {"conditions": [{"type": "Ready",
                                                   "status": "True"}]},
                    }
        raise self.not_found("REVISION", name, region, ns)

    # v1 jobs -----------------------------------------------------------------
    def v1_jobs(self, method, ns, region, name, query, body):
        s = self.s
        if name is None:
            if method == "POST":
                return self.v1_job_write(ns, region, None, body, query, True)
            if method == "GET":
                with s.lock:
                    items = [self.v1_job_view(k, r) for k, r in s.jobs.items()
                             if s.same_project(k[0], ns)]
                return 200, {"apiVersion": "run.googleapis.com/v1",
                             "kind": "JobsList", "items": items,
                             "metadata": {}}
            raise ApiError(405, "method %s not allowed" % method)
        if method in ("GET", "HEAD"):
            with s.lock:
                key, rec = s.find(s.jobs, ns, region, name)
                if rec is None:
                    raise self.not_found("JOB", name, region, ns)
                return 200, self.v1_job_view(key, rec)
        if method == "PUT":
            return self.v1_job_write(ns, region, name, body, query, False)
        if method == "DELETE":
            with s.lock:
                key, rec = s.find(s.jobs, ns, region, name)
                if rec is None:
                    raise self.not_found("JOB", name, region, ns)
                del s.jobs[key]
            return 200, {"apiVersion": "v1", "kind": "Status",
                         "status": "Success", "metadata": {}}
        raise ApiError(405, "method %s not allowed" % method)

    def v1_job_write(self, ns, region, name, body, query, create):
        s = self.s
        if self.s_fail_create():
            raise ApiError(self.s_fail_create(),
                           "fakerun: refused by --fail-create")
        self.validate(body, "Job", name)
        name = body["metadata"]["name"]
        region = self.region_of(region, body)
        dry = "true" in [v.lower() for v in query.get("dryRun", [])]
        with s.lock:
            key, old = s.find(s.jobs, ns, region, name)
            if create and old is not None:
                raise ApiError(409, "Resource '%s' already exists." % name)
            if not create and old is None:
                raise self.not_found("JOB", name, region, ns)
            rec = {"uid": old["uid"] if old else str(uuid.uuid4()),
                   "generation": old["generation"] + 1 if old else 1,
                   "created": old["created"] if old else now_rfc3339(),
                   "obj": json.loads(json.dumps(body))}
            key = key or (ns, region, name)
            if not dry:
                s.jobs[key] = rec
            return 200, self.v1_job_view(key, rec)

    def v1_job_view(self, key, rec):
        ns, region, name = key
        obj = json.loads(json.dumps(rec["obj"]))
        md = obj.setdefault("metadata", {})
        md.update(name=name, namespace=self.namespace_out(ns),
                  uid=rec["uid"], generation=rec["generation"],
                  creationTimestamp=rec["created"])
        md["labels"] = md.get("labels") or {}
        md["labels"][LOC_LABEL] = region
        obj["apiVersion"] = "run.googleapis.com/v1"
        obj["kind"] = "Job"
        ts = now_rfc3339()
        obj["status"] = {
            "observedGeneration": rec["generation"],
            "conditions": [{"type": "Ready", "status": "True",
                            "lastTransitionTime": ts}],
        }
        return obj

    # v2 reads ----------------------------------------------------------------
    def v2_get(self, project, location, kind, name):
        s = self.s
        table = s.services if kind == "services" else s.jobs
        with s.lock:
            key, rec = s.find(table, project, location, name)
            if rec is None:
                raise ApiError(404, "Resource '%s' of kind '%s' in region "
                               "'%s' in project '%s' does not exist." %
                               (name, "SERVICE" if kind == "services"
                                else "JOB", location, project))
            rec = json.loads(json.dumps(rec))
        if rec.get("v2_error"):
            raise ApiError(rec["v2_error"], "Permission 'run.%s.get' denied "
                           "on resource '%s' (or resource may not exist)." %
                           (kind, name))
        full = "projects/%s/locations/%s/%s/%s" % (project, location, kind,
                                                   name)
        spec = rec["obj"].get("spec") or {}
        if kind == "services":
            tspec = ((spec.get("template") or {}).get("spec")) or {}
        else:
            tspec = (((((spec.get("template") or {}).get("spec") or {})
                       .get("template") or {}).get("spec")) or {})
        containers = []
        for c in container_list(tspec):
            if not isinstance(c, dict):
                continue
            out = {"image": c.get("image", "")}
            if c.get("name"):
                out["name"] = c["name"]
            if isinstance(c.get("ports"), list) and c["ports"]:
                out["ports"] = [{"containerPort": p.get("containerPort",
                                                        8080)}
                                for p in c["ports"] if isinstance(p, dict)]
            containers.append(out)
        md = rec["obj"].get("metadata") or {}
        common = {
            "name": full,
            "uid": rec["uid"],
            "generation": str(rec["generation"]),
            "labels": {k: v for k, v in (md.get("labels") or {}).items()
                       if k != LOC_LABEL},
            "createTime": rec["created"],
            "updateTime": rec["created"],
            "creator": "fake@example.com",
            "lastModifier": "fake@example.com",
            "launchStage": "GA",
            "observedGeneration": str(rec["generation"]),
            "reconciling": False,
            "etag": '"%s/%d"' % (rec["uid"][:8], rec["generation"]),
            "terminalCondition": {"type": "Ready",
                                  "state": "CONDITION_SUCCEEDED",
                                  "lastTransitionTime": rec["created"]},
        }
        if kind == "services":
            rev = "%s/revisions/%s" % (full, rec.get("revision", name))
            url = self.service_url(name, location)
            common.update({
                "template": {"containers": containers},
                "traffic": [{"type":
                             "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST",
                             "percent": 100}],
                "latestReadyRevision": rev,
                "latestCreatedRevision": rev,
                "uri": url,
                "urls": [url],
                "ingress": "INGRESS_TRAFFIC_ALL",
                "trafficStatuses": [{"type":
                                     "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST",
                                     "percent": 100}],
            })
        else:
            common.update({
                "template": {"taskCount": 1,
                             "template": {"containers": containers,
                                          "maxRetries": 3}},
                "executionCount": 0,
            })
        return 200, common


# --------------------------------------------------------------------------

class Server(fakecommon.Server):
    request_queue_size = 64


def load_seed(store, path):
    with open(path) as f:
        seed = json.load(f)
    number = store.project_number
    for kind, table, conv in (("services", store.services,
                               v1_service_from_seed),
                              ("jobs", store.jobs, v1_job_from_seed)):
        for i, item in enumerate(seed.get(kind, [])):
            project = item["project"]
            region = item.get("region", DEFAULT_REGION)
            name = item["name"]
            rec = {"uid": str(uuid.uuid4()), "generation": 1,
                   "created": now_rfc3339(), "obj": conv(item, number),
                   "project": project}
            if kind == "services":
                rec.update(revisions=1, revision="%s-00001-abc" % name,
                           ready=True, pending=0)
            if item.get("v2_error"):
                rec["v2_error"] = int(item["v2_error"])
            table[(project, region, name)] = rec


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--project-number", default=None)
    ap.add_argument("--seed", default=None)
    ap.add_argument("--ready-after", type=int, default=0)
    ap.add_argument("--token", default=None,
                    help="require this bearer token (default: any)")
    ap.add_argument("--fail-create", type=int, default=0)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay-ms", type=int, default=0,
                    help="sleep this long before every answer")
    args = ap.parse_args(argv)

    store = Store(args.project_number, max(0, args.ready_after))
    store.fail_create = args.fail_create
    if args.seed:
        load_seed(store, args.seed)

    srv = Server(("127.0.0.1", args.port), Handler)
    srv.port = srv.server_address[1]
    srv.api = Api(store)
    srv.token = args.token
    srv.delay = max(0, args.delay_ms) / 1000.0
    srv.log = JsonLog(args.log)

    try:
        return serve(srv, args.port_file, poll_interval=0.2)
    finally:
        srv.server_close()
        srv.log.f.close()


if __name__ == "__main__":
    sys.exit(main())
