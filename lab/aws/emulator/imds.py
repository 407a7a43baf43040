"""An IMDSv2 endpoint for the lab VM, at 169.254.169.254:80 as on EC2: a session token from
PUT /latest/api/token (TTL header required, refused when the request came through a proxy), the
token's reply sent with the IP TTL set to the instance's hop limit (so it cannot cross a router
when the limit is 1), token-only reads when httpTokens is "required", the instance identity, and
the instance role's temporary credentials (sts:AssumeRole in the emulator, refreshed before they
expire). Every request is logged (never a secret)."""
import json
import secrets
import socket
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_TOKEN_TTL = 21600


class ImdsState:
    """What the current instance is; the lab sets it on every (re)boot."""

    def __init__(self, assume_role, log_path):
        self.assume_role = assume_role  # (role_name, session_name) -> credentials dict
        self.log_path = log_path
        self.lock = threading.Lock()
        self.instance = None
        self.tokens = {}
        self.credentials = None

    def configure(self, instance):
        with self.lock:
            self.instance = instance
            self.tokens = {}
            self.credentials = None

    def role_credentials(self):
        with self.lock:
            creds = self.credentials
            if creds is None or creds["expires"] - time.time() < 600:
                creds = self.assume_role(self.instance["roleName"], self.instance["instanceId"])
                self.credentials = creds
            return creds

    def log(self, entry):
        with self.lock, open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")


def iso(ts):
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ImdsHandler(BaseHTTPRequestHandler):
    server_version = "EC2ws"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    @property
    def state(self):
        return self.server.state

    def log_message(self, fmt, *args):  # the JSON log below replaces stderr lines
        pass

    def reply(self, status, body="", content_type="text/plain", note=None):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        entry = {"time": round(time.time(), 3), "source": self.client_address[0], "method": self.command,
                 "path": self.path, "status": status, "token": bool(self.headers.get("X-aws-ec2-metadata-token"))}
        if note:
            entry.update(note)
        self.state.log(entry)

    def do_PUT(self):
        instance = self.state.instance
        if self.path != "/latest/api/token" or instance is None:
            return self.reply(404, "Not Found")
        if self.headers.get("X-Forwarded-For"):
            return self.reply(403, "Forbidden")  # EC2 refuses tokens to proxied requests
        try:
            ttl = int(self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", ""))
        except ValueError:
            ttl = 0
        if not 1 <= ttl <= MAX_TOKEN_TTL:
            return self.reply(400, "Bad Request")
        token = secrets.token_urlsafe(40)
        with self.state.lock:
            self.state.tokens[token] = time.time() + ttl
        hop_limit = int(instance.get("hopLimit", 1))
        self.connection.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, hop_limit)
        self.reply(200, token, note={"hopLimit": hop_limit})

    def token_ok(self):
        token = self.headers.get("X-aws-ec2-metadata-token")
        if token is None:
            return self.state.instance.get("httpTokens") != "required"
        expires = self.state.tokens.get(token)
        return expires is not None and expires > time.time()

    def do_GET(self):
        instance = self.state.instance
        if instance is None:
            return self.reply(404, "Not Found")
        if not self.token_ok():
            return self.reply(401, "Unauthorized")
        role = instance["roleName"]
        identity = {
            "accountId": instance["accountId"], "architecture": instance.get("architecture", "x86_64"),
            "availabilityZone": instance["region"] + "a", "imageId": instance.get("imageId", "ami-lab"),
            "instanceId": instance["instanceId"], "instanceType": instance.get("instanceType", "t4g.small"),
            "privateIp": instance.get("privateIp", ""), "region": instance["region"], "version": "2017-09-30",
            "pendingTime": instance.get("pendingTime", iso(time.time())),
        }
        simple = {
            "/latest/meta-data/instance-id": instance["instanceId"],
            "/latest/meta-data/instance-type": identity["instanceType"],
            "/latest/meta-data/ami-id": identity["imageId"],
            "/latest/meta-data/local-ipv4": identity["privateIp"],
            "/latest/meta-data/placement/region": instance["region"],
            "/latest/meta-data/placement/availability-zone": identity["availabilityZone"],
            "/latest/meta-data/iam/security-credentials/": role,
            "/latest/meta-data/iam/security-credentials": role,
        }
        path = self.path.split("?", 1)[0]
        if path in simple:
            return self.reply(200, simple[path])
        if path in ("/latest/meta-data", "/latest/meta-data/"):
            return self.reply(200, "ami-id\niam/\ninstance-id\ninstance-type\nlocal-ipv4\nplacement/")
        if path == "/latest/dynamic/instance-identity/document":
            return self.reply(200, json.dumps(identity, indent=2), "application/json")
        if path == "/latest/meta-data/iam/info":
            return self.reply(200, json.dumps({"Code": "Success", "LastUpdated": iso(time.time()),
                                               "InstanceProfileArn": instance["instanceProfileArn"],
                                               "InstanceProfileId": instance.get("instanceProfileId", "AIPALAB")}), "application/json")
        if path == "/latest/meta-data/iam/security-credentials/" + role:
            creds = self.state.role_credentials()
            body = {"Code": "Success", "LastUpdated": iso(creds["issued"]), "Type": "AWS-HMAC",
                    "AccessKeyId": creds["AccessKeyId"], "SecretAccessKey": creds["SecretAccessKey"],
                    "Token": creds["SessionToken"], "Expiration": iso(creds["expires"])}
            return self.reply(200, json.dumps(body, indent=2), "application/json",
                              note={"credentials": creds["AccessKeyId"], "role": role})
        return self.reply(404, "Not Found")


def serve_imds(state, address, port=80):
    server = ThreadingHTTPServer((address, port), ImdsHandler)
    server.daemon_threads = True
    server.state = state
    threading.Thread(target=server.serve_forever, name="imds", daemon=True).start()
    return server
