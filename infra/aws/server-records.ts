// The mail server's records with real values, from what the resources produced (address, IPv6,
// DKIM and TLS public keys, SES tokens), placed one to one on the core's plan of which records
// exist. Two views of the same core: the whole set (one Output, for the zone files, the synth
// and the post-deploy verify), and each planned record on its own, built from only the inputs
// its parts name, for its Route53 resource: so a DKIM record depends on its own domain's key,
// an A record on the address, an MX record on nothing (with one combined Output every record of
// an n-domain stack depended on all n keys: n^2 dependencies, most of a 200-domain synth).
import * as pulumi from "@pulumi/pulumi";
import type { MailConfig } from "../config";
import {
  type DnsInputs, type DnsRecord, type PlannedRecord, type RecordSource,
  buildRecordSet, placeRecords, plannedRecord, plannedSources, someInputValues, sourceKey,
} from "../core/dns";
import type { DkimKey } from "./dkim-keys";

export interface RecordSources {
  readonly ipv4: pulumi.Output<string>;
  readonly ipv6: pulumi.Output<string | undefined>;
  readonly dkim: readonly DkimKey[];
  readonly tlsPublicKeyPem: pulumi.Output<string>;
  /** SES easy-DKIM tokens of each sending domain's identity (outbound.mode ses). */
  readonly sesTokens?: Readonly<Record<string, pulumi.Output<string[]>>>;
}

/** The whole record set, in plan order. */
export function serverRecords(cfg: MailConfig, plan: readonly PlannedRecord[], src: RecordSources): pulumi.Output<DnsRecord[]> {
  const sesTokens: pulumi.Output<Record<string, string[]>> = pulumi.all(src.sesTokens ?? {});
  return pulumi.all([addressesOf(cfg, src), pulumi.all(src.dkim.map((k) => k.publicKeyPem)), src.tlsPublicKeyPem, sesTokens])
    .apply(([addresses, dkimPems, tlsPem, tokens]) => {
      const real = buildRecordSet(cfg, {
        addresses,
        dkim: src.dkim.map((k, i) => ({ domain: k.domain, selector: k.selector, publicKeyPem: dkimPems[i] as string })),
        tlsPublicKeyPem: tlsPem,
        ...(cfg.outbound.mode === "ses" ? { sesDkimTokens: tokens } : {}),
      });
      return placeRecords(plan, real, tokens);
    });
}

/** Each planned record (element i for plan[i]) from its own inputs; config-only ones are plain values. */
export function plannedRecords(cfg: MailConfig, plan: readonly PlannedRecord[], src: RecordSources): Array<pulumi.Input<DnsRecord>> {
  const inputs = new Map<string, pulumi.Output<Partial<DnsInputs>>>();
  const inputOf = (s: RecordSource) => {
    const known = inputs.get(sourceKey(s));
    if (known !== undefined) return known;
    const made = sourceInput(cfg, src, s);
    inputs.set(sourceKey(s), made);
    return made;
  };
  return plan.map((p) => {
    const sources = plannedSources(p).filter((s) => s.kind !== "config");
    if (sources.length === 0) return plannedRecord(cfg, p, someInputValues(cfg, {}));
    return pulumi.all(sources.map(inputOf)).apply((parts) => plannedRecord(cfg, p, someInputValues(cfg, combined(parts))));
  });
}

/** The one input a source names, as the record set's inputs hold it. */
function sourceInput(cfg: MailConfig, src: RecordSources, s: RecordSource): pulumi.Output<Partial<DnsInputs>> {
  switch (s.kind) {
    case "addresses": return addressesOf(cfg, src).apply((addresses) => ({ addresses }));
    case "tls": return src.tlsPublicKeyPem.apply((tlsPublicKeyPem) => ({ tlsPublicKeyPem }));
    case "dkim": {
      const keys = src.dkim.filter((k) => k.domain === s.domain);
      return pulumi.all(keys.map((k) => k.publicKeyPem)).apply((pems) => ({
        dkim: keys.map((k, i) => ({ domain: k.domain, selector: k.selector, publicKeyPem: pems[i] as string })),
      }));
    }
    case "ses": {
      const tokens = src.sesTokens?.[s.domain];
      if (tokens === undefined) throw new Error(`internal: outbound.mode is ses but no SES identity was made for ${s.domain}`);
      return tokens.apply((t) => ({ sesDkimTokens: { [s.domain]: t } }));
    }
    case "config": throw new Error("internal: a config-only DNS record has no input to wait for");
  }
}

/** Several sources' inputs as one (DKIM keys and SES tokens of several domains side by side). */
function combined(parts: ReadonlyArray<Partial<DnsInputs>>): Partial<DnsInputs> {
  return parts.reduce<Partial<DnsInputs>>((all, p) => ({
    ...all, ...p,
    ...(all.dkim !== undefined && p.dkim !== undefined ? { dkim: [...all.dkim, ...p.dkim] } : {}),
    ...(all.sesDkimTokens !== undefined && p.sesDkimTokens !== undefined ? { sesDkimTokens: { ...all.sesDkimTokens, ...p.sesDkimTokens } } : {}),
  }), {});
}

/** The IPv6 address is the instance's: only with features.ipv6 do the records wait for it. */
function addressesOf(cfg: MailConfig, src: RecordSources): pulumi.Output<DnsInputs["addresses"]> {
  if (!cfg.features.ipv6) return src.ipv4.apply((ipv4) => ({ ipv4 }));
  return pulumi.all([src.ipv4, src.ipv6]).apply(([ipv4, ipv6]) => {
    if (ipv6 === undefined) throw new Error("internal: features.ipv6 is on but the instance has no IPv6 address");
    return { ipv4, ipv6 };
  });
}
