# mailfort-host-files' SSM fetch, against moto's SSM (in process, no network): the stack's real
# parameter set is put as `pulumi up` would (String, standard tier; moto does not enforce the
# tier's 4096 characters, the renderer's own test does), plus what the test adds that must not be
# read. Prints one JSON object: the outcome, and every SSM call the installer made.
# argv: installer path, env file, JSON file of [{name, type, value}], and "drop:<name>" to leave
# one parameter out.
import importlib.machinery
import importlib.util
import json
import os
import sys

import boto3
from moto import mock_aws

installer, env_file, params_file = sys.argv[1:4]
drop = sys.argv[4][len("drop:"):] if len(sys.argv) > 4 else None
os.environ["MAILFORT_ENV_FILE"] = env_file
loader = importlib.machinery.SourceFileLoader("mailfort_host_files", installer)
spec = importlib.util.spec_from_loader("mailfort_host_files", loader)
mod = importlib.util.module_from_spec(spec)
loader.exec_module(mod)
mod.seed_root = lambda: None  # no lab seed: the AWS path

calls = []
real_client = boto3.client


def recording_client(*args, **kwargs):
    client = real_client(*args, **kwargs)
    client.meta.events.register("provide-client-params.ssm", lambda model, params, **_: calls.append({"op": model.name, "params": params}))
    return client


boto3.client = recording_client
out = {}
with mock_aws():
    ssm = real_client("ssm", region_name="eu-central-1")
    put_errors = []
    for p in json.load(open(params_file, encoding="utf-8")):
        if p["name"] == drop:
            continue
        try:
            ssm.put_parameter(Name=p["name"], Type=p["type"], Value=p["value"], Tier="Standard")
        except Exception as e:  # noqa: BLE001 -- reported to the test
            put_errors.append("%s: %s" % (p["name"], e))
    out["putErrors"] = put_errors
    try:
        pinned, parts, files = mod.load_bundle()
        out.update(ok=True, sha256=pinned, parts=parts, files=[f["path"] for f in files])
    except mod.Refused as e:
        out.update(ok=False, refused=str(e))
out["calls"] = [{"op": c["op"], "names": c["params"].get("Names"), "path": c["params"].get("Path")} for c in calls]
print(json.dumps(out))
