// A replacement instance's Postfix may have other ids than the one that left the queue on the data
// volume (Debian assigns them when the package installs). mailfort-boot hands the queue to the new
// ids itself (postfix-owners), instead of `postfix set-permissions`, which walks every file Postfix
// installed (40 s of the lab VM's first boot, 80 s of its replacement). Tested with the real
// Postfix in the Debian 13 root: a queue written by ids that are no longer Postfix's comes back
// exactly as Postfix itself laid it out (owners, groups, modes), `postfix check` is silent, and
// the queued message is still there; a spool with no queue yet gets only private/, where Dovecot
// binds its sockets before Postfix's first start, made as Postfix makes it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable) console.warn(`SKIPPING postfix-owners host tests: ${unavailable}`);

const SPOOL = "/var/spool/postfix";
/** The previous instance's ids: numbers no user or group of the root has. */
const OLD_UID = 4242;
const OLD_GID = 4343;

describe.skipIf(Boolean(unavailable))("mailfort-boot postfix-owners in the Debian 13 root", () => {
  let root: CheckerRoot;
  const sh = (script: string) => root.run(["sh", "-c", script]);
  /** Every file of the spool with its owner, group and mode, by number. */
  const layout = () => sh(`cd ${SPOOL} && find . -xdev -printf '%p %U %G %m\\n' | sort`).stdout;
  const owners = () => root.run(["/usr/local/sbin/mailfort-boot", "postfix-owners"]);

  beforeAll(() => {
    root = prepareRoot(baseRoot(), loadStack("lab"));
  }, 30 * 60_000);
  afterAll(() => root?.dispose());

  it("lays out only private/ in a spool without a queue (Dovecot binds there before Postfix starts), as Postfix itself would", () => {
    expect(sh(`test -d ${SPOOL}/active`).status).not.toBe(0);
    expect(sh(`test -d ${SPOOL}/private`).status).not.toBe(0);
    const before = layout();
    expect(owners()).toMatchObject({ status: 0, stderr: "" });
    const ours = sh(`stat -c '%U %G %a' ${SPOOL}/private`).stdout;
    expect(ours).toBe("postfix root 700\n");
    // Nothing else: the rest is Postfix's to make at its first start.
    expect(layout().split("\n").filter((l) => !before.split("\n").includes(l))).toEqual([expect.stringMatching(/^\.\/private /)]);
    // Postfix's own first start (check makes the missing queue) leaves private/ as it is and says nothing against it.
    expect(root.run(["postfix", "check"])).toMatchObject({ status: 0, stderr: "" });
    expect(sh(`stat -c '%U %G %a' ${SPOOL}/private`).stdout).toBe(ours);
    // And makes it the same way where it is missing.
    expect(sh(`rmdir ${SPOOL}/private && postfix check && stat -c '%U %G %a' ${SPOOL}/private`).stdout).toBe(ours);
  });

  it("gives a queue left by other ids back to this Postfix, as Postfix lays it out, with its mail", () => {
    // Postfix's own layout (check makes what is missing; the test before made it already), and a message in the maildrop.
    expect(root.run(["postfix", "check"])).toMatchObject({ status: 0, stderr: "" });
    const sent = sh(`printf 'Subject: queued across instances\\n\\nkeep me\\n' | /usr/sbin/sendmail -f root root@localhost`);
    expect(sent).toMatchObject({ status: 0 });
    const maildrop = sh(`ls ${SPOOL}/maildrop | wc -l`).stdout.trim();
    expect(maildrop).toBe("1");
    const postfixLayout = layout();
    const uid = sh("id -u postfix").stdout.trim();
    const gid = sh("getent group postdrop | cut -d: -f3").stdout.trim();

    // The volume as the previous instance left it: its postfix and postdrop had other numbers.
    expect(sh(`find ${SPOOL} -xdev -uid ${uid} -exec chown -h ${OLD_UID} {} + && find ${SPOOL} -xdev -gid ${gid} -exec chgrp -h ${OLD_GID} {} +`).status).toBe(0);
    const left = layout();
    expect(left).not.toBe(postfixLayout);
    expect(left).toContain(` ${OLD_UID} `);
    expect(left).toContain(` ${OLD_GID} `);

    expect(owners()).toMatchObject({ status: 0, stderr: "" });
    expect(layout()).toBe(postfixLayout);
    expect(root.run(["postfix", "check"])).toMatchObject({ status: 0, stderr: "" });
    expect(sh(`ls ${SPOOL}/maildrop | wc -l`).stdout.trim()).toBe(maildrop);
    // Run again: nothing left to change.
    expect(owners()).toMatchObject({ status: 0, stderr: "" });
    expect(layout()).toBe(postfixLayout);
  });
});
