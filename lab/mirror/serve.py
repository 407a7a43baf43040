"""deb.debian.org for the lab: serves a Debian repository made of the image's own signed trixie
indexes (InRelease, Packages, Translation-en exactly as Debian published them, so apt checks
Debian's signature and every hash as it does on EC2) and the .deb files the user data's packages
need (lab/image/repo.ts). Files in pool/ are looked up by name, as apt asks for them by their
Filename; everything else is a 404. Every request is logged as one JSON line."""
import argparse
import hashlib
import json
import os
import time
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--address", required=True)
    ap.add_argument("--repo", required=True, help="directory with dists/ and debs/")
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    dists = os.path.join(args.repo, "dists")
    by_hash = {}
    for dirpath, _dirs, files in os.walk(dists):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                by_hash[hashlib.sha256(f.read()).hexdigest()] = path
    debs = os.path.join(args.repo, "debs")

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, fmt, *a):
            pass

        def resolve(self):
            path = urllib.parse.unquote(self.path.split("?", 1)[0])
            if not path.startswith("/debian/") or ".." in path.split("/"):
                return None
            rel = path[len("/debian/"):]
            if rel.startswith("pool/") and rel.endswith(".deb"):
                return os.path.join(debs, os.path.basename(rel))
            if "/by-hash/SHA256/" in rel:
                return by_hash.get(rel.rsplit("/", 1)[1])
            if rel.startswith("dists/"):
                return os.path.join(args.repo, rel)
            return None

        def send_file(self, head):
            path = self.resolve()
            status = 200 if path and os.path.isfile(path) else 404
            with open(args.log, "a", encoding="utf-8") as log:
                log.write(json.dumps({"time": round(time.time(), 3), "source": self.client_address[0], "method": self.command, "path": self.path, "status": status}) + "\n")
            if status == 404:
                self.send_error(404)
                return
            size = os.path.getsize(path)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.send_header("Last-Modified", self.date_time_string(int(os.path.getmtime(path))))
            self.end_headers()
            if not head:
                with open(path, "rb") as f:
                    while chunk := f.read(1 << 20):
                        self.wfile.write(chunk)

        def do_GET(self):
            self.send_file(False)

        def do_HEAD(self):
            self.send_file(True)

    server = ThreadingHTTPServer((args.address, 80), Handler)
    server.daemon_threads = True
    print("mflab-mirror: http://%s/debian/ from %s (%d debs)" % (args.address, args.repo, len(os.listdir(debs))), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
