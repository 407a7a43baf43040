// The native throughput bench's pure parts: the namespaces and daemon launch lines it builds,
// the clients it shares with the VM bench, the queue count that stops a round's clock, and the
// report section (ratios beside the VM's, CPU per message, met or not against the targets).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BARE_DAEMON, MAILFORT_DAEMONS, inRootArgv, launchArgv } from "../../bench/native/daemons";
import { nativeNet, netDownCommands, netUpCommands } from "../../bench/native/net";
import { benchResolverConf } from "../../bench/native/root";
import { parsePerfReport, perfRecordArgv, perfReportArgv } from "../../bench/native/profile";
import { processTicks } from "../../bench/native/cgroups";
import { deliveredMessages, queuedMessages } from "../../bench/native/throughput";
import { type ClientSetup, clientArgv, nodeClientRun } from "../../bench/load-clients";
import { timeRound } from "../../bench/interleave";
import { cpuPerMessage, ratioFindings, vmRatiosBeside } from "../../bench/native-report";
import type { FigureSet } from "../../bench/compare";
import { type BenchReport, finalizeReport, renderMarkdown } from "../../bench/report";
import { throughputFigures } from "../../bench/throughput-figures";
import type { RoundResult, ThroughputResult } from "../../bench/throughput";

describe("the native bench's network", () => {
  const net = nativeNet("abc12");

  it("uses namespaces of its own with the lab's server and sender addresses", () => {
    expect(net).toMatchObject({ server: "mfbench-srv-abc12", sender: "mfbench-snd-abc12", serverAddress: "10.77.0.10", senderAddress: "10.77.0.20" });
    expect(net.server.startsWith("mflab-")).toBe(false);
    expect(net.serverLink.length).toBeLessThanOrEqual(15);
  });

  it("creates one veth pair between the two and no route out", () => {
    const up = netUpCommands(net);
    expect(up[0]).toEqual(["ip", "netns", "add", "mfbench-srv-abc12"]);
    expect(up).toContainEqual(["ip", "link", "add", "mfbabc12s", "netns", "mfbench-srv-abc12", "type", "veth", "peer", "name", "mfbabc12c", "netns", "mfbench-snd-abc12"]);
    expect(up).toContainEqual(["ip", "-n", "mfbench-snd-abc12", "addr", "add", "10.77.0.20/24", "dev", "mfbabc12c"]);
    expect(up.flat().join(" ")).not.toMatch(/route|default|nat|masquerade/);
    expect(netDownCommands(net)).toEqual([["ip", "netns", "del", "mfbench-srv-abc12"], ["ip", "netns", "del", "mfbench-snd-abc12"]]);
  });

  it("refuses a tag that would make a bad or overlong name", () => {
    expect(() => nativeNet("Bad tag")).toThrow(/1-8 lowercase letters or digits/);
    expect(() => nativeNet("123456789")).toThrow(/namespace tag/);
  });

  it("answers the sender's names the way the lab DNS does, and nothing else", () => {
    const conf = benchResolverConf(net);
    expect(conf).toContain('local-zone: "." static');
    expect(conf).toContain('"remote.test. 300 IN TXT \\"v=spf1 ip4:10.77.0.20 -all\\""');
    expect(conf).toContain('"20.0.77.10.in-addr.arpa. 300 IN PTR sender.remote.test."');
    expect(conf).not.toMatch(/forward-zone|forward-addr/);
  });
});

describe("the native bench's daemons", () => {
  it("start as their Debian units do, in mailfort-boot's order, the bare Postfix apart", () => {
    expect(MAILFORT_DAEMONS.map((d) => d.name)).toEqual(["unbound", "redis", "rspamd", "dovecot", "postfix"]);
    expect(MAILFORT_DAEMONS.find((d) => d.name === "rspamd")).toMatchObject({ argv: ["/usr/bin/rspamd", "-c", "/etc/rspamd/rspamd.conf", "-f"], user: "_rspamd:_rspamd" });
    expect(BARE_DAEMON.argv).toEqual(["/usr/sbin/postfix", "-c", "/etc/postfix-bench", "start"]);
    expect(BARE_DAEMON.ports).toEqual([2525]);
  });

  it("waits for Rspamd's hyperscan database, as the lab image has it warm", () => {
    const rspamd = MAILFORT_DAEMONS.find((d) => d.name === "rspamd");
    const line = "2026-12-01 21:10:04 #24361(rspamd_proxy) <6e2053>; re_cache; rspamd_re_cache_load_hyperscan: full hyperscan database of 180 regexps has been loaded";
    expect(rspamd?.readyLog?.pattern.test(line)).toBe(true);
    expect(rspamd?.readyLog?.pattern.test(line.replace("rspamd_proxy", "controller"))).toBe(false);
    expect(rspamd?.readyLog?.pattern.test("rspamd_re_cache_load_hyperscan: hyperscan database has NOT been loaded; no valid expressions")).toBe(false);
  });

  it("joins its cgroup before exec, then runs in the root and namespace with a clean environment", () => {
    const redis = MAILFORT_DAEMONS.find((d) => d.name === "redis");
    if (redis === undefined) throw new Error("no redis");
    const argv = launchArgv(redis, "/r", "ns1", "/sys/fs/cgroup/cpuacct/x/redis/cgroup.procs");
    expect(argv.slice(0, 5)).toEqual(["sh", "-c", 'echo $$ > "$1" && shift && exec "$@"', "mailfort-native-launch", "/sys/fs/cgroup/cpuacct/x/redis/cgroup.procs"]);
    expect(argv.slice(5)).toEqual(inRootArgv("/r", "ns1", redis.argv, "redis:redis"));
    expect(argv.slice(5, 12)).toEqual(["ip", "netns", "exec", "ns1", "chroot", "--userspec=redis:redis", "/r"]);
    expect(argv.slice(12, 16)).toEqual(["/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"]);
  });
});

describe("the load clients (shared with the VM bench)", () => {
  const setup: ClientSetup = {
    netns: "snd", host: "10.77.0.10", sessions: 4, bodyBytes: 2048, files: { bare: "/m/bare.eml", inbound: "/m/in.eml" }, repo: "/repo",
    submission: { password: "pw", ca: "/ca.pem", servername: "mail.mailfort.test" },
  };

  it("sends (a) and (b) with smtp-source from the sender namespace, (a) to the bare port", () => {
    expect(clientArgv("bare", 320, setup)).toEqual(["ip", "netns", "exec", "snd", "smtp-source", "-d", "-s", "4", "-m", "320", "-F", "/m/bare.eml", "-f", "bench@remote.test", "-t", "nobody@discard.test", "-M", "sender.remote.test", "10.77.0.10:2525"]);
    expect(clientArgv("inbound", 80, setup).slice(-5)).toEqual(["-t", "alice@mailfort.test", "-M", "sender.remote.test", "10.77.0.10:25"]);
  });

  it("sends (c) with nodemailer over STARTTLS and AUTH against the server's CA, (a') without", () => {
    const c = clientArgv("submission", 80, setup);
    expect(c.slice(4, 6)).toEqual(["/repo/node_modules/.bin/tsx", "/repo/bench/smtp-load.ts"]);
    expect(c.join(" ")).toContain("--port 587 --from alice@mailfort.test --to bob@mailfort.test --user alice@mailfort.test --pass pw --ca /ca.pem --servername mail.mailfort.test");
    const a = clientArgv("bare-auth-client", 320, setup).join(" ");
    expect(a).toContain("--port 2525");
    expect(a).not.toMatch(/--user|--ca/);
  });

  it("takes the node client's own clock, and a refusal or garbage as the round's error", () => {
    expect(nodeClientRun('{"sent":80,"failed":0,"seconds":2.5}\n', "", 80, 10_000)).toEqual({ t0: 7_500, accepted: 10_000 });
    expect(nodeClientRun('{"sent":79,"failed":1,"seconds":2,"firstError":"535 auth"}', "", 80, 10_000).error).toBe("1 of 80 refused: 535 auth");
    expect(nodeClientRun("", "tsx: not found", 80, 10_000).error).toBe("load client: tsx: not found");
  });
});

describe("the mailbox count that proves delivery", () => {
  const store = mkdtempSync(join(tmpdir(), "native-store-"));
  afterAll(() => rmSync(store, { recursive: true, force: true }));

  it("counts new and seen messages per mailbox, not Dovecot's own files", () => {
    for (const sub of ["new", "cur", "tmp"]) mkdirSync(join(store, "mailfort.test", "alice", "Maildir", sub), { recursive: true });
    writeFileSync(join(store, "mailfort.test", "alice", "Maildir", "new", "1.M1"), "");
    writeFileSync(join(store, "mailfort.test", "alice", "Maildir", "cur", "2.M2:2,S"), "");
    writeFileSync(join(store, "mailfort.test", "alice", "Maildir", "tmp", "3.M3"), "");
    writeFileSync(join(store, "mailfort.test", "alice", "Maildir", "dovecot.index.log"), "");
    mkdirSync(join(store, "mailfort.test", "bob"), { recursive: true });
    expect(deliveredMessages(store)).toEqual(new Map([["alice@mailfort.test", 2], ["bob@mailfort.test", 0]]));
  });
});

describe("the queue count that ends a round", () => {
  const spool = mkdtempSync(join(tmpdir(), "native-queue-"));
  afterAll(() => rmSync(spool, { recursive: true, force: true }));

  it("counts message files in the queues that hold mail, hashed subdirectories included", () => {
    expect(queuedMessages(spool)).toBe(0);
    mkdirSync(join(spool, "active", "A"), { recursive: true });
    mkdirSync(join(spool, "deferred", "3"), { recursive: true });
    mkdirSync(join(spool, "pid"), { recursive: true });
    writeFileSync(join(spool, "active", "A", "4XyZ"), "");
    writeFileSync(join(spool, "deferred", "3", "3AbC"), "");
    mkdirSync(join(spool, "incoming"), { recursive: true });
    writeFileSync(join(spool, "incoming", "5DeF"), "");
    writeFileSync(join(spool, "pid", "master.pid"), "1");
    expect(queuedMessages(spool)).toBe(3);
  });
});

const r = (target: RoundResult["target"], n: number, seconds: number, cpu: RoundResult["cpu"] = []): RoundResult =>
  ({ target, round: n, messages: 100, acceptSeconds: seconds, totalSeconds: seconds, messagesPerSecond: 100 / seconds, cpu });

describe("the native findings", () => {
  const result: ThroughputResult = {
    rounds: [
      r("bare", 1, 1, [{ unit: "postfix-bare", cpuSeconds: 0.2, share: 1 }]),
      r("inbound", 1, 4, [{ unit: "dovecot", cpuSeconds: 0.5, share: 0.5 }, { unit: "rspamd", cpuSeconds: 0.3, share: 0.3 }, { unit: "postfix", cpuSeconds: 0.2, share: 0.2 }]),
      { ...r("inbound", 2, 9, [{ unit: "dovecot", cpuSeconds: 9, share: 1 }]), error: "smtp-source exit 1" },
      r("bare-auth-client", 1, 2, [{ unit: "postfix-bare", cpuSeconds: 0.3, share: 1 }]),
      r("submission", 1, 5, [{ unit: "dovecot", cpuSeconds: 0.4, share: 0.5 }, { unit: "rspamd", cpuSeconds: 0.4, share: 0.5 }]),
    ],
    cpuByTarget: {},
    settings: { sessions: 4, messages: 100, bareMessages: 100, bodyBytes: 2048, bareSetup: "bare" },
  };

  it("charges each daemon's CPU per message, leaving failed rounds out", () => {
    expect(cpuPerMessage(result).inbound).toEqual([{ daemon: "dovecot", msPerMessage: 5 }, { daemon: "rspamd", msPerMessage: 3 }, { daemon: "postfix", msPerMessage: 2 }]);
    expect(cpuPerMessage(result).bare).toEqual([{ daemon: "postfix-bare", msPerMessage: 2 }]);
  });

  it("says which ratio misses its target and what the CPU per message bounds it to", () => {
    const [b, c] = ratioFindings(throughputFigures(result.rounds), cpuPerMessage(result));
    expect(b).toContain("b/a = 0.250 natively, target >= 0.4: **not met**");
    expect(b).toContain("(b) inbound path on 25: postscreen, Rspamd, LMTP -> Dovecot 10.00 ms (dovecot 5.00, rspamd 3.00, postfix 2.00)");
    expect(b).toContain("the bare Postfix 2.00 ms (postfix-bare 2.00): their quotient, 0.200");
    expect(b).toContain("To reach 0.4 on CPU alone, the path may cost at most 5.00 ms a message: 5.00 ms less than now.");
    // dovecot's 5.00 ms is not over the 5.00 ms budget; no daemon alone rules the target out here.
    expect(b).not.toContain("more than that");
    expect(c).toContain("c/a' = 0.400 natively, target >= 0.3: met");
    expect(c).not.toContain("To reach");
  });

  it("names a daemon whose own CPU per message is over the whole path's budget", () => {
    const heavy = { ...result, rounds: result.rounds.map((x) => (x.target === "inbound" ? { ...x, cpu: [{ unit: "rspamd", cpuSeconds: 0.6, share: 0.75 }, { unit: "dovecot", cpuSeconds: 0.2, share: 0.25 }] } : x)) };
    const [b] = ratioFindings(throughputFigures(heavy.rounds), cpuPerMessage(heavy));
    expect(b).toContain("rspamd alone (6.00 ms) costs more than that: on this CPU the target cannot be met while it does its work on every message");
    expect(b).not.toContain("dovecot alone");
  });
});

describe("the native section of the bench report", () => {
  const rounds = [r("bare", 1, 1), r("inbound", 1, 4), r("bare", 2, 2), r("inbound", 2, 5), r("bare-auth-client", 1, 2), r("submission", 1, 5)];
  const native: BenchReport = {
    date: "2026-12-02", command: "npm run bench -- native", machine: { cpus: 2, node: "v20", load1: 1, vm: "no VM" }, notes: [],
    nativeThroughput: { at: "2026-12-02T10:00:00Z", data: { where: "the Debian 13 root", rounds, cpuByTarget: {}, settings: { sessions: 4, messages: 100, bodyBytes: 2048, bareSetup: "bare" } } },
  };
  const vmEarlier: FigureSet = { file: "2026-11-28.json", date: "2026-11-28", figures: [
    { id: "throughput.b-over-a", label: "b/a end to end (VM)", value: 0.113, unit: "", better: "higher" },
    { id: "throughput.c-over-a-prime", label: "c/a' end to end (VM)", value: 0.145, unit: "", better: "higher" },
  ] };

  it("computes the figures once: the JSON's ratios are the ones the Markdown prints", () => {
    const final = finalizeReport(native, [vmEarlier]);
    const f = final.figures.nativeThroughput;
    // Medians: a = (100 + 50) / 2 = 75 msg/s, b = (25 + 20) / 2 = 22.5; b/a = 0.3.
    expect(f?.ratios.bOverA).toBe(0.3);
    expect(f?.ratios.cOverAprime).toBe(0.4);
    const md = renderMarkdown(final);
    expect(md).toContain(`| b/a end to end | ${f?.ratios.bOverA?.toFixed(3)} | 0.113 | >= 0.4 |`);
    expect(md).toContain(`| c/a' end to end | ${f?.ratios.cOverAprime?.toFixed(3)} | 0.145 | >= 0.3 |`);
    expect(md).toContain("| ratio | native | VM (2026-11-28.json) | target (native) |");
  });

  it("gives the native ratios their targets in the headline, and the VM's none", () => {
    const final = finalizeReport(native, [vmEarlier]);
    expect(final.figures.headline.find((h) => h.id === "native.b-over-a")).toMatchObject({ value: 0.3, target: 0.4 });
    expect(final.figures.headline.find((h) => h.id === "native.c-over-a-prime")).toMatchObject({ value: 0.4, target: 0.3 });
    expect(final.figures.comparison.find((c) => c.figure.id === "native.b-over-a")).toMatchObject({ verdict: "new", targetMet: false });
    expect(vmRatiosBeside("2026-12-02", final.figures.headline, [vmEarlier])?.ratios).toEqual({ bOverA: 0.113, cOverAprime: 0.145 });
  });

  it("compares with the previous results file that has the native figures", () => {
    const earlier = finalizeReport({ ...native, date: "2026-12-01" }, []);
    const now = finalizeReport({ ...native, nativeThroughput: native.nativeThroughput && { ...native.nativeThroughput, data: { ...native.nativeThroughput.data, rounds: rounds.map((x) => (x.target === "inbound" ? { ...x, totalSeconds: x.totalSeconds / 2 } : x)) } } },
      [{ file: "2026-12-01.json", date: "2026-12-01", figures: earlier.figures.headline }]);
    const row = now.figures.comparison.find((c) => c.figure.id === "native.b-over-a");
    expect(row).toMatchObject({ verdict: "better", previous: { value: 0.3, file: "2026-12-01.json" } });
    expect(renderMarkdown(now)).toMatch(/\| b\/a end to end \(native\) \| 0\.600 \| >= 0\.400: met \| 0\.300 \(2026-12-01\) \| \+100 % \(better\) \|/);
  });

  it("says whether the paths delivered every message, and loudly when not", () => {
    const withDelivery = (found: number) => renderMarkdown(finalizeReport({ ...native, nativeThroughput: native.nativeThroughput && { ...native.nativeThroughput, data: { ...native.nativeThroughput.data, delivered: { expected: 300, found } } } }, []));
    expect(withDelivery(300)).toContain("Delivered: all 300 messages of the inbound and submission rounds and warm-ups are in the recipients' mailboxes (300 found).");
    expect(withDelivery(120)).toContain("**Delivered: only 120 of 300 messages of the inbound and submission rounds reached the mailboxes**");
  });

  it("says no VM ratio exists rather than printing a blank", () => {
    expect(renderMarkdown(finalizeReport(native, []))).toContain("| ratio | native | VM (none measured yet) | target (native) |");
  });
});

describe("the perf profile", () => {
  const text = [
    "# Samples: 2K of event 'cpu-clock:ppp'",
    "# Overhead  Command          Shared Object",
    "#",
    "    16.88%  rspamd           libluajit-5.1.so.2.1.1737090214",
    "    10.71%  lmtp             [kernel.kallsyms]              ",
    "     2.19%  rspamd           [JIT] tid 6702                 ",
    "",
  ].join("\n");

  it("reads perf's report by command and shared object, JIT code of any thread as one object", () => {
    expect(parsePerfReport(text)).toEqual({ samples: 2000, rows: [
      { percent: 16.88, command: "rspamd", object: "libluajit-5.1.so.2.1.1737090214" },
      { percent: 10.71, command: "lmtp", object: "[kernel.kallsyms]" },
      { percent: 2.19, command: "rspamd", object: "[JIT]" },
    ] });
    expect(parsePerfReport("").rows).toEqual([]);
  });

  it("samples only the given processes, and reports without call graphs", () => {
    expect(perfRecordArgv([10, 11], "/w/p.data")).toEqual(["perf", "record", "-F", "499", "-o", "/w/p.data", "-p", "10,11"]);
    expect(perfReportArgv("/w/p.data")).toEqual(expect.arrayContaining(["--sort", "comm,dso", "-g", "none", "--no-children"]));
  });

  it("reads a process's CPU ticks from /proc/<pid>/stat, a command with spaces and parentheses included", () => {
    const stat = "4242 (rspamd: proxy (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 25 0 0 39 19 1 0 100 0 0";
    expect(processTicks("rspamd", stat)).toEqual([{ pid: 4242, comm: "rspamd: proxy (x)", unit: "rspamd", ticks: 175 }]);
    expect(processTicks("x", "garbage")).toEqual([]);
  });
});

describe("a round's clock (both benches)", () => {
  const client = (t0: number, accepted: number, error?: string) => async () => ({ t0, accepted, ...(error ? { error } : {}) });

  it("runs from the client's start until the queue is empty", async () => {
    expect(await timeRound(80, client(1_000, 3_000), async () => 5_000)).toEqual({ acceptSeconds: 2, totalSeconds: 4, messagesPerSecond: 20 });
  });

  it("keeps the client's error, and a queue that never drains is the round's error", async () => {
    expect((await timeRound(80, client(1_000, 3_000, "smtp-source exit 1"), async () => 4_000)).error).toBe("smtp-source exit 1");
    const stuck = await timeRound(80, client(Date.now() - 2_000, Date.now()), async () => {
      throw new Error("3 message(s) still queued");
    });
    expect(stuck.error).toBe("3 message(s) still queued");
    expect(stuck.totalSeconds).toBeGreaterThanOrEqual(stuck.acceptSeconds);
  });
});
