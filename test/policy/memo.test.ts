// The pack's decoder memo (policy/lib/memo.ts): the same text gives the same frozen result without
// decoding again, another text is decoded afresh (nothing goes stale), the oldest entry goes first,
// and a policy cannot change what the next one judges. Also through the two decoders that use it.
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readHostBundle } from "../../policy/lib/host-bundle";
import { deepFreeze, memoByText } from "../../policy/lib/memo";
import { decodeUserData } from "../../policy/lib/user-data";

describe("memoByText", () => {
  it("computes once per distinct text and returns that same result", () => {
    let calls = 0;
    const f = memoByText(2, (t: string) => t, (t: string) => ({ n: ++calls, t }));
    const a = f("a");
    expect(f("a")).toBe(a);
    expect(calls).toBe(1);
    expect(f("b").t).toBe("b");
    expect(calls).toBe(2);
  });

  it("forgets the least recently used text beyond its size, and recomputes it when asked again", () => {
    let calls = 0;
    const f = memoByText(2, (t: string) => t, (t: string) => ({ n: ++calls, t }));
    const a = f("a");
    f("b");
    f("a"); // a is now the most recent: b goes first
    f("c");
    expect(calls).toBe(3);
    expect(f("a")).toBe(a);
    expect(calls).toBe(3);
    expect(f("b").n).toBe(4);
  });

  it("keeps an undefined result too (no recompute)", () => {
    let calls = 0;
    const f = memoByText(2, (t: string) => t, () => void calls++);
    f("x");
    f("x");
    expect(calls).toBe(1);
  });

  it("freezes what it returns, deeply: a caller cannot change what the next one gets", () => {
    const f = memoByText(1, (t: string) => t, (t: string) => ({ files: [{ path: t, content: "x" }] }));
    const r = f("/etc/p");
    expect(Object.isFrozen(r) && Object.isFrozen(r.files) && Object.isFrozen(r.files[0])).toBe(true);
    expect(() => { (r.files[0] as { content: string }).content = "changed"; }).toThrow(TypeError);
    expect(f("/etc/p").files[0]?.content).toBe("x");
  });

  it("deepFreeze leaves primitives alone", () => {
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze(null)).toBe(null);
  });
});

const cloudConfig = (content: string) => `#cloud-config\nwrite_files:\n  - path: /etc/x.conf\n    content: ${JSON.stringify(content)}\n`;

describe("the decoders behind the memo", () => {
  it("decodeUserData: one decode per text; a different text is read afresh", () => {
    const one = decodeUserData(cloudConfig("a = 1"));
    expect(decodeUserData(cloudConfig("a = 1"))).toBe(one);
    expect(one.files[0]?.content).toBe("a = 1");
    expect(decodeUserData(cloudConfig("a = 2")).files[0]?.content).toBe("a = 2");
    // Base64 or not is part of the key: the same characters read two ways are two entries.
    const b64 = Buffer.from(cloudConfig("a = 3")).toString("base64");
    const asBase64 = decodeUserData(b64, true);
    expect(asBase64.files[0]?.content).toBe("a = 3");
    expect(decodeUserData(b64, false)).not.toBe(asBase64);
  });

  it("readHostBundle: the same parts give the same files; changed parts give the changed files and digest", () => {
    const bundle = (content: string) => gzipSync(JSON.stringify({ format: "mailfort-host-files/1", files: [{ path: "/etc/y", mode: "0644", owner: "root:root", content }] })).toString("base64");
    const param = (value: string) => ({ type: "aws:ssm/parameter:Parameter", props: { name: "/mailfort/s/host/bundle/000", value } });
    const first = readHostBundle([param(bundle("one"))], "s");
    expect(readHostBundle([param(bundle("one"))], "s").files).toBe(first.files);
    const second = readHostBundle([param(bundle("two"))], "s");
    expect(second.files[0]?.content).toBe("two");
    expect(second.sha256).not.toBe(first.sha256);
    expect(readHostBundle([param("not base64 of gzip")], "s").problems[0]).toMatch(/does not decode/);
  });
});
