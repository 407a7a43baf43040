// A systemd unit file's plain settings, as the pack reads them: Key=value lines, the last
// assignment winning (as systemd reads a plain setting; list settings the pack does not judge).
export function unitSettings(content: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of content.split("\n")) {
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (kv) m.set(kv[1] as string, (kv[2] as string).trim());
  }
  return m;
}
