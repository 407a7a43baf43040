// Reading a mail or report file (or stdin, as a Postfix pipe hands it over) with a cap: at most
// the cap plus one byte is ever read, so an endless or huge input is refused, not loaded.
import { closeSync, openSync, readSync } from "node:fs";
import { bytes } from "./limits";
import { refuse } from "./refusal";

export function readInput(source: string, fdOrPath: number | string, cap: number): Buffer {
  const fd = typeof fdOrPath === "number" ? fdOrPath : openSync(fdOrPath, "r");
  try {
    const buffer = Buffer.alloc(Math.min(cap + 1, 1024 * 1024));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue; // a non-blocking stdin pipe
        if ((e as NodeJS.ErrnoException).code === "EOF") break;
        throw e;
      }
      if (n === 0) break;
      total += n;
      if (total > cap) refuse("too-large", `${source}: more than ${bytes(cap)}, the cap on one report mail; not read further`);
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (typeof fdOrPath !== "number") closeSync(fd);
  }
}
