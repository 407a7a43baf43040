"""Load the emulator with what `pulumi up` would have created, from the lab's plan of the synth
output (lab/aws/plan.ts): the stack's KMS key and alias, the SSM parameter tree, the Route53
zones and records, the instance role with its policies, and the CloudWatch alarms. The emulator
mints its own ids (key id, zone ids); every reference to the synthesized ones is rewritten to
them, as a real deployment refers to the real ids."""
import json

from moto.iam.aws_managed_policies import aws_managed_policies_data

AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"


def aws_managed_document(arn):
    name = arn[len(AWS_MANAGED_PREFIX):].split("/")[-1]
    data = json.loads(aws_managed_policies_data)
    if name not in data:
        raise KeyError("AWS managed policy %s is unknown to the emulator's policy snapshot" % arn)
    return data[name]["Document"]


# Moto names an action by the request's signing name: CloudWatch's is "monitoring".
SIGNING_NAMES = {"cloudwatch": "monitoring"}


def moto_actions(actions):
    actions = [actions] if isinstance(actions, str) else actions
    out = list(actions)
    for a in actions:
        prefix, _, name = a.partition(":")
        if prefix.lower() in SIGNING_NAMES:
            out.append(SIGNING_NAMES[prefix.lower()] + ":" + name)
    return out


def action_level(document):
    """What moto can judge of a policy: its allowed actions. Moto matches every statement's
    Resource against "*" and ignores Condition, so scoped statements would never match; the
    resources and conditions are judged by the lab's own evaluator over the request log."""
    doc = json.loads(document) if isinstance(document, str) else document
    statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    out = []
    for s in statements:
        if s["Effect"] != "Allow":
            raise ValueError("a Deny statement cannot be projected to actions alone: %s" % json.dumps(s))
        if "NotAction" in s or "NotResource" in s:
            raise ValueError("NotAction/NotResource cannot be projected: %s" % json.dumps(s))
        out.append({"Effect": "Allow", "Action": moto_actions(s["Action"]), "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": out}


class Rewriter:
    """Synthesized id -> emulator id, applied to every string that may hold one."""

    def __init__(self):
        self.ids = {}

    def add(self, synth, real):
        if synth and synth != real:
            self.ids[synth] = real

    def __call__(self, text):
        for synth, real in self.ids.items():
            text = text.replace(synth, real)
        return text


def apply_plan(plan, clients):
    kms, ssm, route53, iam, cloudwatch = (clients[n] for n in ("kms", "ssm", "route53", "iam", "cloudwatch"))
    rewrite = Rewriter()
    summary = {"keys": {}, "zones": {}, "parameters": 0, "records": 0, "roles": [], "awsManagedPolicies": {}}
    for key in plan["kmsKeys"]:
        meta = kms.create_key(Description=key.get("description", ""))["KeyMetadata"]
        rewrite.add(key["ref"], meta["KeyId"])
        summary["keys"][key["ref"]] = meta["Arn"]
        for alias in key.get("aliases", []):
            kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
    for p in plan["parameters"]:
        args = {"Name": p["name"], "Type": p["type"], "Value": p["value"], "Tier": p.get("tier", "Standard")}
        if p.get("description"):
            args["Description"] = p["description"]
        if p["type"] == "SecureString":
            if not p.get("keyRef"):
                raise ValueError("SecureString %s has no KMS key in the synth output" % p["name"])
            args["KeyId"] = rewrite(p["keyRef"])
        ssm.put_parameter(**args)
        summary["parameters"] += 1
    for z in plan["zones"]:
        created = route53.create_hosted_zone(Name=z["name"], CallerReference="mflab-" + z["ref"],
                                             HostedZoneConfig={"Comment": z.get("comment", ""), "PrivateZone": False})
        zone_id = created["HostedZone"]["Id"].split("/")[-1]
        rewrite.add(z["ref"], zone_id)
        summary["zones"][z["name"]] = zone_id
        changes = [{"Action": "CREATE", "ResourceRecordSet": {"Name": r["name"], "Type": r["type"], "TTL": r["ttl"],
                                                               "ResourceRecords": [{"Value": v} for v in r["values"]]}}
                   for r in z["records"]]
        for i in range(0, len(changes), 100):
            route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes[i:i + 100]})
        summary["records"] += len(changes)
    policy_arns = {}
    for pol in plan.get("managedPolicies", []):
        arn = iam.create_policy(PolicyName=pol["name"], Path=pol.get("path", "/"), PolicyDocument=rewrite(pol["document"]))["Policy"]["Arn"]
        policy_arns[pol["ref"]] = arn
    for role in plan["roles"]:
        iam.create_role(RoleName=role["name"], AssumeRolePolicyDocument=role["assumeRolePolicy"])
        documents = []
        for inline in role.get("inline", []):
            doc = rewrite(inline["document"])
            iam.put_role_policy(RoleName=role["name"], PolicyName=inline["name"], PolicyDocument=doc)
            documents.append(doc)
        for arn in role.get("attached", []):
            if arn.startswith(AWS_MANAGED_PREFIX):
                doc = aws_managed_document(arn)
                summary["awsManagedPolicies"][arn] = doc
                documents.append(json.dumps(doc))
            else:
                real = policy_arns[arn]
                iam.attach_role_policy(RoleName=role["name"], PolicyArn=real)
                documents.append(rewrite(next(p["document"] for p in plan["managedPolicies"] if p["ref"] == arn)))
        for n, doc in enumerate(documents):
            iam.put_role_policy(RoleName=role["name"], PolicyName="moto-action-level-%d" % (n + 1),
                                PolicyDocument=json.dumps(action_level(doc)))
        summary["roles"].append(role["name"])
    for profile in plan.get("instanceProfiles", []):
        iam.create_instance_profile(InstanceProfileName=profile["name"])
        iam.add_role_to_instance_profile(InstanceProfileName=profile["name"], RoleName=profile["role"])
    summary["ids"] = rewrite.ids
    return summary


def put_alarms(cloudwatch, alarms, instance_ref, instance_id):
    """The synthesized alarms, their InstanceId dimension on the instance now running (what the
    next `pulumi up` does after a replacement)."""
    for a in alarms:
        dims = [{"Name": k, "Value": instance_id if v == instance_ref else v} for k, v in sorted(a["dimensions"].items())]
        args = {"AlarmName": a["name"], "Namespace": a["namespace"], "MetricName": a["metricName"], "Dimensions": dims,
                "Statistic": a["statistic"], "Period": a["period"], "EvaluationPeriods": a["evaluationPeriods"],
                "Threshold": a["threshold"], "ComparisonOperator": a["comparisonOperator"],
                "TreatMissingData": a.get("treatMissingData", "missing"), "ActionsEnabled": False}
        if a.get("datapointsToAlarm"):
            args["DatapointsToAlarm"] = a["datapointsToAlarm"]
        cloudwatch.put_metric_alarm(**args)
