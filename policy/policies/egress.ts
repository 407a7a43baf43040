// Network, outbound: the instance may reach only what the design needs. A compromised daemon
// with all-ports egress can exfiltrate mail or join a botnet on any port; mailfort needs SMTP out
// (or SES submission), DNS, HTTP(S) for packages, AWS APIs and ACME, and NTP.
import { asArray, field, resourcePolicy, str, type Props } from "../define";
import type { PolicyFacts } from "../facts";

/**
 * The pack's own list of what the host may reach, kept apart from the product's
 * (infra/core/ports.ts egressRules) on purpose: the pack judges the graph, it does not read the
 * renderer. A test checks that the two agree.
 */
export function allowedEgress(facts: Pick<PolicyFacts, "outboundMode">): ReadonlyMap<string, string> {
  return new Map([
    [facts.outboundMode === "ses" ? "tcp/587" : "tcp/25", facts.outboundMode === "ses" ? "SES relay" : "SMTP delivery"],
    ["udp/53", "DNS"], ["tcp/53", "DNS over TCP"], ["tcp/80", "package mirrors"], ["tcp/443", "AWS APIs, SSM, ACME"], ["udp/123", "NTP"],
  ]);
}

interface Egress { readonly protocol: string; readonly from: number; readonly to: number; readonly destinations: readonly string[] }

function num(v: unknown, dflt: number): number {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : dflt;
}

function protocolName(p: string): string {
  return ({ "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", all: "-1" } as Record<string, string>)[p] ?? p;
}

export function egressOf(type: string, props: Props): Egress[] {
  const mk = (r: unknown, protoKey: string): Egress => {
    const protocol = protocolName(String(field(r, protoKey) ?? "tcp").toLowerCase());
    const all = protocol === "-1";
    const destinations = [
      ...asArray(field(r, "cidrBlocks")), ...asArray(field(r, "ipv6CidrBlocks")), ...asArray(field(r, "cidrIpv4")), ...asArray(field(r, "cidrIpv6")),
      ...asArray(field(r, "prefixListIds")), ...asArray(field(r, "prefixListId")), ...asArray(field(r, "securityGroups")), ...asArray(field(r, "referencedSecurityGroupId")),
    ].filter((s): s is string => typeof s === "string");
    return { protocol, from: all ? 0 : num(field(r, "fromPort"), 0), to: all ? 65535 : num(field(r, "toPort"), 65535), destinations };
  };
  if (type === "aws:ec2/securityGroup:SecurityGroup") return asArray(props.egress).map((r) => mk(r, "protocol"));
  if (type === "aws:ec2/securityGroupRule:SecurityGroupRule") return str(props.type) === "egress" ? [mk(props, "protocol")] : [];
  if (type === "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") return [mk(props, "ipProtocol")];
  return [];
}

export const networkEgressPolicy = resourcePolicy({
  name: "network-egress",
  area: "network",
  description: "Outbound rules allow only what the host needs: SMTP 25 (or SES 587), DNS 53, HTTP(S) 80/443 and NTP 123; never all protocols, port ranges or other ports.",
  why: "All-ports egress lets a compromised daemon exfiltrate mail or serve a botnet on any port; the host needs a handful of destinations.",
  types: ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"],
  check: (props, report, { facts, args }) => {
    const allowed = allowedEgress(facts);
    for (const rule of egressOf(args.type, props)) {
      const to = rule.destinations.join(", ") || "(no destination)";
      if (rule.protocol === "-1") {
        report(`egress allows ALL protocols and ports to ${to}; allow only ${[...allowed.keys()].join(", ")}`);
        continue;
      }
      if (rule.from !== rule.to) {
        report(`egress ${rule.protocol}/${rule.from}-${rule.to} to ${to} opens a port range; allow single ports (${[...allowed.keys()].join(", ")})`);
        continue;
      }
      if (!allowed.has(`${rule.protocol}/${rule.from}`)) report(`egress ${rule.protocol}/${rule.from} to ${to} is not something the host needs (allowed: ${[...allowed.keys()].join(", ")})`);
    }
  },
});
