"""The emulator's request log: one JSON line per AWS API call a lab client made, written by a
WSGI middleware in front of moto. It records who called (the access key id and whether a
session token came with it), what (service, action and the parameters IAM judges: parameter
path or names, hosted zone and the record changes, metric namespace), and the outcome. Secret
values never appear: for SSM only the names and types of returned parameters are kept."""
import io
import json
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

ROUTE53_NS = "{https://route53.amazonaws.com/doc/2013-04-01/}"


def credential_scope(headers):
    """(access key id, region, service) from a SigV4 Authorization header, or Nones."""
    auth = headers.get("Authorization", "")
    marker = "Credential="
    if marker not in auth:
        return None, None, None
    scope = auth.split(marker, 1)[1].split(",", 1)[0].split("/")
    if len(scope) < 4:
        return None, None, None
    return scope[0], scope[2], scope[3]


def route53_action(method, path):
    """Route53 is REST: the action follows from the method and the path."""
    parts = [p for p in path.split("/") if p][1:]  # drop the API version
    if parts == ["hostedzone"]:
        return "ListHostedZones" if method == "GET" else "CreateHostedZone"
    if parts == ["hostedzonesbyname"]:
        return "ListHostedZonesByName"
    if len(parts) == 2 and parts[0] == "hostedzone":
        return "GetHostedZone" if method == "GET" else "DeleteHostedZone"
    if len(parts) == 3 and parts[0] == "hostedzone" and parts[2] == "rrset":
        return "ListResourceRecordSets" if method == "GET" else "ChangeResourceRecordSets"
    if len(parts) == 2 and parts[0] == "change":
        return "GetChange"
    return "Unknown:%s %s" % (method, path)


def route53_changes(body):
    """The (action, name, type) of each change in a ChangeResourceRecordSets body."""
    root = ET.fromstring(body)
    out = []
    for change in root.iter(ROUTE53_NS + "Change"):
        rrset = change.find(ROUTE53_NS + "ResourceRecordSet")
        out.append({
            "action": change.findtext(ROUTE53_NS + "Action"),
            "name": rrset.findtext(ROUTE53_NS + "Name"),
            "type": rrset.findtext(ROUTE53_NS + "Type"),
        })
    return out


def describe(service, method, path, headers, body):
    """The action and the request parameters IAM's resources and condition keys are made of."""
    if service == "route53":
        action = route53_action(method, path)
        params = {}
        parts = [p for p in path.split("/") if p]
        if action in ("ChangeResourceRecordSets", "ListResourceRecordSets", "GetHostedZone"):
            params["hostedZoneId"] = parts[2]
        if action == "GetChange":
            params["changeId"] = parts[2]
        if action == "ChangeResourceRecordSets":
            params["changes"] = route53_changes(body)
        return action, params
    target = headers.get("X-Amz-Target")
    if target:  # JSON protocol (SSM, KMS)
        action = target.split(".")[-1]
        data = json.loads(body or b"{}")
        keep = ("Path", "Recursive", "WithDecryption", "Name", "Names", "KeyId", "NextToken")
        return action, {k: data[k] for k in keep if k in data}
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))  # query protocol (CloudWatch, STS)
    action = (form.get("Action") or ["Unknown"])[0]
    params = {}
    if "Namespace" in form:
        params["Namespace"] = form["Namespace"][0]
    metrics = {}
    for key, values in form.items():
        # MetricData.member.N.MetricName / .Dimensions.member.M.Name|Value
        bits = key.split(".")
        if len(bits) >= 4 and bits[0] == "MetricData" and bits[1] == "member":
            m = metrics.setdefault(bits[2], {"dimensions": {}})
            if bits[3] == "MetricName":
                m["name"] = values[0]
            elif bits[3] == "Dimensions" and len(bits) == 7:
                m["dimensions"].setdefault(bits[5], {})[bits[6]] = values[0]
    if metrics:
        params["metrics"] = [
            {"name": m.get("name"), "dimensions": {d["Name"]: d["Value"] for d in m["dimensions"].values() if "Name" in d}}
            for _, m in sorted(metrics.items(), key=lambda kv: int(kv[0]))
        ]
    return action, params


def returned_parameters(action, status, payload):
    if not action.startswith("GetParameter") or status != 200:
        return None
    data = json.loads(payload or b"{}")
    found = data.get("Parameters") or ([data["Parameter"]] if "Parameter" in data else [])
    return [{"name": p["Name"], "type": p["Type"]} for p in found]


class RequestLog:
    """WSGI middleware: log the call, pass it to moto unchanged, run after-hooks on success."""

    def __init__(self, app, path, after=None):
        self.app = app
        self.path = path
        self.after = after or (lambda entry: None)
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["Authorization"] = environ.get("HTTP_AUTHORIZATION", "")
        headers["X-Amz-Target"] = environ.get("HTTP_X_AMZ_TARGET", "")
        captured = {}

        def capture(status, response_headers, exc_info=None):
            captured["status"] = int(status.split(" ", 1)[0])
            return start_response(status, response_headers, exc_info)

        payload = b"".join(self.app(environ, capture))
        key, region, service = credential_scope(headers)
        try:
            action, params = describe(service, environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), headers, body)
        except (ValueError, ET.ParseError) as e:
            action, params = "Unparsed", {"error": str(e)}
        entry = {
            "time": round(time.time(), 3),
            "source": environ.get("REMOTE_ADDR"),
            "host": environ.get("HTTP_HOST"),
            "service": service,
            "region": region,
            "accessKeyId": key,
            "sessionToken": bool(environ.get("HTTP_X_AMZ_SECURITY_TOKEN")),
            "action": action,
            "params": params,
            "status": captured.get("status", 0),
        }
        returned = returned_parameters(action, entry["status"], payload) if service == "ssm" else None
        if returned is not None:
            entry["returned"] = returned
        if entry["status"] >= 400:
            entry["error"] = payload[:300].decode("utf-8", "replace")
        if entry["status"] < 400:
            self.after(entry)
        with self.lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")
        return [payload]
