// What reading one report costs, at the sizes reporters send and at the caps (not a test: a
// benchmark that prints figures). Each case runs in a fresh child process: wall and CPU time,
// peak RSS (maxRSS, Node and modules included) and the RSS before reading, so the report's own
// share shows. The caps in reports/limits.ts are chosen from these figures: memory, not only
// bytes, must stay bounded on a small mail host.
//   npm run bench:reports [-- --only <case>]
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { gzipSync } from "node:zlib";
import { DEFAULT_LIMITS, isRefusal, readAttachment, type Attachment } from "../reports";
import { deflatedZeros, gzipBomb } from "../test/reports/bombs";
import { dmarcXml } from "../test/reports/samples";
import { zipArchive } from "../test/reports/zip-writer";

const ip = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const report = (records: number): string => dmarcXml({ records: Array.from({ length: records }, (_, i) => ({ ip: ip(i), count: 1 + (i % 7), dkim: i % 3 ? "pass" : "fail", spf: "fail" })) });

/** The largest report under the 8 MiB cap: records of ~650 bytes each. */
const CAP_RECORDS = Math.floor((DEFAULT_LIMITS.maxUncompressedBytes - 2048) / report(1).replace(report(0).split("<record>")[0]!, "").length * 0.98);

const CASES: Record<string, () => Promise<Attachment>> = {
  "typical (50 records, gzip)": async () => ({ name: "r.xml.gz", contentType: "application/gzip", content: gzipSync(report(50)) }),
  [`at the 8 MiB cap (${CAP_RECORDS} records, gzip)`]: async () => ({ name: "r.xml.gz", contentType: "application/gzip", content: gzipSync(report(CAP_RECORDS)) }),
  "gzip bomb (256 MiB of zeros)": async () => ({ name: "b.gz", contentType: "application/gzip", content: await gzipBomb(256) }),
  "zip bomb lying about its size (256 MiB)": async () => ({ name: "b.zip", contentType: "application/zip", content: zipArchive([{ name: "r.xml", deflated: await deflatedZeros(256), declaredSize: 1000 }]) }),
};

async function child(name: string): Promise<void> {
  const attachment = await CASES[name]!();
  const before = process.memoryUsage().rss;
  const wall = performance.now();
  const cpu = process.cpuUsage();
  let outcome = "read";
  try {
    await readAttachment(attachment, DEFAULT_LIMITS);
  } catch (e) {
    if (!isRefusal(e)) throw e;
    outcome = `refused (${e.code})`;
  }
  const used = process.cpuUsage(cpu);
  process.stdout.write(JSON.stringify({ outcome, bytes: attachment.content.length, wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000, rssBefore: before, maxRss: process.resourceUsage().maxRSS * 1024 }));
}

function main(): void {
  const only = process.argv.indexOf("--only");
  const names = Object.keys(CASES).filter((n) => only < 0 || n.includes(process.argv[only + 1] ?? ""));
  const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;
  process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
  process.stdout.write("case                                        input     outcome                wall ms  cpu ms  rss before  peak rss\n");
  for (const name of names) {
    const r = spawnSync(process.execPath, ["--import", "tsx", __filename, "--child", name], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
    const f = JSON.parse(r.stdout) as { outcome: string; bytes: number; wallMs: number; cpuMs: number; rssBefore: number; maxRss: number };
    process.stdout.write(`${name.padEnd(44)}${`${(f.bytes / 1024).toFixed(0)} KiB`.padStart(9)}  ${f.outcome.padEnd(21)}${f.wallMs.toFixed(0).padStart(8)}${f.cpuMs.toFixed(0).padStart(8)}${mib(f.rssBefore).padStart(12)}${mib(f.maxRss).padStart(10)}\n`);
  }
}

const at = process.argv.indexOf("--child");
if (at >= 0) void child(process.argv[at + 1]!);
else main();
