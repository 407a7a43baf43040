"""mflab-aws: the lab's AWS, one process on the lab host `aws`, from Debian 13's python3-moto.

  - the AWS endpoints the server calls (SSM, KMS, Route53, CloudWatch, STS) over HTTPS on the
    host's lab address, by their real names (the lab DNS points them here), every call logged;
  - the same emulator on 127.0.0.1 for the lab's own calls (not logged as the server's);
  - IMDSv2 at 169.254.169.254 handing out the instance role's credentials;
  - a control socket the lab runner drives (load the stack, set the instance, read the state).
Moto enforces IAM (signatures, session tokens, allowed actions) once the stack is loaded."""
import argparse
import json
import os
import signal
import sys
import threading
import time
from datetime import datetime, timezone

import boto3
from botocore.config import Config
from moto import settings as moto_settings
from moto.core.responses import ActionAuthenticatorMixin
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from apply import action_level, apply_plan, put_alarms  # noqa: E402
from change import apply_change  # noqa: E402
from control import serve_control  # noqa: E402
from imds import ImdsState, serve_imds  # noqa: E402
from request_log import RequestLog  # noqa: E402
from zone_export import ZoneExporter  # noqa: E402

SERVICES = ("kms", "ssm", "route53", "iam", "cloudwatch", "sts")


def fix_get_signatures():
    """Moto 5.1.1 checks a GET's signature over a body made of the request's headers when the
    service is REST (Route53), so every signed Route53 read fails with SignatureDoesNotMatch.
    A GET has no body: check it over the empty one, as AWS does."""
    from moto.iam import access_control

    original = access_control.IAMRequestBase._create_aws_request

    def create_aws_request(self):
        if self._method in ("GET", "HEAD", "DELETE"):
            self._data = {}
            self._body = b""
        return original(self)

    access_control.IAMRequestBase._create_aws_request = create_aws_request


def serve(server, name):
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--address", required=True, help="the lab host's address: HTTPS endpoints on 443")
    ap.add_argument("--tls-cert", required=True)
    ap.add_argument("--tls-key", required=True)
    ap.add_argument("--imds-address", default="169.254.169.254")
    ap.add_argument("--internal-port", type=int, default=5000)
    ap.add_argument("--control", required=True, help="unix socket of the control API")
    ap.add_argument("--state-dir", required=True, help="request logs go here")
    ap.add_argument("--zones-dir", required=True)
    ap.add_argument("--nsd-pid-file", required=True)
    ap.add_argument("--nameserver", required=True)
    ap.add_argument("--zone-signing-key", required=True, help="PEM key every exported zone is DNSSEC-signed with")
    ap.add_argument("--region", required=True)
    args = ap.parse_args()

    fix_get_signatures()
    app = DomainDispatcherApplication(create_backend_app)
    internal = make_server("127.0.0.1", args.internal_port, app, threaded=True)
    serve(internal, "internal")
    endpoint = "http://127.0.0.1:%d" % args.internal_port

    def client(service, key, secret, region=args.region):
        return boto3.client(service, region_name=region, endpoint_url=endpoint, aws_access_key_id=key,
                            aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))

    # The lab's own identity, made while moto still takes every call; then IAM is enforced.
    bootstrap = client("iam", "AKIALABBOOTSTRAP0000", "bootstrap")
    bootstrap.create_user(UserName="mflab-lab")
    bootstrap.put_user_policy(UserName="mflab-lab", PolicyName="lab-admin",
                              PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = bootstrap.create_access_key(UserName="mflab-lab")["AccessKey"]
    moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    lab = {s: client(s, key["AccessKeyId"], key["SecretAccessKey"], "us-east-1" if s in ("route53", "iam") else args.region) for s in SERVICES}
    account = lab["sts"].get_caller_identity()["Account"]

    exporter = ZoneExporter(lab["route53"], args.zones_dir, args.nsd_pid_file, args.nameserver, args.zone_signing_key)

    def after_call(entry):
        if entry["service"] == "route53" and entry["action"] == "ChangeResourceRecordSets":
            exporter.export()

    log_path = os.path.join(args.state_dir, "requests.jsonl")
    tls = make_server(args.address, 443, RequestLog(app, log_path, after_call), threaded=True,
                      ssl_context=(args.tls_cert, args.tls_key))
    serve(tls, "endpoints")

    def assume_role(role_name, session_name):
        c = lab["sts"].assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (account, role_name),
                                   RoleSessionName=session_name, DurationSeconds=3600)["Credentials"]
        return {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"], "SessionToken": c["SessionToken"],
                "issued": time.time(), "expires": c["Expiration"].timestamp()}

    imds = ImdsState(assume_role, os.path.join(args.state_dir, "imds.jsonl"))
    serve_imds(imds, args.imds_address)
    stack = {"plan": None, "applied": None}

    def do_apply(plan):
        stack["plan"] = plan
        stack["applied"] = apply_plan(plan, lab)
        return stack["applied"]

    def do_instance(body):
        plan = stack["plan"]
        role = next(p["role"] for p in plan["instanceProfiles"] if p["name"] == plan["instance"]["profile"])
        profile_arn = "arn:aws:iam::%s:instance-profile/%s" % (account, plan["instance"]["profile"])
        imds.configure({**plan["instance"], **body, "roleName": role, "accountId": account, "region": args.region,
                        "instanceProfileArn": profile_arn})
        put_alarms(lab["cloudwatch"], plan["alarms"], plan["instance"]["ref"], body["instanceId"])
        return {"roleName": role, "alarms": len(plan["alarms"])}

    def ec2_status(body):
        # The lab plays EC2 here: it publishes the status checks EC2 measures from outside the OS.
        dims = [{"Name": "InstanceId", "Value": body["instanceId"]}]
        lab["cloudwatch"].put_metric_data(Namespace="AWS/EC2", MetricData=[
            {"MetricName": "StatusCheckFailed_System", "Dimensions": dims, "Value": body["system"]},
            {"MetricName": "StatusCheckFailed_Instance", "Dimensions": dims, "Value": body["instance"]},
            {"MetricName": "StatusCheckFailed", "Dimensions": dims, "Value": max(body["system"], body["instance"])}])
        return {"ok": True}

    def list_metrics(_):
        out = []
        for page in lab["cloudwatch"].get_paginator("list_metrics").paginate():
            out.extend(page["Metrics"])
        return out

    def statistics(body):
        # CloudWatch cuts a statistic's periods on period boundaries; moto cuts them from the
        # first datapoint it finds (moto/cloudwatch/models.py, get_metric_statistics), so a
        # "5-minute" bucket could start at 12:34:07 and hold minutes of two periods. Asked one
        # period at a time, each bucket holds exactly that period's datapoints, and is stamped
        # with the period's start, as CloudWatch stamps it.
        period = int(body["period"])
        end = int(body["end"]) // period * period
        start = end - int(body["seconds"]) // period * period
        dims = [{"Name": k, "Value": v} for k, v in sorted(body["dimensions"].items())]
        out = []
        for t in range(start, end, period):
            r = lab["cloudwatch"].get_metric_statistics(
                Namespace=body["namespace"], MetricName=body["metricName"], Dimensions=dims,
                StartTime=datetime.fromtimestamp(t, timezone.utc), EndTime=datetime.fromtimestamp(t + period, timezone.utc),
                Period=period, Statistics=[body["statistic"]])
            out.extend({"time": t, "value": p[body["statistic"]]} for p in r["Datapoints"])
        return out

    def make_role(body):
        # A negative control's role: like the instance role, with documents the control mutated.
        lab["iam"].create_role(RoleName=body["name"], AssumeRolePolicyDocument=body["assumeRolePolicy"])
        for n, doc in enumerate(body["documents"]):
            lab["iam"].put_role_policy(RoleName=body["name"], PolicyName="moto-action-level-%d" % (n + 1),
                                       PolicyDocument=json.dumps(action_level(doc)))
        return {"roleName": body["name"]}

    def put_metric(body):
        lab["cloudwatch"].put_metric_data(Namespace=body["namespace"], MetricData=[
            {"MetricName": m["metricName"], "Value": m["value"], "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(m["dimensions"].items())]}
            for m in body["metrics"]])
        return {"ok": True}

    def records(_):
        return {z["Name"]: exporter.rrsets(z["Id"]) for z in exporter.zones()}

    routes = {
        ("GET", "/health"): lambda _: {"ok": True, "account": account},
        ("POST", "/apply"): do_apply,
        ("POST", "/change"): lambda change: apply_change(change, lab, stack["applied"], exporter),
        ("POST", "/export"): lambda _: exporter.export(),
        ("POST", "/instance"): do_instance,
        ("POST", "/ec2-status"): ec2_status,
        ("GET", "/metrics"): list_metrics,
        ("POST", "/statistics"): statistics,
        ("GET", "/records"): records,
        ("POST", "/assume"): lambda body: assume_role(body["roleName"], body["sessionName"]),
        ("POST", "/role"): make_role,
        ("POST", "/put-metric"): put_metric,
    }
    serve_control(args.control, routes)
    print("mflab-aws: endpoints https://%s:443, IMDS http://%s, control %s, account %s" % (args.address, args.imds_address, args.control, account), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
