// A DKIM rotation as the host sees it (docs/dkim-rotation.md): each step changes SSM parameters
// only, and mailfort-sync (mailfort-secrets fetch + apply, then a reload of what changed) carries
// it to Rspamd. Walked in the Debian 13 root with the real mailfort-secrets and rspamadm, the
// seed standing in for SSM and a recorder for systemctl: publishing adds the new key, the switch
// rewrites Rspamd's signing map atomically and reloads Rspamd (never a restart), the old key stays
// readable by Rspamd through the grace period, and a run with no change touches nothing.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dkimSelectorOf } from "../../infra/config";
import { dkimSigningText } from "../../infra/core/dkim-signing";
import { parameterNames } from "../../infra/core/parameters";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable && process.env.CI === "true") throw new Error(`host checker tests cannot run in CI: ${unavailable}`);

const MAP = "/etc/rspamd/local.d/dkim_selectors.map";
const cfg = loadStack("lab");
const names = parameterNames(cfg);
const DOMAIN = "mailfort.test";
const OLD = dkimSelectorOf("mail", 0);
const NEW = dkimSelectorOf("mail", 1);
const keyFile = (selector: string) => `/srv/mailfort/dkim/${DOMAIN}.${selector}.key`;

describe.skipIf(Boolean(unavailable))("a DKIM rotation through mailfort-sync, in the Debian 13 root", () => {
  let root: CheckerRoot;
  const env = { PATH: "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin", MAILFORT_SECRET_DIR: "/seed" };
  const sync = () => root.run(["/usr/local/sbin/mailfort-sync"], { env });
  const calls = () => root.run(["sh", "-c", "cat /tmp/calls 2>/dev/null; rm -f /tmp/calls"]).stdout;
  const seed = (name: string, value: string) => {
    const path = join(root.dir, "seed", name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, value);
  };
  const signingMap = (layout: { signing: number; published: number[] }) => seed(names.dkimSigning.name, dkimSigningText({ ...cfg, dkimLayout: { ...layout, revoked: [] } }));
  /** Inode, mtime (ns) and size of each file: an atomic rewrite changes the inode, a no-op nothing. */
  const identity = (...paths: string[]) => root.run(["stat", "-c", "%n %i %.9Y %s", ...paths]).stdout;
  const mapLines = () => root.run(["cat", MAP]).stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  const readableByRspamd = (path: string) => root.run(["runuser", "-u", "_rspamd", "--", "head", "-c", "27", path]).stdout;

  beforeAll(() => {
    root = prepareRoot(baseRoot(), cfg);
    writeFileSync(join(root.dir, "usr/local/bin/systemctl"), "#!/bin/sh\necho \"systemctl $*\" >> /tmp/calls\n", { mode: 0o755 });
  }, 30 * 60_000);
  afterAll(() => root?.dispose());

  it("at rest: the map from the parameter signs each domain with its generation-0 selector; Rspamd accepts it", () => {
    expect(mapLines()).toEqual([`${DOMAIN} ${OLD}`, "second.test lab2026"]);
    expect(root.run(["stat", "-c", "%U:%G %a", MAP]).stdout).toBe("root:root 644\n");
    expect(root.run(["rspamadm", "configtest"])).toMatchObject({ status: 0, stdout: "syntax OK\n" });
  });

  it("a run with no change rewrites nothing and reloads nothing", () => {
    const before = identity(MAP, keyFile(OLD));
    expect(sync()).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(calls()).toBe("");
    expect(identity(MAP, keyFile(OLD))).toBe(before);
  });

  it("published: the new key lands beside the old one (Rspamd reloaded for it); the map still signs with the old key", () => {
    const map = identity(MAP);
    // Every sending domain of the stack rotates together (mailfort.test: mail -> mail-g1, second.test: lab2026 -> lab2026-g1).
    for (const d of cfg.domains.filter((x) => x.sendsMail)) {
      seed(names.dkimKey(d.name, dkimSelectorOf(d.dkimSelector, 1)).name, root.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]).stdout);
    }
    signingMap({ signing: 0, published: [0, 1] }); // the same value: the parameter did not change at this step
    expect(sync()).toMatchObject({ status: 0, stdout: "mailfort-sync: reloaded rspamd\n" });
    expect(calls()).toBe("systemctl reload rspamd\n");
    expect(identity(MAP)).toBe(map);
    expect(root.run(["stat", "-c", "%U:%G %a", keyFile(OLD), keyFile(NEW)]).stdout).toBe("root:_rspamd 640\nroot:_rspamd 640\n");
  });

  it("a map naming a key the host does not have, or a hostile selector, is refused whole: the previous map stays, nothing reloads", () => {
    const map = identity(MAP);
    for (const bad of [{ [DOMAIN]: NEW, "second.test": "lab2026-g7" }, { [DOMAIN]: `${NEW}\nevil.test evil`, "second.test": "lab2026" }, [DOMAIN, NEW]]) {
      seed(names.dkimSigning.name, JSON.stringify(bad));
      const r = sync();
      expect(r).toMatchObject({ status: 0, stdout: "" });
      expect(r.stderr).toMatch(/dkim-signing|DKIM selector/);
      expect(calls()).toBe("");
      expect(identity(MAP)).toBe(map);
    }
    expect(mapLines()).toEqual([`${DOMAIN} ${OLD}`, "second.test lab2026"]);
  });

  it("signing: the switch rewrites the map atomically and reloads Rspamd only; Rspamd accepts it; the next run does nothing", () => {
    const map = identity(MAP);
    signingMap({ signing: 1, published: [0, 1] });
    expect(sync()).toEqual({ status: 0, stdout: "mailfort-sync: reloaded rspamd\n", stderr: `mailfort-secrets: updated ${MAP}\n` });
    expect(calls()).toBe("systemctl reload rspamd\n");
    expect(identity(MAP)).not.toBe(map);
    expect(mapLines()).toEqual([`${DOMAIN} ${NEW}`, "second.test lab2026-g1"]);
    expect(root.run(["ls", "-A", dirname(MAP)]).stdout).not.toContain("mailfort-tmp");
    expect(root.run(["rspamadm", "configtest"])).toMatchObject({ status: 0, stdout: "syntax OK\n" });
    expect(root.run(["rspamadm", "configdump", "dkim_signing"]).stdout).toContain(`selector_map = "${MAP}";`);
    expect(sync()).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(calls()).toBe("");
  });

  it("grace: the old key stays on disk and readable by Rspamd (a message queued before the switch was signed with it)", () => {
    expect(readableByRspamd(keyFile(OLD))).toBe("-----BEGIN PRIVATE KEY-----");
    expect(readableByRspamd(keyFile(NEW))).toBe("-----BEGIN PRIVATE KEY-----");
    // Nor can anyone but root and Rspamd read it.
    expect(root.run(["runuser", "-u", "nobody", "--", "cat", keyFile(OLD)]).status).not.toBe(0);
  });
});
