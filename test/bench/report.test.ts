import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseStackFile } from "../../infra/config";
import { parseMailConfig } from "../../infra/config";
import { BENCH_LIMITS, benchStackText } from "../../bench/lab-session";
import { snapshotFromDump } from "../../bench/memory";
import { type BenchReport, mergeReports, renderMarkdown } from "../../bench/report";
import { parseBootLog } from "../../bench/boot-log";
import { summarize } from "../../bench/stats";

const fixture = (f: string) => readFileSync(join(__dirname, "fixtures", f), "utf8");

function report(overrides: Partial<BenchReport> = {}): BenchReport {
  const snap = snapshotFromDump("at rest", fixture("proc-dump.txt"));
  return {
    date: "2026-11-28",
    command: "npm run bench -- throughput memory",
    machine: { cpus: 2, node: "v20", load1: 1.5, vm: "qemu TCG" },
    notes: ["bench-only limits"],
    throughput: {
      at: "2026-11-28T00:10:00Z",
      data: {
        rounds: [
          { target: "bare", round: 1, messages: 80, acceptSeconds: 7, totalSeconds: 8, messagesPerSecond: 10, cpu: [] },
          { target: "inbound", round: 1, messages: 80, acceptSeconds: 32, totalSeconds: 32, messagesPerSecond: 2.5, cpu: [{ unit: "rspamd.service", cpuSeconds: 20, share: 0.6 }] },
          { target: "inbound", round: 2, messages: 80, acceptSeconds: 30, totalSeconds: 40, messagesPerSecond: 2, cpu: [], error: "smtp-source exit 1: 451 try again" },
          // A deferred delivery: the queue emptied 380 s after the client was done (Postfix's retry).
          { target: "inbound", round: 3, messages: 80, acceptSeconds: 20, totalSeconds: 400, messagesPerSecond: 0.2, cpu: [] },
        ],
        perTarget: { bare: summarize([10, 12, 8]), inbound: summarize([2.5, 3, 4]) },
        ratios: { bOverA: 0.3 },
        cpuByTarget: { inbound: [{ unit: "rspamd.service", cpuSeconds: 20, share: 0.6 }] },
        settings: { sessions: 4, messages: 80, bodyBytes: 2048, bareSetup: "postfix -c /etc/postfix-bench" },
      },
    },
    memory: { at: "2026-11-28T00:20:00Z", data: { atRest: snap, targetMb: 500, clamav: { measured: false, note: "no signatures in the closed lab" } } },
    ...overrides,
  };
}

describe("the bench report", () => {
  it("renders medians, the ratio against its target, failed rounds and per-unit CPU", () => {
    const md = renderMarkdown(report());
    expect(md).toContain("| (a) bare Postfix -> discard, port 2525 | smtp-source | 10.0 | 10.00 | 11.43 |");
    // The deferred round is shown but left out of the end-to-end median; acceptance counts it.
    expect(md).toContain("| smtp-source | 2.5, error, (0.2 deferred) | 2.50 | 3.25 |");
    expect(md).toContain("**b/a = 0.250** end to end (target >= 0.4), 0.284 on acceptance");
    expect(md).toContain("inbound #2: smtp-source exit 1: 451 try again");
    expect(md).toContain("rspamd.service 20 s (60%)");
  });

  it("renders the memory table from a captured snapshot and says whether the target is met", () => {
    const md = renderMarkdown(report());
    expect(md).toMatch(/\| at rest \| 386 \| 1972 \| 270 \| met \|/);
    expect(md).toContain("| rspamd.service | 427.4 / 129.9 (5) | - |");
    expect(md).toContain("ClamAV on: not measured. no signatures in the closed lab");
  });

  it("renders the boot stages of a captured console", () => {
    const md = renderMarkdown(report({ boot: { at: "t", data: [{ label: "boot 1", hostSecondsToReady: 603, imageCached: false, imageBuildSeconds: 96, console: parseBootLog(fixture("serial-console.txt")), services: [{ unit: "postfix.service", startAt: 355.94, activeAt: 372.52, seconds: 16.58 }], systemdAnalyze: "Startup finished", blame: ["8min cloud-final.service"] }] } }));
    expect(md).toContain("qemu start to MAILFORT-READY: **603 s**; image built in this run (96 s); guest uptime at READY 321.7 s");
    expect(md).toContain("| secrets:fetched -> mailfort:ready | 119.9 | 321.7 | 201.8 |");
    expect(md).toContain("| postfix.service | 355.9 | 372.5 | 16.6 |");
  });

  it("keeps a section from an earlier run of the day when this run did not measure it", () => {
    const earlier = report();
    const now: BenchReport = { ...report(), throughput: undefined, memory: undefined, command: "npm run bench -- synth" };
    const merged = mergeReports(now, earlier);
    expect(merged.command).toBe("npm run bench -- synth");
    expect(merged.throughput?.at).toBe("2026-11-28T00:10:00Z");
    expect(mergeReports(now, undefined).throughput).toBeUndefined();
  });
});

describe("the bench-only stack", () => {
  const lab = readFileSync(join(__dirname, "..", "..", "stacks", "Pulumi.lab.yaml"), "utf8");

  it("raises only the per-client limits of the lab stack and still validates", () => {
    const text = benchStackText(lab);
    expect(text).toContain("BENCH ONLY");
    const stack = parseStackFile(text, "bench.yaml");
    const cfg = parseMailConfig({ values: stack.values, secretKeys: stack.secretKeys }, "lab");
    const original = parseMailConfig({ values: parseStackFile(lab, "lab.yaml").values, secretKeys: parseStackFile(lab, "lab.yaml").secretKeys }, "lab");
    expect(cfg.limits).toMatchObject(BENCH_LIMITS);
    expect(cfg.limits.messageSizeMb).toBe(original.limits.messageSizeMb);
    expect(cfg.limits.recipientsPerMessage).toBe(original.limits.recipientsPerMessage);
    expect(cfg.domains).toEqual(original.domains);
    expect(cfg.bruteForce).toEqual(original.bruteForce);
    expect(cfg.features.clamav).toBe(false);
  });

  it("can turn a feature flag on, and the config refuses ClamAV on the lab's 2 GiB t4g.small", () => {
    const stack = parseStackFile(benchStackText(lab, { clamav: true }), "bench.yaml");
    expect(JSON.parse(String(stack.values["mailfort:features"]))).toEqual({ clamav: true });
    expect(() => parseMailConfig({ values: stack.values, secretKeys: stack.secretKeys }, "lab")).toThrow(/features\.clamav: ClamAV needs about 1\.2 GiB/);
  });
});
