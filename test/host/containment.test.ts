// Containment of a hijacked account, in the Debian 13 root with the real Postfix, Rspamd,
// journalctl and Python: the rendered main.cf/master.cf refuse a suspended login on both
// submission services and only there; mailfort-containment keeps the list and the Postfix map in
// step; its detector counts real Postfix 3.10 log lines (test/host/fixtures/containment-journal.txt,
// in journalctl's short-unix form) and suspends exactly the logins past a threshold.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable) console.warn(`SKIPPING containment host tests: ${unavailable}`);

const BIN = "/usr/local/sbin/mailfort-containment";
const LIST = "/var/lib/mailfort/suspended-senders";
const MAP = "texthash:/etc/postfix/maps/suspended-senders";
const REPLY = "554 5.7.1 account suspended for sending like a hijacked account; contact the postmaster";
const REPLAY = "/tmp/containment-journal.txt";

/** The fixture's lines moved in time so that its last line is a minute old (the detector counts the last hour). */
function fixtureEndingNow(): string {
  const lines = readFileSync(join(__dirname, "fixtures/containment-journal.txt"), "utf8").trimEnd().split("\n");
  const last = Math.max(...lines.map((l) => Number(l.split(" ", 1)[0])));
  const shift = Date.now() / 1000 - 60 - last;
  return `${lines.map((l) => { const [t, ...rest] = l.split(" "); return [(Number(t) + shift).toFixed(6), ...rest].join(" "); }).join("\n")}\n`;
}

describe.skipIf(Boolean(unavailable))("containment in the Debian 13 root (lab stack: 10 messages an hour, factor 2, 5 refusals)", () => {
  let root: CheckerRoot;
  const run = (argv: string[], env: Record<string, string> = {}) => root.run(argv, { env });
  const list = () => run(["cat", LIST]).stdout;
  const lookup = (login: string) => run(["postmap", "-q", login, MAP]);
  beforeAll(() => { root = prepareRoot(baseRoot(), loadStack("lab")); }, 30 * 60_000);
  afterAll(() => root?.dispose());

  it("postconf: both submission services look the SASL login up in the suspended map first; port 25 never does", () => {
    const services = run(["postconf", "-P", "-x"]);
    expect(services.stderr).toBe("");
    const sender = (service: string) => new RegExp(`^${service}/inet/smtpd_sender_restrictions = (.*)$`, "m").exec(services.stdout)?.[1];
    for (const service of ["submission", "submissions"]) {
      expect(sender(service)).toBe(`check_sasl_access ${MAP}, reject_non_fqdn_sender, reject_sender_login_mismatch`);
    }
    expect(sender("smtp")).toBeUndefined();
    const port25 = run(["postconf", "-h", "-x", "smtpd_sender_restrictions"]);
    expect(port25.stdout).not.toContain("check_sasl_access");
    expect(port25.stdout).not.toContain("suspended-senders");
  });

  it("boot's render left an empty list and an empty map, which Postfix and Rspamd accept", () => {
    expect(run(["stat", "-c", "%a %s", LIST, "/etc/postfix/maps/suspended-senders"]).stdout).toBe("644 0\n644 0\n");
    expect(run(["postfix", "check"])).toMatchObject({ status: 0, stderr: "" });
    const multimap = run(["rspamadm", "configdump", "multimap"]).stdout;
    expect(multimap).toMatch(/MAILFORT_SUSPENDED_USER \{[^}]*type = "user";[^}]*map = "\/var\/lib\/mailfort\/suspended-senders";/);
  });

  it("suspend by hand: the login is on the list (one address a line) and Postfix's map answers 554 for it alone; lift takes it off", () => {
    const s = run([BIN, "suspend", "Bob@mailfort.test"]);
    expect(s.status).toBe(0);
    expect(s.stdout).toContain("suspended bob@mailfort.test from sending: suspended by hand");
    expect(list()).toBe("bob@mailfort.test\n");
    expect(lookup("bob@mailfort.test").stdout).toBe(`${REPLY}\n`);
    expect(lookup("alice@mailfort.test").status).toBe(1);
    expect(run([BIN, "suspend", "bob@mailfort.test"]).stdout).toContain("already suspended");
    expect(run([BIN, "status"], { MAILFORT_CONTAINMENT_JOURNAL: "/dev/null" }).stdout).toContain("suspended: bob@mailfort.test");
    const l = run([BIN, "lift", "bob@mailfort.test"]);
    expect(l).toMatchObject({ status: 0 });
    expect(l.stdout).toContain("lifted the suspension of bob@mailfort.test");
    expect(list()).toBe("");
    expect(lookup("bob@mailfort.test").status).toBe(1);
    expect(run([BIN, "lift", "bob@mailfort.test"]).status).toBe(1);
    expect(run([BIN, "suspend", "not an address"]).status).toBe(2);
  });

  it("scan with the real journalctl and no journal yet: an empty hour, not a failure", () => {
    const r = run([BIN, "scan"]);
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(r.stdout).toContain("0 login(s) sent mail in the last hour; 0 newly suspended");
  });

  it("scan of a spam loop: the looping login and the one Rspamd keeps refusing are suspended; the others are not; a lift holds", () => {
    writeFileSync(join(root.dir, REPLAY), fixtureEndingNow());
    const env = { MAILFORT_CONTAINMENT_JOURNAL: REPLAY };
    const r = run([BIN, "scan"], env);
    expect(r.status).toBe(0);
    // alice: 25 submissions (15 of them held by Rspamd's limit) > 10 x 2; carol: 5 refusals (5.7.1).
    expect(r.stdout).toContain("suspended alice@mailfort.test from sending: 25 messages submitted in the last hour, more than 20");
    expect(r.stdout).toContain("suspended carol@second.test from sending: 5 of its messages refused by Rspamd in the last hour");
    expect(r.stdout).toContain("2 newly suspended");
    // bob sent 3; dave's burst of 30 is two hours old (2 in this hour); inbound mail on 25 has no login.
    expect(list()).toBe("alice@mailfort.test\ncarol@second.test\n");
    expect(lookup("bob@mailfort.test").status).toBe(1);
    expect(lookup("dave@mailfort.test").status).toBe(1);
    const status = run([BIN, "status"], env).stdout;
    expect(status).toContain("last hour: alice@mailfort.test submitted 25, refused by Rspamd 0");
    expect(status).toContain("last hour: carol@second.test submitted 6, refused by Rspamd 5");
    expect(status).toContain("last hour: dave@mailfort.test submitted 2, refused by Rspamd 0");
    // The same hour of log lines does not suspend alice again once the operator lifted it.
    expect(run([BIN, "lift", "alice@mailfort.test"]).status).toBe(0);
    const again = run([BIN, "scan"], env);
    expect(again.stdout).toContain("0 newly suspended; 1 suspended in all");
    expect(list()).toBe("carol@second.test\n");
    expect(lookup("alice@mailfort.test").status).toBe(1);
    expect(lookup("carol@second.test").stdout).toBe(`${REPLY}\n`);
    expect(run([BIN, "lift", "carol@second.test"]).status).toBe(0);
  });

  it("a suspension holds what the login already queued, with the real Postfix; other senders' mail stays in the queue", () => {
    const main = join(root.dir, "etc/postfix/main.cf");
    const before = readFileSync(main, "utf8");
    // No Rspamd runs in the root: local submissions skip the milter here (and only here).
    expect(run(["postconf", "-e", "non_smtpd_milters ="]).status).toBe(0);
    // Postfix in a network namespace of its own: nothing can leave, outbound mail defers.
    const started = root.run(["sh", "-c", "ip link set lo up && postfix start"], { netns: true });
    expect(started, started.stderr).toMatchObject({ status: 0 });
    try {
      for (const [from, to] of [["alice@mailfort.test", "x@remote.test"], ["bob@mailfort.test", "y@remote.test"]]) {
        expect(run(["sh", "-c", `printf 'Subject: queued\\n\\nbody\\n' | sendmail -f ${from} ${to}`]).status).toBe(0);
      }
      const queued = () => run(["postqueue", "-j"]).stdout.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as { queue_name: string; sender: string });
      for (let i = 0; i < 60 && queued().filter((e) => ["incoming", "active", "deferred"].includes(e.queue_name)).length < 2; i++) spawnSync("sleep", ["1"]);
      expect(queued().map((e) => e.sender).sort()).toEqual(["alice@mailfort.test", "bob@mailfort.test"]);
      const s = run([BIN, "suspend", "alice@mailfort.test"]);
      expect(s.stdout).toContain("suspended alice@mailfort.test from sending: suspended by hand; 1 queued message(s) put on hold");
      const after = queued();
      expect(after.find((e) => e.sender === "alice@mailfort.test")?.queue_name).toBe("hold");
      expect(after.find((e) => e.sender === "bob@mailfort.test")?.queue_name).not.toBe("hold");
      expect(run([BIN, "status"], { MAILFORT_CONTAINMENT_JOURNAL: "/dev/null" }).stdout).toMatch(/alice@mailfort\.test: 1 message\(s\) on hold \([0-9A-F]+\)/);
      // Lifting does not release the held mail: the operator looks at it first.
      expect(run([BIN, "lift", "alice@mailfort.test"]).stdout).toContain("1 message(s) from alice@mailfort.test are still on hold");
      expect(queued().find((e) => e.sender === "alice@mailfort.test")?.queue_name).toBe("hold");
    } finally {
      run(["postfix", "stop"]);
      writeFileSync(main, before);
    }
  });

  it("containment.enabled false: scan counts nothing and suspends no one (suspending by hand still works)", () => {
    const conf = join(root.dir, "etc/mailfort/containment-settings");
    const before = readFileSync(conf, "utf8");
    writeFileSync(conf, before.replace(/^MAILFORT_CONTAINMENT=yes$/m, "MAILFORT_CONTAINMENT=no"));
    try {
      writeFileSync(join(root.dir, REPLAY), fixtureEndingNow());
      const r = run([BIN, "scan"], { MAILFORT_CONTAINMENT_JOURNAL: REPLAY });
      expect(r).toMatchObject({ status: 0 });
      expect(r.stdout).toContain("automatic suspension is off");
      expect(list()).toBe("");
    } finally {
      writeFileSync(conf, before);
    }
  });
});
