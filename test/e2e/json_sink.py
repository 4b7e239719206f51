"""A recording HTTP backend for end-to-end tests: answers 200 to every POST and appends one JSON
line per request to stdout: {"path", "headers", "body"} (body decoded as text when it is JSON,
gunzipped first when Content-Encoding is gzip). Usage: python3 json_sink.py PORT"""
import gzip
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
        else:
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding", "") == "gzip":
            data = gzip.decompress(data)
        return data

    def do_POST(self):
        body = self.read_body()
        ctype = self.headers.get("Content-Type", "")
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                  "body": body.decode("utf-8", "replace") if "json" in ctype else None, "len": len(body)}
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
        out = b"{}" if "json" in ctype else b""
        self.send_response(200)
        self.send_header("Content-Type", ctype or "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
