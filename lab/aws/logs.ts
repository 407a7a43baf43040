// The emulator's two logs as the checks read them: every AWS API call (requests.jsonl) and every
// IMDS request (imds.jsonl). The host's calls are those signed with credentials IMDS handed out:
// what the instance role did, as opposed to the lab's own setup calls.
import { existsSync, readFileSync } from "node:fs";
import type { LoggedCall } from "./iam/requests";

export interface ImdsEntry {
  readonly time: number;
  readonly source: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** A session token came with the request (IMDSv2). */
  readonly token: boolean;
  readonly hopLimit?: number;
  /** The access key id of the role credentials this request was given. */
  readonly credentials?: string;
  readonly role?: string;
}

export interface RequestLogCall extends LoggedCall {
  readonly sessionToken: boolean;
  readonly error?: string;
}

function jsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

export interface AwsLogs {
  readonly calls: readonly RequestLogCall[];
  readonly imds: readonly ImdsEntry[];
}

export function readAwsLogs(requestLog: string, imdsLog: string): AwsLogs {
  return { calls: jsonLines<RequestLogCall>(requestLog), imds: jsonLines<ImdsEntry>(imdsLog) };
}

/** Access key ids IMDS gave the instance (the role's temporary credentials). */
export function instanceKeys(imds: readonly ImdsEntry[]): Set<string> {
  return new Set(imds.filter((e) => e.status === 200 && e.credentials).map((e) => e.credentials as string));
}

export function callsBy(calls: readonly RequestLogCall[], keys: ReadonlySet<string>): RequestLogCall[] {
  return calls.filter((c) => c.accessKeyId !== null && keys.has(c.accessKeyId));
}
