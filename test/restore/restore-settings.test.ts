// Choosing a restore: the dataVolume settings npm run restore writes (the attached volume becomes
// the kept one; a second restore lets the first kept volume go, with the command that allows it),
// written into a stack file without losing its comments; and the recovery's commands.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseMailConfig, parseStackFile } from "../../infra/config";
import { nvmeDevice, recoverCommands, recoverParameters } from "../../restore/recover-commands";
import { nextRestore, withRestore } from "../../restore/restore-settings";

const A = "snap-0aaaaaaaaaaaaaaaa";
const B = "snap-0bbbbbbbbbbbbbbbb";
const C = "snap-0cccccccccccccccc";
const lab = readFileSync("stacks/Pulumi.lab.yaml", "utf8");
const cfg = (text: string) => parseMailConfig(parseStackFile(text, "lab"), "lab");

describe("nextRestore", () => {
  it("a first restore keeps the original volume", () => {
    expect(nextRestore(cfg(lab), A)).toEqual({ restoreFrom: A, previous: "original" });
  });

  it("a second restore keeps the first restored volume and lets the original go, saying how", () => {
    const once = withRestore(lab, nextRestore(cfg(lab), A));
    const twice = nextRestore(cfg(once), B);
    expect(twice).toEqual({
      restoreFrom: B, previous: A,
      released: { name: "mailfort-lab-host-data", urn: "urn:pulumi:lab::mailfort::mailfort:aws:MailServer$mailfort:aws:MailInstance$aws:ebs/volume:Volume::mailfort-lab-host-data" },
    });
    const thrice = nextRestore(cfg(withRestore(once, twice)), C);
    expect(thrice.released?.name).toBe(`mailfort-lab-host-data-${A}`);
  });

  it("refuses a malformed id and the snapshot the stack already runs on", () => {
    expect(() => nextRestore(cfg(lab), "latest")).toThrow(/not an EBS snapshot id/);
    expect(() => nextRestore(cfg(withRestore(lab, nextRestore(cfg(lab), A))), A)).toThrow(/already runs on a volume restored from/);
  });
});

describe("withRestore", () => {
  it("sets mailfort:dataVolume and keeps every comment and setting", () => {
    const text = withRestore(lab, { restoreFrom: A, previous: "original" });
    for (const line of lab.split("\n").filter((l) => l.trim().startsWith("#"))) expect(text).toContain(line);
    const parsed = cfg(text);
    expect(parsed.dataVolume).toEqual({ restoreFrom: A, previous: "original" });
    expect(parsed.mailboxes).toEqual(cfg(lab).mailboxes);
    expect(cfg(withRestore(text, { restoreFrom: B, previous: A })).dataVolume).toEqual({ restoreFrom: B, previous: A });
  });
});

describe("recovery commands", () => {
  const input = { region: "eu-west-1", instanceId: "i-0123456789abcdef0", previousVolumeId: "vol-0123456789abcdef0", since: "2026-05-01T03:00:12.000Z" };

  it("attach, run through SSM, read the result, detach: in that order, on exactly these ids", () => {
    const c = recoverCommands(input, "/tmp/p.json");
    expect(c.map((x) => x.split(" ").slice(0, 3).join(" "))).toEqual(["aws ec2 attach-volume", "aws ec2 wait", "aws ssm send-command", "aws ssm get-command-invocation", "aws ec2 detach-volume", "aws ec2 wait"]);
    expect(c[0]).toBe("aws ec2 attach-volume --region eu-west-1 --volume-id vol-0123456789abcdef0 --instance-id i-0123456789abcdef0 --device /dev/sdg");
    expect(c[2]).toContain("--document-name AWS-RunShellScript");
  });

  it("carries the script itself, byte for byte, and runs it on the Nitro name of the volume", () => {
    const p = recoverParameters(input);
    const script = p.commands.join("\n");
    const body = /<<'MAILFORT_RECOVER_EOF'\n([\s\S]*?)\nMAILFORT_RECOVER_EOF\n/.exec(script)?.[1];
    expect(`${body}\n`).toBe(readFileSync("configs/bin/mailfort-recover", "utf8"));
    expect(nvmeDevice("vol-0123456789abcdef0")).toBe("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0");
    expect(p.commands.at(-1)).toBe("/usr/local/sbin/mailfort-recover /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0 2026-05-01T03:00:12.000Z");
  });
});
