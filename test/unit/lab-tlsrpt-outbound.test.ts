// The lab's tlsrpt-outbound-reports check judges the reports as they arrive at the receivers: it
// passes only when each of the four receivers' reports says what its delivery met, and each mail
// is signed for the stack's domain; it names each way that is not so. The reports are built by the
// server's own code from datagrams in the form Debian's Postfix sends (test/host/tlsrpt-events.test.ts).
import { describe, expect, it } from "vitest";
import { judgeOutboundReports } from "../../lab/tlsrpt-outbound-check";
import { DEFAULT_LIMITS } from "../../reports";
import { parseEventLines } from "../../reports/tlsrpt-events";
import { outboundReports } from "../../reports/tlsrpt-outbound";
import type { TlsReport } from "../../reports/tlsrpt-schema";

const RUA = "v=TLSRPTv1; rua=mailto:tlsrpt@sts-valid.test";
const dg = (d: string, policy: string) => `{"at":"2026-12-03T10:00:00Z","e":{"d": "${d}","pr": "${RUA}","policies":[${policy}]}}`;
const LINES = {
  "sts-wrong": dg("sts-wrong.test", `{"policy-type":2,"policy-domain": "sts-wrong.test","mx-host":["mx.sts-wrong.test"],"failure-details":[{"c":202,"s": "10.77.0.10","n": "mx.sts-wrong.test","r": "10.77.0.42"}],"t":1,"f":1}`),
  "sts-valid": dg("sts-valid.test", `{"policy-type":2,"policy-domain": "sts-valid.test","mx-host":["mx.sts-valid.test"],"t":0,"f":0}`),
  dane: dg("dane.test", `{"policy-type":1,"policy-domain": "mx.dane.test","policy-string":["3 1 1 AB"],"t":0,"f":0}`),
  plain: dg("plain.test", `{"policy-type":9,"policy-domain": "plain.test","t":0,"f":0}`),
};
const REPORTER = { organization: "mail.mailfort.test", contact: "tls-reports@mailfort.test", submitter: "mail.mailfort.test" };
const reportsOf = (lines: string[]): TlsReport[] => outboundReports(parseEventLines(lines.join("\n")).events, "2026-12-03", REPORTER, DEFAULT_LIMITS).map((r) => r.report);
const SIGNED = new Map(["sts-wrong.test", "sts-valid.test", "dane.test", "plain.test"].map((d) => [d, "mailfort.test"]));

describe("tlsrpt-outbound-reports", () => {
  it("passes on the four reports as the server sends them, each signed for the stack's domain", () => {
    expect(judgeOutboundReports(reportsOf(Object.values(LINES)), SIGNED, "mailfort.test")).toEqual([]);
  });

  it.each<[string, string[], ReadonlyMap<string, string>, RegExp]>([
    ["a report missing", [LINES["sts-wrong"], LINES["sts-valid"], LINES.dane], SIGNED, /^no report for plain\.test$/],
    ["the mismatch reported as another failure", [LINES["sts-wrong"].replace('"c":202', '"c":203'), LINES["sts-valid"], LINES.dane, LINES.plain], SIGNED, /sts-wrong\.test: expected a certificate-host-mismatch failure/],
    ["the mismatch reported as a success", [LINES["sts-wrong"].replace(/"failure-details":\[[^\]]*\],"t":1,"f":1/, '"t":0,"f":0'), LINES["sts-valid"], LINES.dane, LINES.plain], SIGNED, /sts-wrong\.test: expected a certificate-host-mismatch failure/],
    ["a valid path reported failing", [LINES["sts-wrong"], LINES["sts-valid"].replace('"t":0,"f":0', '"failure-details":[{"c":201}],"t":1,"f":1'), LINES.dane, LINES.plain], SIGNED, /sts-valid\.test: expected successful sessions and no failure/],
    ["DANE reported as no policy", [LINES["sts-wrong"], LINES["sts-valid"], LINES.dane.replace('"policy-type":1', '"policy-type":9'), LINES.plain], SIGNED, /dane\.test: no tlsa policy in the report \(no-policy-found\)/],
    ["a report not signed", Object.values(LINES), new Map([...SIGNED].filter(([d]) => d !== "plain.test")), /plain\.test: the report mail is not DKIM-signed/],
    ["a report signed for another domain", Object.values(LINES), new Map([...SIGNED, ["dane.test", "evil.test"]]), /dane\.test: the report mail is signed for d=evil\.test/],
  ])("fails: %s", (_t, lines, signed, message) => {
    expect(judgeOutboundReports(reportsOf(lines), signed, "mailfort.test").join("; ")).toMatch(message);
  });
});
