// The lab's report check judges the server's `mailfort-reports summary --json`: it passes only
// when the remote MX's report is there as sent, and names each way it is not.
import { describe, expect, it } from "vitest";
import { LAB_SPOOFER, type ReportsSummaryEvidence, judgeReportsSummary } from "../../lab/reports-check";

const SERVER = "10.77.0.10";
const good: ReportsSummaryEvidence = {
  own: [SERVER], alerts: [],
  spoofing: [{ domain: "mailfort.test", ip: LAB_SPOOFER, verdict: "spoofing stopped by p=reject" }],
  domains: [{ domain: "mailfort.test", dmarc: { sources: [{ ip: SERVER, own: true, messages: 7 }, { ip: LAB_SPOOFER, own: false, messages: 3 }] } }],
};

describe("reports-dmarc-received", () => {
  it("passes on the report as the remote MX sent it", () => {
    expect(judgeReportsSummary(good, "mailfort.test", SERVER)).toEqual([]);
  });
  it.each<[string, (s: ReportsSummaryEvidence) => ReportsSummaryEvidence, RegExp]>([
    ["no report yet", (s) => ({ ...s, domains: [], spoofing: [] }), /^no DMARC report for mailfort\.test in the summary \(domains: none\)$/],
    ["the server not an own source", (s) => ({ ...s, own: [], domains: [{ domain: "mailfort.test", dmarc: { sources: [{ ip: SERVER, own: false, messages: 7 }] } }] }), /is not counted as an own source \(own: none\)/],
    ["the spoofer missing", (s) => ({ ...s, spoofing: [] }), /the forged source 203\.0\.113\.99 is not listed as spoofing of mailfort\.test/],
    ["the spoofer delivered", (s) => ({ ...s, spoofing: [{ domain: "mailfort.test", ip: LAB_SPOOFER, verdict: "spoofing DELIVERED (the receiver applied no policy)" }] }), /verdict is "spoofing DELIVERED/],
    ["an alert", (s) => ({ ...s, alerts: [{ kind: "own-source-failing" }] }), /1 alert\(s\), though the report fails nothing of ours/],
  ])("fails: %s", (_t, edit, message) => {
    expect(judgeReportsSummary(edit(good), "mailfort.test", SERVER).join("; ")).toMatch(message);
  });
});
