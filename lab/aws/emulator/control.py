"""The lab's control channel into the emulator host: a small HTTP API on a unix socket in the
lab's state directory (reachable by the lab runner without a route into the closed network).
Everything it does goes through the emulator's own AWS API, signed with the lab's credentials."""
import json
import os
import socket
import threading
import traceback
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class UnixHTTPServer(ThreadingHTTPServer):
    address_family = socket.AF_UNIX
    daemon_threads = True

    def server_bind(self):
        if os.path.exists(self.server_address):
            os.unlink(self.server_address)
        socket.socket.bind(self.socket, self.server_address)
        os.chmod(self.server_address, 0o600)
        self.server_name, self.server_port = "lab-control", 0


def jsonable(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    raise TypeError("not JSON: %r" % type(value))


class ControlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, body):
        data = json.dumps(body, default=jsonable).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        routes = self.server.routes
        route = routes.get((method, self.path.split("?", 1)[0]))
        if route is None:
            return self.send_json(404, {"error": "no route %s %s" % (method, self.path)})
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null") if length else None
        try:
            self.send_json(200, route(body))
        except Exception as e:  # the lab shows the emulator's own error, with its trace
            self.send_json(500, {"error": "%s: %s" % (type(e).__name__, e), "trace": traceback.format_exc()})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


def serve_control(path, routes):
    server = UnixHTTPServer(path, ControlHandler)
    server.routes = routes
    threading.Thread(target=server.serve_forever, name="control", daemon=True).start()
    return server
