# What the mail host does against the lab's AWS, run from the emulator root in the test's
# namespace: IMDSv2 (and what it refuses), then boto3 with the instance role's credentials
# against the TLS endpoint. Prints one JSON object of outcomes.
import json
import sys
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

endpoint, ca, zone_id = sys.argv[1], sys.argv[2], sys.argv[3]
IMDS = "http://169.254.169.254/latest/"
out = {}


def status(req):
    try:
        return urllib.request.urlopen(req, timeout=5).status
    except urllib.error.HTTPError as e:
        return e.code


out["tokenless_get"] = status(urllib.request.Request(IMDS + "meta-data/instance-id"))
out["put_without_ttl"] = status(urllib.request.Request(IMDS + "api/token", method="PUT"))
out["put_via_proxy"] = status(urllib.request.Request(IMDS + "api/token", method="PUT", headers={"X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "10.0.0.1"}))
token = urllib.request.urlopen(urllib.request.Request(IMDS + "api/token", method="PUT", headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"}), timeout=5).read().decode()
h = {"X-aws-ec2-metadata-token": token}
out["instance_id"] = urllib.request.urlopen(urllib.request.Request(IMDS + "meta-data/instance-id", headers=h)).read().decode()
out["identity"] = json.loads(urllib.request.urlopen(urllib.request.Request(IMDS + "dynamic/instance-identity/document", headers=h)).read())
role = urllib.request.urlopen(urllib.request.Request(IMDS + "meta-data/iam/security-credentials/", headers=h)).read().decode()
creds = json.loads(urllib.request.urlopen(urllib.request.Request(IMDS + "meta-data/iam/security-credentials/" + role, headers=h)).read())
out["role"], out["access_key"] = role, creds["AccessKeyId"]
session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["Token"])
cfg = Config(retries={"max_attempts": 1})
ssm = session.client("ssm", region_name="eu-west-1", endpoint_url=endpoint, verify=ca, config=cfg)
names = []
for page in ssm.get_paginator("get_parameters_by_path").paginate(Path="/mailfort/lab", Recursive=True, WithDecryption=True):
    names += [p["Name"] for p in page["Parameters"]]
out["parameters"] = sorted(names)
try:
    ssm.put_parameter(Name="/mailfort/lab/evil", Value="x", Type="String")
    out["put_parameter"] = "allowed"
except ssm.exceptions.ClientError as e:
    out["put_parameter"] = e.response["ResponseMetadata"]["HTTPStatusCode"]
r53 = session.client("route53", region_name="us-east-1", endpoint_url=endpoint, verify=ca, config=cfg)
r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
    "Name": "_acme-challenge.mail.mailfort.test.", "Type": "TXT", "TTL": 60, "ResourceRecords": [{"Value": '"probe-token"'}]}}]})
cw = session.client("cloudwatch", region_name="eu-west-1", endpoint_url=endpoint, verify=ca, config=cfg)
cw.put_metric_data(Namespace="mailfort", MetricData=[{"MetricName": "disk_used_percent", "Value": 12.5,
                                                      "Dimensions": [{"Name": "InstanceId", "Value": out["instance_id"]}, {"Name": "path", "Value": "/"}]}])
print(json.dumps(out))
