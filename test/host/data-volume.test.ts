// mailfort-boot formats the data volume only when it is blank. Tested for real on loop devices:
// a blank volume is formatted; an ext4 volume holding mail is kept as it is (the file survives);
// a volume with any other signature is refused and left untouched.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const BOOT = join(__dirname, "../../configs/bin/mailfort-boot");
const missing = process.getuid?.() !== 0 ? "not root (losetup needs root)"
  : ["losetup", "blkid", "mkfs.ext4", "mkswap", "mount"].find((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
if (missing && process.env.CI === "true") throw new Error(`data-volume tests cannot run in CI: ${missing}`);
if (missing) console.warn(`SKIPPING data-volume tests: ${missing}`);

const cleanups: Array<() => void> = [];
afterEach(() => { while (cleanups.length) cleanups.pop()?.(); });

function loopDevice(): string {
  const dir = mkdtempSync(join(tmpdir(), "mailfort-vol-"));
  const img = join(dir, "data.img");
  execFileSync("truncate", ["-s", "64M", img]);
  const dev = execFileSync("losetup", ["-f", "--show", img], { encoding: "utf8" }).trim();
  cleanups.push(() => { spawnSync("losetup", ["-d", dev]); rmSync(dir, { recursive: true, force: true }); });
  return dev;
}

function prepare(dev: string) {
  const r = spawnSync("bash", [BOOT, "prepare-device", dev], { encoding: "utf8" });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

function blkid(dev: string): string {
  return spawnSync("blkid", ["-p", "-o", "export", dev], { encoding: "utf8" }).stdout;
}

describe.skipIf(Boolean(missing))("data volume: format only when blank", () => {
  it("formats a blank volume as ext4 labelled mailfort-data", () => {
    const dev = loopDevice();
    expect(blkid(dev)).toBe("");
    expect(prepare(dev)).toMatchObject({ status: 0, out: "formatted" });
    expect(blkid(dev)).toMatch(/^TYPE=ext4$/m);
    expect(blkid(dev)).toMatch(/^LABEL=mailfort-data$/m);
  });

  it("keeps an ext4 volume that already holds mail, untouched", () => {
    const dev = loopDevice();
    execFileSync("mkfs.ext4", ["-q", "-L", "mailfort-data", dev]);
    const mnt = mkdtempSync(join(tmpdir(), "mailfort-mnt-"));
    cleanups.push(() => rmSync(mnt, { recursive: true, force: true }));
    execFileSync("mount", [dev, mnt]);
    writeFileSync(join(mnt, "precious-mail"), "Subject: keep me\n");
    execFileSync("umount", [mnt]);
    const uuidBefore = /^UUID=(.*)$/m.exec(blkid(dev))?.[1];

    expect(prepare(dev)).toMatchObject({ status: 0, out: "kept" });
    expect(/^UUID=(.*)$/m.exec(blkid(dev))?.[1]).toBe(uuidBefore);
    execFileSync("mount", ["-o", "ro", dev, mnt]);
    try {
      expect(readFileSync(join(mnt, "precious-mail"), "utf8")).toBe("Subject: keep me\n");
    } finally {
      execFileSync("umount", [mnt]);
    }
  });

  it("refuses a volume with any other signature and leaves it as it was", () => {
    const dev = loopDevice();
    execFileSync("mkswap", [dev], { stdio: "ignore" });
    const before = blkid(dev);
    const r = prepare(dev);
    expect(r.status).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/signature that is not ext4 \(TYPE=swap.*refusing to format/);
    expect(blkid(dev)).toBe(before);
  });

  it("refuses something that is not a block device", () => {
    const r = prepare("/dev/null");
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/not a block device/);
  });
});
