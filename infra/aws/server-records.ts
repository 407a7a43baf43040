// The mail server's record set with real values: the core's record set built from what the
// resources produced (address, IPv6, DKIM and TLS public keys, SES tokens), placed one to one on
// the core's plan of which records exist (so each Route53 resource gets its own record).
import * as pulumi from "@pulumi/pulumi";
import type { MailConfig } from "../config";
import { type DnsRecord, type PlannedRecord, buildRecordSet, placeRecords } from "../core/dns";
import type { DkimKey } from "./dkim-keys";

export interface RecordSources {
  readonly ipv4: pulumi.Output<string>;
  readonly ipv6: pulumi.Output<string | undefined>;
  readonly dkim: readonly DkimKey[];
  readonly tlsPublicKeyPem: pulumi.Output<string>;
  /** SES easy-DKIM tokens per domain (outbound.mode ses). */
  readonly sesTokens?: pulumi.Output<Record<string, string[]>>;
}

export function serverRecords(cfg: MailConfig, plan: readonly PlannedRecord[], src: RecordSources): pulumi.Output<DnsRecord[]> {
  const sesTokens = src.sesTokens ?? pulumi.output({} as Record<string, string[]>);
  return pulumi.all([src.ipv4, src.ipv6, pulumi.all(src.dkim.map((k) => k.publicKeyPem)), src.tlsPublicKeyPem, sesTokens])
    .apply(([ipv4, ipv6, dkimPems, tlsPem, tokens]) => {
      if (cfg.features.ipv6 && ipv6 === undefined) throw new Error("internal: features.ipv6 is on but the instance has no IPv6 address");
      const real = buildRecordSet(cfg, {
        addresses: { ipv4, ...(cfg.features.ipv6 && ipv6 !== undefined ? { ipv6 } : {}) },
        dkim: src.dkim.map((k, i) => ({ domain: k.domain, selector: k.selector, publicKeyPem: dkimPems[i] as string })),
        tlsPublicKeyPem: tlsPem,
        ...(cfg.outbound.mode === "ses" ? { sesDkimTokens: tokens } : {}),
      });
      return placeRecords(plan, real, tokens);
    });
}
