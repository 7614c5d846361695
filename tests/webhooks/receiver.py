"""A webhook receiver for tests/webhooks.rs: verifies every delivery with the standardwebhooks
package and logs one JSON line per request to LOG.

Usage: receiver.py LOG SECRETS. Prints "PORT <n>" once listening on 127.0.0.1. SECRETS is a
JSON file {path: secret} the test writes after creating each endpoint (read on every request).
Answers: a path starting /gone -> 410; /down -> 503 always; otherwise 500 to the first
delivery of a webhook-id, then 200.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

LOG, SECRETS = sys.argv[1], sys.argv[2]
seen = set()
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        msg_id = headers.get("webhook-id")
        try:
            with open(SECRETS) as f:
                secret = json.load(f).get(self.path)
        except FileNotFoundError:
            secret = None
        verified, error = False, None
        try:
            if secret is None:
                raise ValueError("no secret for " + self.path)
            Webhook(secret).verify(body, headers)
            verified = True
        except Exception as e:  # noqa: BLE001 - any failure is logged, not raised
            error = repr(e)
        with lock:
            if self.path.startswith("/gone"):
                status = 410
            elif self.path.startswith("/down"):
                status = 503
            elif msg_id in seen:
                status = 200
            else:
                seen.add(msg_id)
                status = 500
            with open(LOG, "a") as f:
                f.write(json.dumps({
                    "path": self.path, "id": msg_id, "verified": verified, "error": error,
                    "answered": status, "timestamp": headers.get("webhook-timestamp"),
                    "body": json.loads(body or b"null"),
                }) + "\n")
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
