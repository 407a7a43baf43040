// DNS checks: every synthesized record is served as synthesized, the MTA-STS policy is served
// over HTTPS, and the server's address has a PTR whose name resolves back (FCrDNS).
import { get } from "node:https";
import { resolverFor, targetAddress } from "../dns-client";
import { type Check, type ExpectedRecord, type VerifyTarget, fail, skip } from "../types";

/** Presentation-format values, normalised so served and expected compare as text. */
function normaliseExpected(r: ExpectedRecord): string[] {
  return r.values.map((v) => {
    if (r.type === "TXT") return [...v.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? "").replace(/\\(.)/g, "$1")).join("");
    // Names lose their trailing dot, but a lone "." (the root: SRV "service not offered") stays.
    return v.toLowerCase().replace(/(\S)\.$/, "$1").replace(/\s+/g, " ");
  });
}

async function served(t: VerifyTarget, r: ExpectedRecord): Promise<string[]> {
  const res = resolverFor(t);
  const name = r.name.replace(/\.$/, "");
  switch (r.type) {
    case "A":
      return res.resolve4(name);
    case "AAAA":
      return res.resolve6(name);
    case "MX":
      // A null MX (RFC 7505) has the root as exchange, which node:dns gives as "".
      return (await res.resolveMx(name)).map((m) => `${m.priority} ${m.exchange.toLowerCase().replace(/\.$/, "") || "."}`);
    case "TXT":
      return (await res.resolveTxt(name)).map((chunks) => chunks.join(""));
    case "CNAME":
      return (await res.resolveCname(name)).map((c) => c.toLowerCase().replace(/\.$/, ""));
    case "SRV":
      return (await res.resolveSrv(name)).map((s) => `${s.priority} ${s.weight} ${s.port} ${s.name.toLowerCase().replace(/\.$/, "") || "."}`);
    case "CAA":
      return (await res.resolveCaa(name)).map((c) => {
        const [tag, value] = Object.entries(c).find(([k]) => k !== "critical") ?? ["", ""];
        return `${c.critical} ${tag} "${String(value)}"`.toLowerCase();
      });
    case "PTR":
      return (await res.resolvePtr(name)).map((p) => p.toLowerCase().replace(/\.$/, ""));
    case "NS":
      return (await res.resolveNs(name)).map((p) => p.toLowerCase().replace(/\.$/, ""));
    default:
      return skip(`record type ${r.type} cannot be queried with node:dns on this Node version`);
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** One check per record purpose (MX, SPF, DKIM, DMARC, ...), covering every domain's records of it. */
export function recordChecks(records: readonly ExpectedRecord[]): Check[] {
  const byPurpose = new Map<string, ExpectedRecord[]>();
  for (const r of records) byPurpose.set(r.purpose, [...(byPurpose.get(r.purpose) ?? []), r]);
  return [...byPurpose.entries()].map(([purpose, recs]) => ({
    id: `dns-${purpose.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
    title: `DNS serves the ${purpose} records as synthesized (${recs.length})`,
    run: async (t) => {
      const bad: string[] = [];
      let skipped = 0;
      for (const r of recs) {
        if (r.type === "TLSA") {
          skipped++;
          continue;
        }
        const want = normaliseExpected(r);
        let got: string[];
        try {
          got = await served(t, r);
        } catch (e) {
          bad.push(`${r.name} ${r.type}: ${e instanceof Error ? e.message : String(e)}`);
          continue;
        }
        const gotNorm = r.type === "TXT" ? got : got.map((g) => g.toLowerCase().replace(/\s+/g, " "));
        if (!sameSet(gotNorm, want)) bad.push(`${r.name} ${r.type}: served [${gotNorm.join(" | ")}], synthesized [${want.join(" | ")}]`);
      }
      if (bad.length) fail(bad.join("; "));
      return `${recs.length - skipped} record(s) match${skipped ? ` (${skipped} TLSA not queryable with node:dns)` : ""}`;
    },
  }));
}

export const fcrdnsCheck: Check = {
  id: "dns-ptr-fcrdns",
  title: "the server's address has a PTR to its hostname, and the hostname resolves back (FCrDNS)",
  run: async (t) => {
    const addr = await targetAddress(t);
    const res = resolverFor(t);
    const ptrs = (await res.reverse(addr)).map((p) => p.toLowerCase().replace(/\.$/, ""));
    if (!ptrs.includes(t.host.toLowerCase())) fail(`PTR of ${addr} is [${ptrs.join(", ")}], expected ${t.host}`);
    const back = await res.resolve4(t.host);
    if (!back.includes(addr)) fail(`${t.host} resolves to [${back.join(", ")}], not back to ${addr}`);
    return `${addr} -> ${t.host} -> ${back.join(", ")}`;
  },
};

function httpsGet(url: string, address: string, t: VerifyTarget): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = get(
      {
        host: address,
        servername: u.hostname,
        path: u.pathname,
        headers: { host: u.hostname },
        ca: t.caPem,
        timeout: 20_000,
      },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** MTA-STS (RFC 8461): the policy at https://mta-sts.<domain>/.well-known/mta-sts.txt names our MX. */
export function mtaStsPolicyChecks(domains: readonly string[]): Check[] {
  return domains.map((domain) => ({
    id: `mta-sts-policy-${domain}`,
    title: `MTA-STS policy of ${domain} is served over HTTPS with a valid certificate and lists the MX`,
    run: async (t: VerifyTarget) => {
      const res = resolverFor(t);
      let txt: string[];
      try {
        txt = (await res.resolveTxt(`_mta-sts.${domain}`)).map((c) => c.join(""));
      } catch {
        return skip(`${domain} publishes no _mta-sts TXT record`);
      }
      if (!txt.some((x) => x.startsWith("v=STSv1"))) fail(`_mta-sts.${domain} TXT is [${txt.join(" | ")}]`);
      const [addr] = await res.resolve4(`mta-sts.${domain}`);
      if (!addr) fail(`mta-sts.${domain} has no A record`);
      const { status, body } = await httpsGet(`https://mta-sts.${domain}/.well-known/mta-sts.txt`, addr, t);
      if (status !== 200) fail(`HTTP ${status} for the policy`);
      if (!/^version:\s*STSv1/m.test(body)) fail(`policy lacks "version: STSv1": ${body.slice(0, 200)}`);
      const mode = /^mode:\s*(\S+)/m.exec(body)?.[1];
      const mx = [...body.matchAll(/^mx:\s*(\S+)/gm)].map((m) => m[1]);
      if (!mx.includes(t.host)) fail(`policy mx [${mx.join(", ")}] does not include ${t.host}`);
      return `mode ${mode}, mx ${mx.join(", ")}`;
    },
  }));
}
