import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseStackFile } from "../../infra/config";
import { parseMailConfig } from "../../infra/config";
import { BENCH_LIMITS, benchStackText } from "../../bench/lab-session";
import { snapshotFromDump } from "../../bench/memory";
import { type FigureSet, compareFigures } from "../../bench/compare";
import { type BanReactionResult, banSeconds } from "../../bench/ban-reaction";
import { fleetHeadline } from "../../bench/headline";
import { type BenchReport, type Section, finalizeReport, mergeReports, renderMarkdown, synthStartupMd } from "../../bench/report";
import { parseBashTime } from "../../bench/synth-command";
import { dependencyLinks } from "../../bench/synth-scale";
import { parseBootLog } from "../../bench/boot-log";
import { summarize } from "../../bench/stats";
import type { ThroughputResult } from "../../bench/throughput";

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
        // Derived fields as older reports stored them (and wrong): finalizeReport drops them.
        ...({ perTarget: { bare: summarize([10, 12, 8]), inbound: summarize([2.5, 3, 4]) }, ratios: { bOverA: 0.3 } } as object),
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
    const md = renderMarkdown(finalizeReport(report(), []));
    expect(md).toContain("| (a) bare Postfix -> discard, port 2525 | smtp-source | 10.0 | 10.00 | 11.43 |");
    // The deferred round is shown but left out of the end-to-end median; acceptance counts it.
    expect(md).toContain("| smtp-source | 2.5, error, (0.2 deferred) | 2.50 | 3.25 |");
    expect(md).toContain("**b/a = 0.250** end to end, 0.284 on acceptance");
    expect(md).toContain("inbound #2: smtp-source exit 1: 451 try again");
    expect(md).toContain("rspamd.service 20 s (60%)");
  });

  it("renders the memory table from a captured snapshot and says whether the target is met", () => {
    const md = renderMarkdown(finalizeReport(report(), []));
    expect(md).toMatch(/\| at rest \| 386 \| 1972 \| 270 \| <= 500 MiB: met \|/);
    expect(md).toContain("| rspamd.service | 427.4 / 129.9 (5) | - |");
    expect(md).toContain("ClamAV on: not measured. no signatures in the closed lab");
  });

  it("holds the memory right after load to its own target (650 MiB), the one at rest to 500", () => {
    const snap = snapshotFromDump("right after load", fixture("proc-dump.txt"));
    const heavy = { ...snap, meminfo: { ...snap.meminfo, usedMb: 556 } };
    const md = renderMarkdown(finalizeReport(report({ memory: { at: "t", data: { atRest: { ...snap, label: "at rest", meminfo: { ...snap.meminfo, usedMb: 501 } }, afterLoad: heavy, targetMb: 500, clamav: { measured: false, note: "n" } } } }), []));
    expect(md).toMatch(/\| at rest \| 501 \| 1972 \| 270 \| <= 500 MiB: NOT met \|/);
    expect(md).toMatch(/\| right after load \| 556 \| 1972 \| 270 \| <= 650 MiB: met \|/);
    const final = finalizeReport(report({ memory: { at: "t", data: { atRest: snap, afterLoad: heavy, targetMb: 500, clamav: { measured: false, note: "n" } } } }), []);
    expect(final.figures.headline.find((h) => h.id === "memory.after-load")).toMatchObject({ value: 556, target: 650 });
  });

  it("renders the boot stages of a captured console", () => {
    const md = renderMarkdown(finalizeReport(report({ boot: { at: "t", data: [{ label: "boot 1", hostSecondsToReady: 603, imageCached: false, imageBuildSeconds: 96, console: parseBootLog(fixture("serial-console.txt")), services: [{ unit: "postfix.service", startAt: 355.94, activeAt: 372.52, seconds: 16.58 }], systemdAnalyze: "Startup finished", blame: ["8min cloud-final.service"] }] } }), []));
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
    // An offline-only run merged into a day whose VM sections it keeps: the VM line stays theirs.
    const tcg = { kind: "tcg" as const, detail: "TCG: no /dev/kvm" };
    const offline = mergeReports({ ...now, machine: { ...now.machine, vm: "no VM (offline benchmarks only)" } }, { ...earlier, machine: { ...earlier.machine, accelerator: tcg } });
    expect(offline.machine).toMatchObject({ vm: earlier.machine.vm, accelerator: tcg, load1: now.machine.load1 });
  });
});

describe("one computation for the JSON and the Markdown", () => {
  // The throughput section of bench/results/2026-11-28.json as it was first written: its stored
  // ratios counted the deferred submission rounds (c/a' 0.005), its Markdown did not (0.145).
  const captured = JSON.parse(fixture("throughput-2026-11-28.json")) as Section<ThroughputResult>;
  const final = finalizeReport(report({ throughput: captured, memory: undefined }), []);
  const json = JSON.parse(JSON.stringify(final)) as typeof final;
  const md = renderMarkdown(final);

  it("stores the figures it prints: c/a' = 0.145 and b/a = 0.113 in both", () => {
    expect(json.figures.throughput?.ratios).toMatchObject({ bOverA: 0.113, cOverAprime: 0.145 });
    expect(json.figures.throughput?.perTarget.submission?.deferredRounds).toBe(3);
    expect(json.figures.throughput?.perTarget.submission?.endToEnd?.median).toBe(7.37);
    expect(md).toContain("**b/a = 0.113** end to end");
    expect(md).toContain("**c/a' = 0.145** end to end");
    expect(json.figures.headline.find((h) => h.id === "throughput.c-over-a-prime")?.value).toBe(0.145);
  });

  it("drops the derived fields the old file kept, so no second answer is left in it", () => {
    expect(captured.data).toHaveProperty("ratios.cOverAprime", 0.005);
    expect(json.throughput?.data).not.toHaveProperty("ratios");
    expect(json.throughput?.data).not.toHaveProperty("perTarget");
    expect(JSON.stringify(json)).not.toMatch(/0\.005\b/);
    expect(json.throughput?.data.rounds).toHaveLength(20);
  });
});

describe("the comparison with earlier results", () => {
  const at = "2026-12-01T00:00:00Z";
  const synthCommand = (median: number): BenchReport["synthCommand"] => ({ at, data: { command: "npm run synth -- --stack lab", runs: 5, wallSeconds: summarize([median, median, median]), cpuSeconds: summarize([2, 2, 2]), peakRssMb: 200, loadBefore: 1 } });
  const fleetRow = { customers: 50, stacks: 50, parallel: 2, wallS: 40, perStackS: 0.8, peakTotalMb: 800, peakWorkerMb: 290, parentMb: 280, planned: 50, loadBefore: 1 };
  const earlier: FigureSet[] = [
    // The older fleet benchmark file, as bench/results/fleet-2026-11-27.json holds it.
    { file: "fleet-2026-11-27.json", date: "2026-11-27", figures: fleetHeadline([{ ...fleetRow, wallS: 687.12, peakTotalMb: 683.7 }]) },
    { file: "2026-11-28.json", date: "2026-11-28", figures: finalizeReport(report({ synthCommand: synthCommand(3.2) }), []).figures.headline },
    // A later file without the synth command: the comparison reaches past it to 11-28.
    { file: "2026-11-30.json", date: "2026-11-30", figures: [] },
  ];
  const final = finalizeReport(report({ date: "2026-12-01", throughput: undefined, memory: undefined, synthCommand: synthCommand(1.2), fleet: { at, data: { rows: [fleetRow] } } }), earlier);

  it("compares each figure with the newest earlier file that has it, in the figure's direction, against its target", () => {
    const byId = Object.fromEntries(final.figures.comparison.map((c) => [c.figure.id, c]));
    expect(byId["synth-command.wall"]).toMatchObject({ verdict: "better", previous: { value: 3.2, date: "2026-11-28", file: "2026-11-28.json" }, targetMet: true });
    expect(byId["synth-command.wall"]?.change).toBeCloseTo(1.2 / 3.2 - 1, 6);
    expect(byId["synth-command.cpu"]).toMatchObject({ verdict: "same" });
    expect(byId["fleet.50x2.wall"]).toMatchObject({ verdict: "better", previous: { value: 687.12, file: "fleet-2026-11-27.json" }, targetMet: true });
    expect(byId["fleet.50x2.peak-rss"]).toMatchObject({ verdict: "worse" });
    expect(Object.keys(byId).sort()).toEqual(final.figures.headline.map((h) => h.id).sort());
  });

  it("prints the same rows in the Markdown", () => {
    const md = renderMarkdown(final);
    expect(md).toContain("## Compared with earlier results");
    expect(md).toContain("| `npm run synth -- --stack lab`: median wall of 5 | 1.20 s | <= 1.50 s: met | 3.20 s (2026-11-28) | -63 % (better) |");
    expect(md).toContain("| fleet plan, 50 customers, 2 workers: wall | 40 s | <= 60 s: met | 687.12 s (2026-11-27) | -94 % (better) |");
    expect(md).toContain("**median 1.20 s wall**");
    expect(md).toContain("| 50 | 2 | 40.0 | 0.80 | 800 | 290 | 50/50 | 1 |");
  });

  it("calls a figure new when no earlier file has it, and a target missed when it is", () => {
    const rows = compareFigures([{ file: "a.json", date: "2026-12-02", figures: [{ id: "x", label: "x", value: 2, unit: "s", better: "lower", target: 1.5 }] }]);
    expect(rows).toEqual([expect.objectContaining({ verdict: "new", targetMet: false })]);
  });
});

describe("the synth command's timing", () => {
  it("reads bash's time (TIMEFORMAT='%R %U %S') from the last stderr line", () => {
    expect(parseBashTime("npm notice\n1.43 0.97 0.21\n")).toEqual({ wall: 1.43, cpu: expect.closeTo(1.18, 6) });
    expect(() => parseBashTime("Killed")).toThrow(/no timing/);
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
    // The flag joins the lab stack's own (it sets dnssec, for the lab's inbound DANE check).
    expect(JSON.parse(String(stack.values["mailfort:features"]))).toEqual({ dnssec: true, clamav: true });
    expect(() => parseMailConfig({ values: stack.values, secretKeys: stack.secretKeys }, "lab")).toThrow(/features\.clamav: ClamAV needs about 1\.2 GiB/);
  });
});

describe("synth scaling's dependency links", () => {
  const row = (domains: number, dependencyLinks?: number) => ({
    domains, wallSeconds: summarize([1, 2, 3]), peakChildMb: 100, userDataGzipBytes: 4000, resources: 10, records: 5,
    ...(dependencyLinks !== undefined ? { dependencyLinks } : {}),
  });
  const at = "2026-12-02T20:00:00Z";

  it("sums every resource's dependency URNs", () => {
    const deps = (n: number) => ({ options: { dependencies: Array.from({ length: n }, (_, i) => `urn:${i}`) } });
    expect(dependencyLinks([deps(3), {}, deps(0), deps(4)])).toBe(7);
  });

  it("reports them per size in the table and as a headline figure; an older row without them shows a dash", () => {
    const r = report({ synth: { at, data: { rows: [row(20), row(200, 12_748)], cpus: 2, loadBefore: 1 } } });
    const md = renderMarkdown(finalizeReport(r, []));
    expect(md).toContain("| domains | resources | records | dependency links |");
    expect(md).toMatch(/\| 200 \| 10 \| 5 \| 12748 \|/);
    expect(md).toMatch(/\| 20 \| 10 \| 5 \| - \|/);
    const ids = finalizeReport(r, []).figures.headline.map((h) => h.id);
    expect(ids).toContain("synth.200-domains.dependency-links");
    expect(ids).not.toContain("synth.20-domains.dependency-links");
  });
});

describe("fail2ban's reaction in the report", () => {
  const smtp = "5 failed SMTP AUTH logins, banned 1 s after the last one (587 no longer answers this client)";
  const imap = "5 failed IMAP logins, banned 12 s after the last one (993 no longer answers this client)";

  it("reads the seconds from verify's own detail, and nothing from a detail without a ban", () => {
    expect(banSeconds(smtp)).toBe(1);
    expect(banSeconds("2 failed SMTP AUTH logins (2 slow-down replies, last: 454 4.7.0 ...), banned 22 s after the last one (587 ...)")).toBe(22);
    expect(banSeconds("5 failed IMAP logins, but 993 still answers 60 s after the last one: no ban")).toBeUndefined();
    expect(banSeconds("inconclusive: IMAP on 993 did not take a login")).toBeUndefined();
  });

  it("puts each protocol's figure in the headline against the 10 s target, and a table in the Markdown", () => {
    const banReaction: Section<BanReactionResult> = {
      at: "2026-12-04T01:00:00Z",
      data: {
        maxRetry: 5,
        checks: [
          { id: "bruteforce-ban-smtp", proto: "smtp", label: "SMTP AUTH (587)", status: "pass", seconds: 1, detail: smtp },
          { id: "bruteforce-ban-imap", proto: "imap", label: "IMAP (993)", status: "pass", seconds: 12, detail: imap },
        ],
      },
    };
    // An earlier file with the SMTP figure only (the lab's 22 s with the penalty on).
    const earlier: FigureSet[] = [{ file: "2026-12-03.json", date: "2026-12-03", figures: [{ id: "ban.smtp", label: "x", value: 22, unit: "s", better: "lower", target: 10 }] }];
    const final = finalizeReport(report({ date: "2026-12-04", banReaction }), earlier);
    const ban = final.figures.headline.filter((h) => h.id.startsWith("ban."));
    expect(ban.map((h) => [h.id, h.value, h.target])).toEqual([["ban.smtp", 1, 10], ["ban.imap", 12, 10]]);
    const md = renderMarkdown(final);
    expect(md).toMatch(/## fail2ban's reaction/);
    expect(md).toMatch(/\| SMTP AUTH \(587\) \| bruteforce-ban-smtp: pass \| 1 s \|/);
    // The comparison table: the target met or not, and the change against the earlier file.
    expect(md).toContain("| fail2ban: SMTP AUTH (587) guesser banned after its last failure | 1 s | <= 10 s: met | 22 s (2026-12-03) | -95 % (better) |");
    expect(md).toContain("| fail2ban: IMAP (993) guesser banned after its last failure | 12 s | <= 10 s: **not met** | - | new |");
  });

  it("keeps an earlier run's figures of the day when this run did not measure them", () => {
    const banReaction: Section<BanReactionResult> = { at: "x", data: { maxRetry: 5, checks: [] } };
    expect(mergeReports(report(), report({ banReaction })).banReaction).toBe(banReaction);
  });
});

describe("the synth command's start-up split", () => {
  const command = (median: number, startup?: { npmRunSeconds: number; nodeSeconds: number }) =>
    ({ command: "npm run synth -- --stack lab", runs: 5, wallSeconds: summarize([median, median, median]), cpuSeconds: summarize([2, 2, 2]), peakRssMb: 170, loadBefore: 1, ...(startup ? { startup } : {}) });

  it("says how much of the command is npm's and node's start, and nothing more when the target is met", () => {
    const [line, ...rest] = synthStartupMd(command(1.4, { npmRunSeconds: 0.31, nodeSeconds: 0.09 }));
    expect(line).toBe("Timed beside it (medians of 5): `npm run env` 0.31 s (npm starting a script) and `node -e 0` 0.09 s (node starting), so npm takes about 0.31 s of the command before the synth's own process starts, and that process (its node start 0.09 s, loading and running the synth) about 1.09 s.");
    expect(rest).toEqual([""]);
  });

  it("over the target, says by how much and what the synth's part would have to fit in", () => {
    const [line] = synthStartupMd(command(1.62, { npmRunSeconds: 0.31, nodeSeconds: 0.09 }));
    expect(line).toContain("Over the 1.5 s target by 0.12 s: beside npm's start the synth's process would have to fit in 1.19 s");
    expect(line).toContain("run without npm (`node tools/entry.cjs tools/synth.ts`) the command takes about 1.31 s");
  });

  it("prints nothing for a report from before the split was measured", () => {
    expect(synthStartupMd(command(1.56))).toEqual([]);
  });
});
