// Decompression bombs made by streaming zeros through zlib: a few hundred KiB that expand to
// hundreds of MiB, without the test ever holding the expanded bytes.
import { constants, crc32, createDeflateRaw, createGzip } from "node:zlib";
import type { Transform } from "node:stream";

const CHUNK = Buffer.alloc(1024 * 1024);

async function squeeze(z: Transform, mib: number): Promise<Buffer> {
  const out: Buffer[] = [];
  z.on("data", (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => { z.on("end", resolve); z.on("error", reject); });
  for (let i = 0; i < mib; i++) if (!z.write(CHUNK)) await new Promise((r) => z.once("drain", r));
  z.end();
  await done;
  return Buffer.concat(out);
}

export const gzipBomb = (mib: number): Promise<Buffer> => squeeze(createGzip({ level: constants.Z_BEST_COMPRESSION }), mib);

export async function deflatedZeros(mib: number): Promise<{ data: Buffer; size: number; crc: number }> {
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(CHUNK, crc);
  return { data: await squeeze(createDeflateRaw({ level: constants.Z_BEST_COMPRESSION }), mib), size: mib * 1024 * 1024, crc };
}
