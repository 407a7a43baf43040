// What the post-deploy runner reads on stdin: the request the Pulumi program wrote (the core's
// postDeployRequest, infra/core/post-deploy-verify.ts). verify trusts nothing it did not check,
// so this reader names every field that is missing or of the wrong kind.
import { GROUPS, type Group } from "../contract";

export interface PostDeployRequest {
  readonly host: string;
  readonly address: string;
  readonly domains: readonly string[];
  readonly groups: readonly Group[];
  readonly waitSeconds: number;
  readonly onFailure: "fail" | "report";
  readonly waitForTrustedTls: boolean;
  /** Environment variables holding the test mailboxes as address:password. */
  readonly mailboxEnv: readonly string[];
  readonly limits: { readonly messageSizeMb: number; readonly recipientsPerMessage: number };
  readonly maxRetry: number;
  readonly pop3: boolean;
  readonly resolvers: readonly string[];
  readonly only: readonly string[];
  readonly records: readonly unknown[];
  readonly caPem?: string;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

const CHECKS: Record<keyof PostDeployRequest, (v: unknown) => boolean> = {
  host: (v) => isString(v) && v !== "",
  address: (v) => isString(v) && v !== "",
  domains: (v) => isStrings(v) && v.length > 0,
  groups: (v) => isStrings(v) && v.length > 0 && v.every((g) => (GROUPS as readonly string[]).includes(g)),
  waitSeconds: isCount,
  onFailure: (v) => v === "fail" || v === "report",
  waitForTrustedTls: (v) => typeof v === "boolean",
  mailboxEnv: isStrings,
  limits: (v) => typeof v === "object" && v !== null && isCount((v as Record<string, unknown>).messageSizeMb) && isCount((v as Record<string, unknown>).recipientsPerMessage),
  maxRetry: isCount,
  pop3: (v) => typeof v === "boolean",
  resolvers: isStrings,
  only: isStrings,
  records: Array.isArray,
  caPem: (v) => v === undefined || isString(v),
};

/** Parse and check the stdin text; throws naming every bad field. */
export function readPostDeployRequest(text: string): PostDeployRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error("stdin must be the JSON request the mailfort program writes (host, address, domains, groups, records, ...); it is not JSON");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new Error("stdin must be a JSON object (the post-deploy request)");
  const d = doc as Record<string, unknown>;
  const bad = (Object.keys(CHECKS) as (keyof PostDeployRequest)[]).filter((k) => !CHECKS[k](d[k]));
  if (bad.length > 0) throw new Error(`stdin: the post-deploy request has a missing or malformed ${bad.join(", ")}`);
  return d as unknown as PostDeployRequest;
}
