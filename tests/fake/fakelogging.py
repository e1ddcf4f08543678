#!/usr/bin/env python3
"""fakelogging.py - a loopback fake of Cloud Logging's entries:list.

    python3 tests/fake/fakelogging.py --port-file F [--cert C --key K]
        [--scenario S.json] [--log L.jsonl]

Standard library only.  HTTPS with --cert/--key, plain HTTP without; it
listens on an ephemeral port of 127.0.0.1 and writes the port to
--port-file once it listens.  Exits 0 on SIGTERM or SIGINT.

It answers only POST /v2/entries:list (the REST shape of the generated
client, googlecloudsdk/generated_clients/apis/logging/v2: request
{resourceNames, filter, orderBy, pageSize, pageToken}, response {entries,
nextPageToken}); anything else is 404 NOT_FOUND.  The request is checked as
the audit must send it, and anything else is a 400 INVALID_ARGUMENT:
  - resourceNames == ["projects/" + scenario "project"] (another project:
    403 PERMISSION_DENIED);
  - filter == the notice's query with a lower bound:
    resource.type="cloud_run_revision" AND severity=ERROR AND
    "User does not have access to image" AND timestamp>="RFC3339"
  - orderBy "timestamp desc" or "timestamp asc"; 0 < pageSize <= 1000;
  - pageToken only as this fake issued it, for the same filter.
The fake then applies that filter to its entries (type, severity, phrase,
timestamp bound), orders them, and pages them honouring pageSize.

Scenario (JSON, re-read when the file changes):
  {"token": "T",         a missing or wrong bearer is 401 UNAUTHENTICATED
   "project": "p",
   "entries": [ENTRY],
   "empty_pages": n,     the first n pages have no entries but a
                         nextPageToken (the API does that when a search
                         has not finished)
   "max_page": n,        at most n entries per page, whatever pageSize
   "pad": bytes,         each entry carries the deployed service in
                         protoPayload.request, padded to about this size
   "error": {"reason": "SERVICE_DISABLED"} | {"status": 403} |
            {"status": CODE, "message": M},
   "error_page": k,      the error from the k-th request on (default 0)
   "fail_times": n, "fail_status": CODE     n failures first (503)}
ENTRY (all optional): {"principal": "alice@example.com" (null: no
  authenticationInfo.principalEmail), "image": IMAGE, "message": the whole
  status message (default: the notice's, naming IMAGE), "service": "api",
  "region": "us-central1", "age": seconds before now (default 3600),
  "severity": "ERROR", "type": "cloud_run_revision", "code": 7 (the seed
  shows 403), "method": "google.cloud.run.v1.Services.ReplaceService",
  "no_labels": true (service and region only in resourceName)}

Log (--log, JSON lines, one per request): {"method", "path", "auth":
"ok"|"missing"|"wrong", "user_project", "resourceNames", "filter",
"since", "since_age" (seconds between the bound and now), "orderBy",
"pageSize", "pageToken", "status", "returned", "next"}.  Never the token.
"""

import argparse
import base64
import datetime
import hashlib
import json
import re
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

from fakecommon import JsonLog, Scenario, Server, serve, use_tls

PHRASE = "User does not have access to image"
FILTER_RE = re.compile(
    r'^resource\.type="cloud_run_revision" AND severity=ERROR AND '
    r'"User does not have access to image" AND '
    r'timestamp>="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)"$')
NOTICE = ("Cloud Run API check failed. Requests will be rejected after "
          "January 2025 hard enforcement deadline. " + PHRASE + " %s")
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED",
                403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                503: "UNAVAILABLE"}
SERVICE = "logging.googleapis.com"
NUMBER = 123456789012


def status_body(code, message, details=None):
    err = {"code": code, "message": message,
           "status": STATUS_NAMES.get(code, "UNKNOWN")}
    if details is not None:
        err["details"] = details
    return {"error": err}


def service_disabled():
    url = ("https://console.developers.google.com/apis/api/%s/overview"
           "?project=%d" % (SERVICE, NUMBER))
    msg = ("Cloud Logging API has not been used in project %d before or it "
           "is disabled. Enable it by visiting %s then retry. If you "
           "enabled this API recently, wait a few minutes for the action "
           "to propagate to our systems and retry." % (NUMBER, url))
    return status_body(403, msg, [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
         "reason": "SERVICE_DISABLED", "domain": "googleapis.com",
         "metadata": {"consumer": "projects/%d" % NUMBER,
                      "service": SERVICE, "serviceTitle": "Cloud Logging API",
                      "activationUrl": url, "containerInfo": str(NUMBER)}},
        {"@type": "type.googleapis.com/google.rpc.LocalizedMessage",
         "locale": "en-US", "message": msg},
        {"@type": "type.googleapis.com/google.rpc.Help",
         "links": [{"description": "Google developers console API "
                    "activation", "url": url}]}])


def rfc3339(t):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(s):
    s = s.replace("Z", "+00:00")
    if "." in s:
        head, tail = s.split(".", 1)
        frac, off = tail[:tail.index("+")], tail[tail.index("+"):]
        s = head + "." + (frac + "000000")[:6] + off
    return datetime.datetime.fromisoformat(s).timestamp()


def log_entry(project, e, i, now, pad):
    image = e.get("image", "us-central1-docker.pkg.dev/%s/apps/api:1" %
                  project)
    service = e.get("service", "api")
    region = e.get("region", "us-central1")
    ts = now - float(e.get("age", 3600))
    method = e.get("method", "google.cloud.run.v1.Services.ReplaceService")
    if ".v2." in method:
        rname = "projects/%s/locations/%s/services/%s" % (project, region,
                                                          service)
    else:
        rname = "namespaces/%s/services/%s" % (project, service)
    proto = {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        "status": {"code": e.get("code", 7),
                   "message": e.get("message", NOTICE % image)},
        "authenticationInfo": {},
        "requestMetadata": {
            "callerIp": "203.0.113.%d" % (i % 250 + 1),
            "callerSuppliedUserAgent": "google-cloud-sdk gcloud/528.0.0 "
            "command/gcloud.run.deploy invocation-id/%032x" % i},
        "serviceName": "run.googleapis.com",
        "methodName": method,
        "authorizationInfo": [{"resource": rname,
                               "permission": "run.services.update",
                               "granted": True, "resourceAttributes": {}}],
        "resourceName": rname,
        "request": {"@type": "type.googleapis.com/google.cloud.run.v1."
                    "ReplaceServiceRequest", "name": rname,
                    "service": {"apiVersion": "serving.knative.dev/v1",
                                "kind": "Service",
                                "metadata": {"name": service,
                                             "annotations": {
                                                 "pad": "x" * pad}},
                                "spec": {"template": {"spec": {
                                    "containers": [{"image": image}]}}}}},
    }
    if e.get("principal", "alice@example.com") is not None:
        proto["authenticationInfo"]["principalEmail"] = \
            e.get("principal", "alice@example.com")
    labels = {"project_id": project, "service_name": service,
              "revision_name": "", "location": region,
              "configuration_name": ""}
    return {
        "protoPayload": proto,
        "insertId": "%x%04d" % (int(ts), i),
        "resource": {"type": e.get("type", "cloud_run_revision"),
                     "labels": {} if e.get("no_labels") else labels},
        "timestamp": rfc3339(ts),
        "severity": e.get("severity", "ERROR"),
        "logName": "projects/%s/logs/cloudaudit.googleapis.com%%2Factivity"
        % project,
        "receiveTimestamp": rfc3339(ts + 0.2),
    }


class State:
    def __init__(self, scenario, log):
        self.scenario = Scenario(scenario, "fakelogging", want=None)
        self.lock = threading.Lock()
        self.requests = 0
        self.logf = JsonLog(log, self.lock)

    def current(self):
        with self.lock:
            scenario, changed = self.scenario.current()
            if changed:
                self.requests = 0
            self.requests += 1
            return scenario, self.requests - 1

    def log(self, rec):
        self.logf.write(rec)


def make_token(filt, offset, empty):
    h = hashlib.sha256(filt.encode()).hexdigest()[:16]
    raw = json.dumps({"o": offset, "e": empty, "f": h}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_token(tok, filt):
    try:
        raw = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4))
        d = json.loads(raw)
        if d["f"] != hashlib.sha256(filt.encode()).hexdigest()[:16]:
            return None
        return int(d["o"]), int(d["e"])
    except (ValueError, KeyError, TypeError):
        return None


def check_request(req, scenario, rec):
    """(offset, empties so far, since) or (code, body) on a bad request."""
    names = req.get("resourceNames")
    rec["resourceNames"] = names
    filt = req.get("filter")
    rec["filter"] = filt
    rec["orderBy"] = req.get("orderBy")
    rec["pageSize"] = req.get("pageSize")
    rec["pageToken"] = req.get("pageToken")
    m = FILTER_RE.match(filt) if isinstance(filt, str) else None
    if m is None:
        return None, (400, status_body(400, "Unparseable filter: %r" %
                                       (filt,)))
    rec["since"] = m.group(1)
    since = parse_time(m.group(1))
    rec["since_age"] = round(time.time() - since, 1)
    if names != ["projects/%s" % scenario.get("project", "p")]:
        return None, (403, status_body(403, "The caller does not have "
                                       "permission"))
    size = req.get("pageSize")
    if req.get("orderBy") not in ("timestamp desc", "timestamp asc") or \
            not isinstance(size, int) or not 0 < size <= 1000:
        return None, (400, status_body(400, "Invalid orderBy or pageSize"))
    tok = req.get("pageToken")
    pos = (0, 0) if tok in (None, "") else read_token(tok, filt)
    if pos is None:
        return None, (400, status_body(400, "Invalid page token"))
    return (pos[0], pos[1], since), None


def answer_page(req, scenario, pos, rec):
    offset, empties, since = pos
    project = scenario.get("project", "p")
    now = time.time()
    pad = int(scenario.get("pad", 0))
    entries = [log_entry(project, e, i, now, pad)
               for i, e in enumerate(scenario.get("entries", []))]
    hits = [e for e in entries
            if e["resource"]["type"] == "cloud_run_revision" and
            e["severity"] == "ERROR" and
            PHRASE.lower() in e["protoPayload"]["status"]["message"].lower()
            and parse_time(e["timestamp"]) >= since]
    hits.sort(key=lambda e: (e["timestamp"], e["insertId"]),
              reverse=req["orderBy"] == "timestamp desc")
    body = {}
    if empties < int(scenario.get("empty_pages", 0)):
        body["nextPageToken"] = make_token(req["filter"], offset,
                                           empties + 1)
        rec["returned"] = 0
    else:
        n = min(req["pageSize"], int(scenario.get("max_page", 1000)))
        page = hits[offset:offset + n]
        if page:
            body["entries"] = page
        if offset + n < len(hits):
            body["nextPageToken"] = make_token(req["filter"], offset + n,
                                               empties)
        rec["returned"] = len(page)
    rec["next"] = body.get("nextPageToken")
    return 200, body


def error_answer(scenario, n):
    if n < int(scenario.get("fail_times", 0)):
        code = int(scenario.get("fail_status", 503))
        return code, status_body(code, "The service is currently "
                                 "unavailable.")
    err = scenario.get("error")
    if not err or n < int(scenario.get("error_page", 0)):
        return None
    if err.get("reason") == "SERVICE_DISABLED":
        return 403, service_disabled()
    code = int(err.get("status", 403))
    return code, status_body(code, err.get(
        "message", "The caller does not have permission"))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""
    timeout = 30

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, obj):
        data = json.dumps(obj, indent=2).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return code

    def auth(self, scenario):
        h = self.headers.get("Authorization") or ""
        if not h.lower().startswith("bearer ") or not h[7:].strip():
            return "missing"
        want = scenario.get("token")
        return "wrong" if want is not None and h[7:].strip() != want \
            else "ok"

    def answer(self, scenario, n, rec):
        if self.command != "POST" or self.path != "/v2/entries:list":
            return self.send_json(404, status_body(
                404, "Requested entity was not found."))
        if rec["auth"] != "ok":
            return self.send_json(401, status_body(
                401, "Request had invalid authentication credentials."))
        try:
            size = int(self.headers.get("Content-Length", "0"))
            req = json.loads(self.rfile.read(size).decode())
            if not isinstance(req, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            return self.send_json(400, status_body(400, "Invalid JSON"))
        pos, bad = check_request(req, scenario, rec)
        if bad is not None:
            return self.send_json(*bad)
        err = error_answer(scenario, n)
        if err is not None:
            return self.send_json(*err)
        return self.send_json(*answer_page(req, scenario, pos, rec))

    def handle_any(self):
        scenario, n = self.server.state.current()
        rec = {"method": self.command, "path": self.path,
               "auth": self.auth(scenario),
               "user_project": self.headers.get("X-Goog-User-Project"),
               "returned": None, "next": None}
        try:
            rec["status"] = self.answer(scenario, n, rec)
        except (BrokenPipeError, ConnectionError, ssl.SSLError):
            self.close_connection = True
        self.server.state.log(rec)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--log")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.state = State(a.scenario, a.log)
    if a.cert:
        use_tls(srv, a.cert, a.key)
    return serve(srv, a.port_file)

if __name__ == "__main__":
    sys.exit(main())
