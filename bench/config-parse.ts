// Parsing any stack file must take under 1 s and 200 MB, whatever it holds (not a test: a
// benchmark that prints the figures). Each file is parsed by parseStackFile + parseMailConfig in
// a fresh child process, cold, as `npm run synth` or the policy pack would meet it; the child
// reports wall and CPU time, its peak RSS (maxRSS, which includes Node and the loaded modules) and the
// RSS before parsing, so the parse's own share shows beside the total.
//   npm run bench:config [-- --only <case>]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { ConfigError, STACK_FILE_LIMITS, parseMailConfig, parseStackFile } from "../infra/config";

const BLF = "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy";
const SECURE = { secure: `v1:AAAAAAAAAAAAAAAA:${"B".repeat(140)}` };

function base(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "mailfort:region": "eu-west-1", "mailfort:environment": "prod", "mailfort:hostname": "mail.example.com",
    "mailfort:domains": [{ name: "example.com" }], "mailfort:tls": { mode: "acme", acmeEmail: "ops@example.net" },
    "mailfort:mailboxes": [{ address: "alice@example.com", passwordHashSecret: "alice-password" }], "mailfort:alice-password": SECURE,
    ...extra,
  };
}
// noRefs: a repeated value is written out, not as an anchor and aliases.
const file = (config: Record<string, unknown>, prefix = "") => `${prefix}${dump({ config }, { lineWidth: -1, noRefs: true })}`;
const fill = (unit: string, bytes = STACK_FILE_LIMITS.bytes - 4096) => unit.repeat(Math.floor(bytes / unit.length));

/** Each case: a stack file text. Valid and hostile, the largest of each shape the bounds let through. */
const CASES: Record<string, () => string> = {
  "prod stack (stacks/Pulumi.prod.yaml)": () => readFileSync(join(__dirname, "..", "stacks", "Pulumi.prod.yaml"), "utf8"),
  "5,000 mailboxes with secure hashes (valid, ~1.5 MB)": () => {
    const n = 5000;
    const mailboxes = Array.from({ length: n }, (_, i) => ({ address: `user${i}@example.com`, passwordHashSecret: `user${i}-password` }));
    const secrets = Object.fromEntries(mailboxes.map((m) => [`mailfort:${m.passwordHashSecret}`, SECURE]));
    return file(base({ "mailfort:mailboxes": mailboxes, "mailfort:alice-password": undefined, ...secrets }));
  },
  "5,000 aliases x 10 targets (valid)": () => {
    // Each list forwards to alice and to the next lists: deep chains, no loop.
    const aliases = Array.from({ length: 5000 }, (_, i) => ({ from: `list${i}@example.com`, to: ["alice@example.com", ...Array.from({ length: 9 }, (_, j) => i + j + 1).filter((k) => k < 5000).map((k) => `list${k}@example.com`)] }));
    return file(base({ "mailfort:aliases": aliases }));
  },
  "1,000 block + 1,000 allow IPs, every pair compared": () => file(base({
    "mailfort:antispam": { blockIps: Array.from({ length: 1000 }, (_, i) => `198.${18 + (i >> 8)}.${i & 255}.0/24`), allowIps: Array.from({ length: 1000 }, (_, i) => `203.0.${i & 255}.${i >> 8}`) },
  })),
  "billion laughs (9 levels of 9 aliases)": () => {
    let t = "a0: &a0 [x,x,x,x,x,x,x,x,x]\n";
    for (let i = 1; i < 9; i++) t += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(",")}]\n`;
    return file(base(), t);
  },
  "doubling bomb inside the alias limit (2^30 values)": () => {
    let t = "b0: &b0 [x,x,x,x]\n";
    for (let i = 1; i < 31; i++) t += `b${i}: &b${i} [*b${i - 1}, *b${i - 1}]\n`;
    return file(base(), t);
  },
  "doubling bomb of a 1 MB string": () => {
    let t = `s0: &s0 ${"y".repeat(1_000_000)}\n`;
    for (let i = 1; i < 20; i++) t += `s${i}: &s${i} [*s${i - 1}, *s${i - 1}]\n`;
    return file(base(), t);
  },
  "2 MB of open brackets": () => `config: ${fill("[")}\n`,
  "2 MB of one key repeated in a nested mapping": () => `config:\n${Array.from({ length: 14 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`).join("\n")}\n${fill("                x: 1\n")}`,
  "5,000 keys in one nested mapping": () => file(base({ "mailfort:limits": Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) })),
  "2 MB of tiny unknown keys (flow)": () => {
    const keys: string[] = [];
    for (let i = 0, size = 0; size < STACK_FILE_LIMITS.bytes - 8192; i++) size += keys[keys.push(`mailfort:k${i}: 1`) - 1]!.length + 2;
    return `config: {${keys.join(", ")}}\n`;
  },
  "79,000 keys, just under the separator bound": () => `config: {${Array.from({ length: 79_000 }, (_, i) => `k${i}: 1`).join(", ")}}\n`,
  "a 79,000-entry list, just under the separator bound": () => file(base(), `x: [${Array.from({ length: 79_000 }, (_, i) => `a${i}`).join(",")}]\n`).replace(/^x: .*\n/, "").replace("config:\n", `config:\n  mailfort:aliases: [${Array.from({ length: 79_000 }, (_, i) => `a${i}`).join(",")}]\n`),
  "2 MB of unknown settings (block), each with a suggestion": () => `config:\n${Array.from({ length: 60000 }, (_, i) => `  mailfort:alarmEmial${i}: x`).join("\n")}\n`,
  "2 MB single scalar": () => file(base({ "mailfort:hostname": "h".repeat(STACK_FILE_LIMITS.bytes - 4096) })),
  "5,000 mailboxes with unset secrets (5,000 errors, redacted)": () => {
    const mailboxes = Array.from({ length: 5000 }, (_, i) => ({ address: `user${i}@example.com`, passwordHashSecret: `user${i}-password` }));
    return file(base({ "mailfort:mailboxes": mailboxes, "mailfort:environment": "lab", "mailfort:alice-password": BLF }));
  },
  "file over the size limit (3 MB)": () => `${file(base())}# ${"x".repeat(3 * 1024 * 1024)}\n`,
};

interface Figures { ms: number; cpuMs: number; peakMb: number; beforeMb: number; outcome: string; bytes: number }

function child(path: string): void {
  const text = readFileSync(path, "utf8");
  const beforeMb = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  const cpu = process.cpuUsage();
  let outcome = "accepted";
  try {
    parseMailConfig(parseStackFile(text, "bench.yaml"), "bench");
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    outcome = `refused (${e.issues.length} issue${e.issues.length === 1 ? "" : "s"}: ${e.issues[0]?.problem.slice(0, 60) ?? ""})`;
    void e.message; // formatting the message is part of the cost
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const figures: Figures = { ms, cpuMs: (used.user + used.system) / 1000, peakMb: process.resourceUsage().maxRSS / 1024, beforeMb, outcome, bytes: Buffer.byteLength(text) };
  process.stdout.write(JSON.stringify(figures));
}

function main(): void {
  const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
  const dir = mkdtempSync(join(tmpdir(), "mailfort-config-bench-"));
  const rows: string[][] = [];
  let worstMs = 0;
  let worstCpuMs = 0;
  let worstMb = 0;
  try {
    for (const [name, make] of Object.entries(CASES)) {
      if (only !== undefined && !name.includes(only)) continue;
      const path = join(dir, "Pulumi.bench.yaml");
      writeFileSync(path, make());
      const r = spawnSync(process.execPath, ["--import", "tsx", __filename, "--child", path], { encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`${name}: the child failed (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
      const f = JSON.parse(r.stdout) as Figures;
      worstMs = Math.max(worstMs, f.ms);
      worstCpuMs = Math.max(worstCpuMs, f.cpuMs);
      worstMb = Math.max(worstMb, f.peakMb);
      rows.push([name, (f.bytes / 1024).toFixed(0), f.ms.toFixed(0), f.cpuMs.toFixed(0), f.peakMb.toFixed(0), (f.peakMb - f.beforeMb).toFixed(0), f.outcome]);
      process.stderr.write(`  ${name}: ${f.ms.toFixed(0)} ms wall, ${f.cpuMs.toFixed(0)} ms CPU, peak ${f.peakMb.toFixed(0)} MiB\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const head = ["case", "KiB", "wall ms", "CPU ms", "peak RSS MiB", "parse's own MiB", "outcome"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  console.log(`stack-file parsing, one cold child process per file (${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)})`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  // On a shared machine wall time also counts the time other processes held the CPU; the CPU
  // time is what parsing itself costs.
  console.log(`worst: ${worstMs.toFixed(0)} ms wall, ${worstCpuMs.toFixed(0)} ms CPU, ${worstMb.toFixed(0)} MiB peak RSS (targets: < 1000 ms, < 200 MiB)`);
}

if (process.argv.includes("--child")) child(process.argv[process.argv.indexOf("--child") + 1] as string);
else main();
