// The DNS records a stack will publish, read back from its Route53 resources (and PTR from
// EipDomainName), with names made fully qualified.
import type { PolicyResource } from "@pulumi/policy";
import { asArray, field, str } from "../define";
import type { PolicyFacts } from "../facts";

export const RECORD = "aws:route53/record:Record";
const ZONE = "aws:route53/zone:Zone";
export const EIP_DOMAIN_NAME = "aws:ec2/eipDomainName:EipDomainName";

export interface PublishedRecord {
  readonly fqdn: string;
  readonly type: string;
  readonly values: readonly string[];
  readonly urn: string;
}

export const normName = (n: string): string => n.trim().toLowerCase().replace(/\.$/, "");

export function recordsOf(resources: readonly PolicyResource[], facts: PolicyFacts): PublishedRecord[] {
  const zoneNames = new Map<string, string>();
  for (const r of resources) {
    if (r.type !== ZONE) continue;
    const name = str(r.props.name);
    for (const id of [r.props.zoneId, r.props.id]) if (typeof id === "string" && name) zoneNames.set(id, normName(name));
  }
  const domains = facts.domains.map((d) => d.name);
  return resources.filter((r) => r.type === RECORD).map((r) => {
    const name = normName(str(r.props.name) ?? "");
    const zone = zoneNames.get(str(r.props.zoneId) ?? "");
    const inKnown = domains.some((d) => name === d || name.endsWith(`.${d}`)) || (zone !== undefined && (name === zone || name.endsWith(`.${zone}`)));
    const fqdn = inKnown || zone === undefined ? name : name === "" || name === "@" ? zone : `${name}.${zone}`;
    const values = asArray(r.props.records).map(String);
    const alias = asArray(r.props.aliases).map((a) => str(field(a, "name"))).filter((s): s is string => s !== undefined);
    return { fqdn, type: String(r.props.type ?? "").toUpperCase(), values: values.length > 0 ? values : alias, urn: r.urn };
  });
}

export function at(records: readonly PublishedRecord[], fqdn: string, type: string): PublishedRecord[] {
  return records.filter((r) => r.fqdn === fqdn && r.type === type);
}

export function valuesAt(records: readonly PublishedRecord[], fqdn: string, type: string): string[] {
  return at(records, fqdn, type).flatMap((r) => r.values);
}
