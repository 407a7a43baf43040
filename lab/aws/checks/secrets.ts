// aws-secrets-ssm: the host got its whole parameter tree from SSM the way it does on EC2: an
// IMDSv2 session token, the instance role's temporary credentials from IMDS, then
// GetParametersByPath (recursive, decrypted) under the stack's path with those credentials,
// every page answered, every parameter of the stack returned. No seed disk was attached.
import type { CheckResult } from "../../../verify/contract";
import type { ImdsEntry, RequestLogCall } from "../logs";
import { callsBy } from "../logs";

export interface SecretsEvidence {
  readonly calls: readonly RequestLogCall[];
  readonly imds: readonly ImdsEntry[];
  /** The credentials whose calls are judged (the instance's, or a negative control's). */
  readonly keys: ReadonlySet<string>;
  /** Every parameter the stack created (the plan loaded into the emulator). */
  readonly parameters: readonly string[];
  readonly path: string;
  /** The MFSECRETS shortcut disk was attached: then SSM was not the source. */
  readonly secretsDisk: boolean;
}

export const SECRETS_CHECK = { id: "aws-secrets-ssm", title: "the host fetched its secret tree from SSM (GetParametersByPath, decrypted) with the instance role's credentials from IMDSv2" } as const;

export function secretsViaSsm(e: SecretsEvidence): CheckResult {
  const problems: string[] = [];
  if (e.secretsDisk) problems.push("the MFSECRETS disk was attached (quick-run shortcut): SSM was not the only source");
  const tokenPut = e.imds.some((x) => x.method === "PUT" && x.status === 200);
  const credsWithToken = e.imds.some((x) => x.status === 200 && x.credentials !== undefined && e.keys.has(x.credentials) && x.token);
  if (!tokenPut) problems.push("no IMDSv2 session token was issued");
  if (!credsWithToken) problems.push("the credentials judged were not handed out by IMDS to a token-holding request");
  const byPath = callsBy(e.calls, e.keys).filter((c) => c.action === "GetParametersByPath");
  const failed = byPath.filter((c) => c.status !== 200);
  if (byPath.length === 0) problems.push(`no GetParametersByPath call with those credentials`);
  for (const c of failed) problems.push(`GetParametersByPath ${String(c.params.Path)} -> HTTP ${c.status} ${(c.error ?? "").replace(/\s+/g, " ").slice(0, 160)}`);
  const wrong = byPath.filter((c) => c.params.Path !== e.path || c.params.Recursive !== true || c.params.WithDecryption !== true || !c.sessionToken);
  for (const c of wrong) problems.push(`GetParametersByPath ${JSON.stringify(c.params)} (session token: ${c.sessionToken}); expected Path ${e.path}, recursive, decrypted, with the role's session`);
  const returned = new Set(byPath.filter((c) => c.status === 200).flatMap((c) => (c.returned ?? []).map((r) => r.name)));
  const missing = e.parameters.filter((p) => !returned.has(p));
  if (missing.length > 0) problems.push(`${missing.length} of ${e.parameters.length} parameters never returned (${missing.slice(0, 4).join(", ")}${missing.length > 4 ? ", ..." : ""})`);
  const pages = byPath.filter((c) => c.status === 200).length;
  return {
    ...SECRETS_CHECK,
    status: problems.length === 0 ? "pass" : "fail",
    detail: problems.length === 0
      ? `IMDSv2 token, role credentials, ${pages} page(s) of GetParametersByPath ${e.path}: all ${e.parameters.length} parameters, ${[...returned].length} returned`
      : problems.join("; "),
    seconds: 0,
  };
}
