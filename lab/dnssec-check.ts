// DNSSEC in the lab, from the server's side: the VM's own unbound (what Postfix's DANE and the
// outbound TLS policy ask) validates the lab's signed zones. A name in a zone the emulated Route53
// exported (the server's own hostname) and one in a lab zone (the remote MX) come back with the
// AD bit; a name signed with a corrupted signature comes back SERVFAIL, so a validator that
// accepted anything, or no validator at all, fails the check.
import type { MailConfig } from "../infra/config";
import type { CheckResult } from "../verify/contract";
import { BOGUS_SIGNATURE_HOST } from "./dns/service-zones";
import { REMOTE_MX } from "./topology";
import { guestExec } from "./vm/guest-agent";

export const DNSSEC_CHECKS = {
  validated: { id: "lab-dnssec-validated", title: "the VM's unbound validates the lab's signed zones (AD bit) for a Route53-exported name and a lab name" },
  bogus: { id: "lab-dnssec-bogus-refused", title: "the VM's unbound refuses a name with a broken DNSSEC signature (SERVFAIL)" },
} as const;

/** Run on the guest with python3 (dnspython, as mailfort-tls-policy uses): `name rcode ad|no-ad answers` per name. */
export const GUEST_QUERY_SCRIPT = `
import sys, dns.flags, dns.message, dns.query, dns.rcode
for name in sys.argv[1:]:
    q = dns.message.make_query(name, "A", want_dnssec=True)
    q.flags |= dns.flags.AD
    try:
        r = dns.query.udp(q, "127.0.0.1", timeout=15)
        print(name, dns.rcode.to_text(r.rcode()), "ad" if r.flags & dns.flags.AD else "no-ad", len(r.answer))
    except Exception as e:
        print(name, "ERROR:" + type(e).__name__, "no-ad", 0)
`;

export interface DnsAnswer {
  readonly name: string;
  readonly rcode: string;
  readonly ad: boolean;
  readonly answers: number;
}

export function parseAnswers(out: string): DnsAnswer[] {
  return out.trim().split("\n").filter(Boolean).map((l) => {
    const [name = "", rcode = "", ad = "", answers = "0"] = l.trim().split(/\s+/);
    return { name, rcode, ad: ad === "ad", answers: Number(answers) };
  });
}

/** Pass when every `good` name answers NOERROR with AD and an answer, and every `bogus` name SERVFAIL. */
export function dnssecVerdict(answers: readonly DnsAnswer[], good: readonly string[], bogus: readonly string[]): { validated: string[]; refused: string[] } {
  const of = (n: string) => answers.find((a) => a.name === n);
  const show = (n: string) => {
    const a = of(n);
    return a ? `${n}: ${a.rcode}${a.ad ? " AD" : " (no AD)"}, ${a.answers} answer RRset(s)` : `${n}: no answer`;
  };
  const validated = good.filter((n) => { const a = of(n); return !(a && a.rcode === "NOERROR" && a.ad && a.answers > 0); }).map(show);
  const refused = bogus.filter((n) => of(n)?.rcode !== "SERVFAIL").map(show);
  return { validated, refused };
}

export async function dnssecChecks(cfg: Pick<MailConfig, "hostname">): Promise<CheckResult[]> {
  const started = Date.now();
  const good = [cfg.hostname, REMOTE_MX];
  const bogus = [BOGUS_SIGNATURE_HOST];
  const r = await guestExec(["python3", "-c", GUEST_QUERY_SCRIPT, ...good, ...bogus], { timeoutMs: 90_000 });
  const answers = parseAnswers(r.stdout);
  const seconds = Math.round((Date.now() - started) / 1000);
  if (r.exitCode !== 0 || answers.length !== good.length + bogus.length) {
    const detail = `the guest's query script failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`;
    return [DNSSEC_CHECKS.validated, DNSSEC_CHECKS.bogus].map((c) => ({ ...c, status: "fail" as const, detail, seconds }));
  }
  const v = dnssecVerdict(answers, good, bogus);
  const all = answers.map((a) => `${a.name} ${a.rcode}${a.ad ? " AD" : ""}`).join("; ");
  return [
    { ...DNSSEC_CHECKS.validated, status: v.validated.length === 0 ? "pass" : "fail", detail: v.validated.length === 0 ? all : `not validated: ${v.validated.join("; ")}`, seconds },
    { ...DNSSEC_CHECKS.bogus, status: v.refused.length === 0 ? "pass" : "fail", detail: v.refused.length === 0 ? all : `accepted despite a broken signature: ${v.refused.join("; ")}`, seconds },
  ];
}
