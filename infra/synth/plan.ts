// plan.md: what a reviewer reads before anything touches AWS: resources by type, the open
// ports (taken from the security group as synthesized), the DNS records, the SSM parameters
// (names only), the host files and how each reaches the host, and the secrets that could not be
// decrypted offline.
import { domainDkim } from "../config";
import type { SynthResult } from "./result";

interface SgRule { protocol?: string; fromPort?: number; toPort?: number; cidrBlocks?: string[]; ipv6CidrBlocks?: string[]; description?: string }

const cell = (v: unknown): string => String(v).replace(/\|/g, "\\|").replace(/\n/g, " ");
const short = (v: string, n = 90): string => (v.length > n ? `${v.slice(0, n - 1)}…` : v);

function table(head: string[], rows: unknown[][]): string[] {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

/** Where the DKIM rotation stands after this up and what the next `pulumi up` will do, and when. */
function rotationSection(result: SynthResult): string[] {
  const r = result.dkimRotation;
  const cfg = result.config;
  const first = cfg.domains.find((d) => d.sendsMail);
  const sel = first !== undefined ? domainDkim(first, cfg.dkimLayout) : undefined;
  return [
    "## DKIM rotation",
    "",
    `- This up: ${r.advanced ? "**takes a step**: " : "no step: "}${r.says} (generations: signing ${cfg.dkimLayout.signing}, published ${cfg.dkimLayout.published.join(", ")}${cfg.dkimLayout.revoked.length > 0 ? `, revoked ${cfg.dkimLayout.revoked.join(", ")}` : ""}${sel !== undefined && first !== undefined ? `; ${first.name} signs with selector \`${sel.signing}\`` : ""}).`,
    `- Next up: ${r.next.says}${r.next.notBefore !== undefined ? `; **not before ${r.next.notBefore}** (an earlier up changes nothing)` : ""}.`,
    `- Recorded after this up in \`/mailfort/${result.stack}/state/dkim-rotation\`: \`${r.state}\``,
    "",
  ];
}

export function renderPlan(result: SynthResult): string {
  const cfg = result.config;
  const custom = result.resources.filter((r) => r.custom);
  const byType = new Map<string, string[]>();
  for (const r of custom) byType.set(r.type, [...(byType.get(r.type) ?? []), r.name]);
  const sg = result.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup");
  const rules = (key: "ingress" | "egress") => ((sg?.inputs[key] as SgRule[] | undefined) ?? []).map((r) => [
    r.fromPort === r.toPort ? r.fromPort : `${r.fromPort}-${r.toPort}`, r.protocol, [...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])].join(" "), r.description ?? "",
  ]);
  const lines = [
    `# mailfort plan: stack \`${result.stack}\``,
    "",
    `Host \`${cfg.hostname}\` in ${cfg.region} (${cfg.environment}), ${cfg.instance.type} ${cfg.instance.arch}, data volume ${cfg.instance.dataVolumeGb} GiB; ` +
      `TLS ${cfg.tls.mode}; outbound ${cfg.outbound.mode}; domains: ${cfg.domains.map((d) => `${d.name}${d.sendsMail ? "" : " (parked)"}`).join(", ")}.`,
    "",
    "Produced offline under Pulumi mocks: ids, addresses (203.0.113.0/24, 2600:1f18::/32), keys and certificates are stand-ins.",
    "",
    `## Resources (${custom.length})`,
    "",
    ...table(["type", "count", "names"], [...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([t, names]) => [t, names.length, short(names.join(", "), 120)])),
    "",
    "## Open ports",
    "",
    "Inbound (security group; SSH is never open, admin access is SSM Session Manager):",
    "",
    ...table(["port", "protocol", "from", "why"], rules("ingress")),
    "",
    "Outbound:",
    "",
    ...table(["port", "protocol", "to", "why"], rules("egress")),
    "",
    `## DNS records (${result.records.length})`,
    "",
    ...table(["zone", "name", "type", "TTL", "value", "purpose"], result.records.flatMap((r) => r.values.map((v) => [r.zone, r.name, r.type, r.ttl, short(v), r.purpose]))),
    "",
    `Zone files: ${Object.keys(result.zones).map((z) => `\`zones/${z}.zone\``).join(", ")}.`,
    "",
    ...rotationSection(result),
    `## SSM parameters (${result.parameters.length}, under \`/mailfort/${result.stack}/\`)`,
    "",
    ...table(["name", "type"], result.parameters.map((p) => [p.name, p.type])),
    "",
  ];
  const h = result.hostFiles;
  const userDataBytes = Buffer.from(result.userData, "base64").length;
  lines.push(
    `## Host files (${h.bootstrap.length + h.bundle.length})`,
    "",
    `The user data carries the bootstrap only (${userDataBytes} of EC2's 16384 bytes); the host bundle (sha256 \`${h.bundleSha256.slice(0, 16)}…\`, ` +
      `pinned in the user data) travels in ${h.bundleParameters} SSM String parameters (${h.bundleChars} characters) under \`/mailfort/${result.stack}/host/bundle/\`. ` +
      "Every file as it lands is in `host-files/`.",
    "",
    ...table(["path", "mode", "bytes", "travels in"], [
      ...h.bootstrap.map((f) => [`\`${f.path}\``, f.mode, Buffer.byteLength(f.content), "user data"]),
      ...h.bundle.map((f) => [`\`${f.path}\``, f.mode, Buffer.byteLength(f.content), "host bundle (SSM)"]),
    ]),
    "",
  );
  if (result.opaqueSecrets.length > 0) {
    lines.push(
      "## Opaque secrets",
      "",
      "These config keys are encrypted in the stack file and were not decrypted offline; a valid placeholder stood in for them:",
      "",
      ...result.opaqueSecrets.map((k) => `- \`${k}\``),
      "",
    );
  }
  lines.push("## Outputs", "", ...table(["output", "value"], Object.entries(result.outputs).filter(([k]) => k !== "caCertPem").map(([k, v]) => [k, short(typeof v === "string" ? v : JSON.stringify(v), 200)])), "");
  return lines.join("\n");
}
