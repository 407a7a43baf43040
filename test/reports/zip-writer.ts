// A zip writer for tests (PKWARE APPNOTE: local headers, data, central directory, end record)
// that can also lie: declared sizes, hostile names, many entries. Honest archives from it are
// cross-checked with Info-ZIP's unzip in the tests.
import { crc32, deflateRawSync } from "node:zlib";

export interface ZipEntrySpec {
  name: string;
  data?: Buffer;
  /** Already deflated data (for bombs made by streaming), with its real size and CRC. */
  deflated?: { data: Buffer; size: number; crc: number };
  declaredSize?: number;
  encrypted?: boolean;
}

interface CommonFields { flags: number; crc: number; compressed: number; size: number; nameLength: number }

/** The run of fields local and central headers share, from "version needed" to the name length. */
function writeCommonFields(b: Buffer, at: number, f: CommonFields): void {
  b.writeUInt16LE(20, at); // version needed: 2.0 (deflate)
  b.writeUInt16LE(f.flags, at + 2);
  b.writeUInt16LE(8, at + 4); // method: deflate
  b.writeUInt32LE(f.crc, at + 10);
  b.writeUInt32LE(f.compressed, at + 14);
  b.writeUInt32LE(f.size, at + 18);
  b.writeUInt16LE(f.nameLength, at + 22);
}

export function zipArchive(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const raw = e.data ?? Buffer.alloc(0);
    const body = e.deflated?.data ?? deflateRawSync(raw);
    const size = e.deflated?.size ?? raw.length;
    const crc = e.deflated?.crc ?? crc32(raw);
    const flags = 0x0800 | (e.encrypted ? 1 : 0);
    const fields = { flags, crc, compressed: body.length, size: e.declaredSize ?? size, nameLength: name.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeCommonFields(local, 4, fields);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    writeCommonFields(central, 6, fields);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
