#!/usr/bin/env python3
"""fakestatus.py - a loopback HTTP server with canned answers by path.

    python3 tests/fake/fakestatus.py --port-file F --answers A.json

Standard library only, plain HTTP on 127.0.0.1 (an ephemeral port, written
to --port-file once it listens).  For each request (any method) the
answers file (JSON, re-read on every request) is searched for the longest
key that the request path starts with:
  {"/v2/projects/p/locations/r/services/": {"status": 403,
      "reason": "SERVICE_DISABLED", "service": "run.googleapis.com",
      "message": "...", "delay": 0}}
"reason" adds a google.rpc.ErrorInfo with metadata.service; "body" (any
JSON) replaces the generated google.rpc.Status body.  No key matches: 404.
Every request is logged to stderr as "METHOD PATH STATUS".
"""

import argparse
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        answers = json.load(open(self.server.answers_file))
        keys = [k for k in answers if self.path.startswith(k)]
        if not keys:
            a = {"status": 404, "message": "fakestatus: no answer"}
        else:
            a = answers[max(keys, key=len)]
        if a.get("delay"):
            time.sleep(float(a["delay"]))
        code = int(a.get("status", 200))
        body = a.get("body")
        if body is None:
            err = {"code": code, "message": a.get("message", "HTTP %d" % code),
                   "status": a.get("status_name", "ERROR")}
            if a.get("reason"):
                err["details"] = [{
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": a["reason"], "domain": "googleapis.com",
                    "metadata": {"service": a.get("service", "")}}]
            body = {"error": err}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        sys.stderr.write("%s %s %d\n" % (self.command, self.path, code))
        sys.stderr.flush()

    do_GET = do_POST = do_HEAD = answer

    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--answers", required=True)
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.answers_file = args.answers
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
