// Network: what the internet can reach. Reads every way AWS lets you open a port: inline
// security-group ingress, aws.ec2.SecurityGroupRule and aws.vpc.SecurityGroupIngressRule.
import { asArray, field, resourcePolicy, str, type Props } from "../define";
import type { PolicyFacts } from "../facts";

/** Ports of remote administration, databases and internal daemons: never open to any CIDR. */
export const ADMIN_PORTS: ReadonlyMap<number, string> = new Map([
  [22, "SSH"], [23, "telnet"], [2222, "SSH (alt)"], [3389, "RDP"], [5900, "VNC"], [5985, "WinRM"], [5986, "WinRM"],
  [111, "rpcbind"], [135, "MS RPC"], [139, "NetBIOS"], [445, "SMB"], [161, "SNMP"], [873, "rsync"],
  [2375, "Docker API"], [2376, "Docker API"], [3306, "MySQL"], [5432, "PostgreSQL"], [6379, "Redis"],
  [11332, "Rspamd proxy"], [11333, "Rspamd normal"], [11334, "Rspamd controller"], [10000, "Webmin"],
  [8080, "HTTP admin"], [8443, "HTTPS admin"], [9090, "admin console"],
  [8461, "MTA-STS resolver"], [8462, "outbound TLS policy map"],
]);

/** Plaintext mailbox protocols: credentials in the clear; mailfort serves 993/995 only. */
export const PLAINTEXT_MAIL_PORTS: ReadonlyMap<number, string> = new Map([[143, "IMAP (plaintext)"], [110, "POP3 (plaintext)"]]);

/**
 * The ports this stack's config means to open: SMTP, submission, IMAPS, HTTP(S), POP3S if enabled.
 * Written out here on purpose rather than read from the product's list (infra/core/ports.ts): the
 * pack judges what the program produced and must not trust the program's own idea of it.
 * test/policy/independent-lists.test.ts checks that the two lists agree.
 */
export function allowedInboundPorts(facts: PolicyFacts): Set<number> {
  const ports = new Set([25, 80, 443, 465, 587, 993]);
  if (facts.features.pop3) ports.add(995);
  return ports;
}

export interface Ingress {
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly sources: readonly string[];
}

function num(v: unknown, dflt: number): number {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : dflt;
}

export function ingressOf(type: string, props: Props): Ingress[] {
  const mk = (r: unknown, protoKey: string): Ingress => {
    const protocol = String(field(r, protoKey) ?? "tcp").toLowerCase();
    const all = protocol === "-1" || protocol === "all";
    const sources = [
      ...asArray(field(r, "cidrBlocks")), ...asArray(field(r, "ipv6CidrBlocks")),
      ...asArray(field(r, "cidrIpv4")), ...asArray(field(r, "cidrIpv6")), ...asArray(field(r, "prefixListIds")), ...asArray(field(r, "prefixListId")),
    ].filter((s): s is string => typeof s === "string");
    return { protocol, from: all ? 0 : num(field(r, "fromPort"), 0), to: all ? 65535 : num(field(r, "toPort"), 65535), sources };
  };
  if (type === "aws:ec2/securityGroup:SecurityGroup") return asArray(props.ingress).map((r) => mk(r, "protocol"));
  if (type === "aws:ec2/securityGroupRule:SecurityGroupRule") return str(props.type) === "ingress" ? [mk(props, "protocol")] : [];
  if (type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") return [mk(props, "ipProtocol")];
  return [];
}

const portText = (r: Ingress) => (r.from === r.to ? `${r.protocol}/${r.from}` : `${r.protocol}/${r.from}-${r.to}`);

export const networkIngressPolicy = resourcePolicy({
  name: "network-ingress",
  area: "network",
  description: "Inbound rules open only the mail and HTTPS ports the config enables: no SSH/RDP/admin/database port, never plaintext IMAP 143 or POP3 110, no all-protocol or wide port ranges.",
  why: "There is no SSH on mailfort (SSM Session Manager instead); every extra open port is attack surface, and 143/110 invite clients to send passwords in the clear.",
  types: ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"],
  check: (props, report, { facts, args }) => {
    const allowed = allowedInboundPorts(facts);
    for (const rule of ingressOf(args.type, props)) {
      if (rule.sources.length === 0) continue; // source is another security group: not the internet
      const from = rule.sources.join(", ");
      if (rule.protocol === "-1" || rule.protocol === "all") {
        report(`ingress allows ALL protocols and ports from ${from}; open single TCP ports instead (${[...allowed].join(", ")})`);
        continue;
      }
      if (rule.protocol === "icmp" || rule.protocol === "icmpv6" || rule.protocol === "1" || rule.protocol === "58") continue;
      for (const [port, what] of [...ADMIN_PORTS, ...PLAINTEXT_MAIL_PORTS]) {
        if (port >= rule.from && port <= rule.to) report(`ingress ${portText(rule)} from ${from} opens ${what} port ${port}; remove it (admin access is SSM Session Manager; mail clients use 993/995/465/587)`);
      }
      for (let p = rule.from; p <= rule.to && p - rule.from < 65536; p++) {
        if (!allowed.has(p) && !ADMIN_PORTS.has(p) && !PLAINTEXT_MAIL_PORTS.has(p)) {
          report(`ingress ${portText(rule)} from ${from} opens port ${p}, which this stack's config does not enable (allowed: ${[...allowed].sort((a, b) => a - b).join(", ")})`);
          break;
        }
      }
    }
  },
});
