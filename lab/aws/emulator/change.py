"""A later `pulumi up` on the loaded stack (lab/dkim-rotation-phase.ts): put and delete SSM
parameters and upsert or delete Route53 record sets, as the deployer would, then export the zones
for nsd. Only what a DKIM rotation's step changes: the stack's KMS keys and zones already exist
(apply_plan made them; their ids are in its summary)."""


def apply_change(change, clients, applied, exporter):
    ssm, route53 = clients["ssm"], clients["route53"]
    for p in change.get("putParameters", []):
        args = {"Name": p["name"], "Type": p["type"], "Value": p["value"], "Tier": p.get("tier", "Standard"), "Overwrite": True}
        if p["type"] == "SecureString":
            # keyRef is the synth's ARN of the key, holding the synth's key id (as apply_plan rewrites it).
            key = next((arn for ref, arn in applied["keys"].items() if ref in p.get("keyRef", "")), None)
            if key is None:
                raise ValueError("SecureString %s names no KMS key the stack was loaded with" % p["name"])
            args["KeyId"] = key
        ssm.put_parameter(**args)
    for name in change.get("deleteParameters", []):
        ssm.delete_parameter(Name=name)
    records = 0
    for zone, edits in change.get("records", {}).items():
        zone_id = applied["zones"].get(zone)
        if zone_id is None:
            raise ValueError("no hosted zone %s in the loaded stack" % zone)
        changes = []
        for e in edits:
            if e["action"] == "DELETE":
                # Route53 deletes a record set only with its current values: read them.
                current = route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName=e["name"], StartRecordType=e["type"], MaxItems="1")
                found = [r for r in current["ResourceRecordSets"] if r["Name"].rstrip(".") == e["name"].rstrip(".") and r["Type"] == e["type"]]
                if found:
                    changes.append({"Action": "DELETE", "ResourceRecordSet": found[0]})
            else:
                changes.append({"Action": "UPSERT", "ResourceRecordSet": {"Name": e["name"], "Type": e["type"], "TTL": e["ttl"],
                                                                          "ResourceRecords": [{"Value": v} for v in e["values"]]}})
        if changes:
            route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})
            records += len(changes)
    exporter.export()
    return {"parameters": len(change.get("putParameters", [])) + len(change.get("deleteParameters", [])), "records": records}
