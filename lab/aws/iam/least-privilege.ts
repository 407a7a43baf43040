// Least privilege, both ways, for the instance role: every AWS call the host made in the lab is
// allowed by the role's synthesized policies (else the server breaks on AWS), and every
// permission the role grants was used by some call (else it is more than the host needs), unless
// it is declared as needed only on AWS, with the reason.
import { type IamRequest, type NamedPolicy, evaluate } from "./evaluate";

/** Grants the lab cannot exercise, by policy name or by action pattern, with why they exist. */
export type AwsOnlyGrants = Readonly<Record<string, string>>;

export interface Grant {
  readonly policy: string;
  readonly index: number;
  readonly sid?: string;
  readonly action: string;
}

export interface RoleUseVerdict {
  readonly ok: boolean;
  readonly calls: number;
  readonly denied: ReadonlyArray<{ request: IamRequest; reason: string }>;
  readonly unused: readonly Grant[];
  readonly awsOnly: ReadonlyArray<Grant & { reason: string }>;
}

const list = <T>(v: T | readonly T[] | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T]);

export function grantsOf(policies: readonly NamedPolicy[]): Grant[] {
  return policies.flatMap((p) => list(p.document.Statement).flatMap((s, index) =>
    s.Effect !== "Allow" ? [] : list(s.Action).map((action) => ({ policy: p.name, index, ...(s.Sid ? { sid: s.Sid } : {}), action }))));
}

const matchesAction = (pattern: string, action: string) =>
  new RegExp(`^${pattern.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i").test(action);

export function judgeRoleUse(policies: readonly NamedPolicy[], requests: readonly IamRequest[], awsOnly: AwsOnlyGrants): RoleUseVerdict {
  const denied: Array<{ request: IamRequest; reason: string }> = [];
  const used = new Set<string>();
  for (const request of requests) {
    const d = evaluate(policies, request);
    if (!d.allowed) {
      denied.push({ request, reason: d.reason });
      continue;
    }
    for (const m of d.matched) used.add(`${m.policy}#${m.index}#${request.action.toLowerCase()}`);
  }
  const isUsed = (g: Grant) => [...used].some((u) => {
    const [policy, index, action] = u.split("#");
    return policy === g.policy && Number(index) === g.index && matchesAction(g.action, action ?? "");
  });
  const unusedAll = grantsOf(policies).filter((g) => !isUsed(g));
  const reasonFor = (g: Grant) => awsOnly[g.policy] ?? Object.entries(awsOnly).find(([pattern]) => pattern.includes(":") && matchesAction(pattern, g.action))?.[1];
  const awsOnlyGrants = unusedAll.flatMap((g) => {
    const reason = reasonFor(g);
    return reason === undefined ? [] : [{ ...g, reason }];
  });
  const unused = unusedAll.filter((g) => reasonFor(g) === undefined);
  return { ok: denied.length === 0 && unused.length === 0 && requests.length > 0, calls: requests.length, denied, unused, awsOnly: awsOnlyGrants };
}

export function describeVerdict(v: RoleUseVerdict): string {
  const parts = [`${v.calls} host call(s) judged`];
  if (v.calls === 0) parts.push("no host call was recorded: nothing proves the role works");
  for (const d of v.denied) parts.push(`DENIED (${d.reason}): ${d.request.action} on ${d.request.resource}${Object.keys(d.request.context).length ? ` ${JSON.stringify(d.request.context)}` : ""}`);
  for (const g of v.unused) parts.push(`UNUSED grant: ${g.action} (${g.policy}${g.sid ? ` ${g.sid}` : ` statement ${g.index}`})`);
  const awsOnly = [...new Set(v.awsOnly.map((g) => `${g.policy}: ${g.reason}`))];
  if (awsOnly.length) parts.push(`needed only on AWS: ${awsOnly.join("; ")}`);
  return parts.join("; ");
}
