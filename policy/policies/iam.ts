// IAM: the instance role is the server's whole cloud authority. It may read its own secrets and
// answer ACME DNS challenges; nothing else that matters.
import { asArray, field, resourcePolicy, str, type Props } from "../define";

const IAM_TYPES = ["aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/policy:Policy", "aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"];

/** Actions AWS only grants on Resource "*" (no resource-level permissions). */
const UNSCOPABLE_ACTIONS = [
  /^route53:(ListHostedZones|ListHostedZonesByName|GetChange)$/i, /^ssm:(DescribeParameters|UpdateInstanceInformation)$/i,
  /^cloudwatch:PutMetricData$/i, /^ec2:Describe[A-Za-z]*$/i, /^(ssmmessages|ec2messages):[A-Za-z]+$/i, /^sts:GetCallerIdentity$/i,
  /^logs:DescribeLogGroups$/i,
];

/** AWS managed policies an instance role or the snapshot service may carry. */
const ALLOWED_MANAGED = [/:policy\/AmazonSSMManagedInstanceCore$/, /:policy\/CloudWatchAgentServerPolicy$/, /:policy\/service-role\/AWSDataLifecycleManagerServiceRole$/];

export interface Statement {
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly notAction: boolean;
  readonly notResource: boolean;
  readonly condition: Record<string, unknown>;
}

/** Every Allow/Deny statement in the IAM documents a resource carries (JSON text or object). */
function statementsOf(type: string, props: Props): Statement[] {
  const docs: unknown[] = [];
  if (type === "aws:iam/role:Role") for (const p of asArray(props.inlinePolicies)) docs.push(field(p, "policy"));
  else if (type !== "aws:iam/rolePolicyAttachment:RolePolicyAttachment") docs.push(props.policy);
  return docs.flatMap((d) => {
    let doc: unknown = d;
    if (typeof d === "string") {
      try { doc = JSON.parse(d); } catch { return []; }
    }
    return asArray(field(doc, "Statement")).map((s): Statement => ({
      effect: String(field(s, "Effect") ?? "Allow"),
      actions: asArray(field(s, "Action") ?? field(s, "NotAction")).map(String),
      resources: asArray(field(s, "Resource") ?? field(s, "NotResource")).map(String),
      notAction: field(s, "NotAction") !== undefined,
      notResource: field(s, "NotResource") !== undefined,
      condition: (field(s, "Condition") as Record<string, unknown> | undefined) ?? {},
    }));
  });
}

function managedArnsOf(type: string, props: Props): string[] {
  if (type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") return [str(props.policyArn) ?? ""];
  if (type === "aws:iam/role:Role") return asArray(props.managedPolicyArns).map(String);
  return [];
}

export const iamLeastPrivilegePolicy = resourcePolicy({
  name: "iam-least-privilege",
  area: "iam",
  description: "No `*` or `service:*` action, no NotAction/NotResource allow, no Resource `*` for an action that can be scoped, no AWS managed policy beyond SSM core / CloudWatch agent / DLM.",
  why: "A compromised mail daemon runs with the instance role; wildcards turn one bug into control of the AWS account.",
  types: IAM_TYPES,
  check: (props, report, { args }) => {
    for (const arn of managedArnsOf(args.type, props)) {
      // Customer-managed policies are Policy resources of the stack and judged as such; AWS-managed
      // ones are broad by design, so only the few an instance needs are allowed.
      if (!/^arn:aws[a-z-]*:iam::aws:policy\//.test(arn)) continue;
      if (!ALLOWED_MANAGED.some((re) => re.test(arn))) report(`attaches managed policy ${arn}; attach only AmazonSSMManagedInstanceCore / CloudWatchAgentServerPolicy, or write a scoped inline policy`);
    }
    for (const s of statementsOf(args.type, props)) {
      if (s.effect !== "Allow") continue;
      if (s.notAction || s.notResource) { report(`an Allow statement uses ${s.notAction ? "NotAction" : "NotResource"}, which grants everything not listed; list the actions and resources instead`); continue; }
      for (const a of s.actions) {
        if (a === "*" || /:\*$/.test(a)) report(`allows action ${JSON.stringify(a)}; list the specific actions needed`);
      }
      if (s.resources.includes("*")) {
        const scopable = s.actions.filter((a) => !UNSCOPABLE_ACTIONS.some((re) => re.test(a)));
        if (scopable.length > 0) report(`allows ${scopable.join(", ")} on Resource "*"; scope it to the ARNs they need`);
      }
    }
  },
});

const SSM_PARAMETER_ACTION = /^ssm:(Get|Put|Delete|Label|Add|Remove)?[A-Za-z]*Parameter/i;

function acmeOnlyCondition(condition: Record<string, unknown>): string | undefined {
  const key = "route53:ChangeResourceRecordSetsNormalizedRecordNames";
  const values: string[] = [];
  for (const [op, body] of Object.entries(condition)) {
    if (!/^ForAllValues:String(Equals|Like)$/.test(op)) continue;
    values.push(...asArray(field(body, key)).map(String));
  }
  if (values.length === 0) return `has no ForAllValues:StringEquals/StringLike condition on ${key}`;
  const bad = values.filter((v) => !v.startsWith("_acme-challenge."));
  if (bad.length > 0) return `lets it change ${bad.join(", ")}, not only _acme-challenge.* names`;
  for (const [op, body] of Object.entries(condition)) {
    const types = asArray(field(body, "route53:ChangeResourceRecordSetsRecordTypes")).map(String);
    if (/^ForAllValues:/.test(op) && types.some((t) => t !== "TXT")) return `lets it change record types ${types.join(", ")}; ACME DNS-01 needs TXT only`;
  }
  return undefined;
}

export const iamInstanceScopePolicy = resourcePolicy({
  name: "iam-instance-scope",
  area: "iam",
  description: "SSM parameter access is limited to /mailfort/<stack>/; Route53 record changes are limited to _acme-challenge names (TXT).",
  why: "The host may read its own secrets and answer ACME challenges; it must not read another stack's keys or repoint MX/A records of the domain.",
  types: IAM_TYPES,
  check: (props, report, { facts, args }) => {
    const own = new RegExp(`^arn:aws[a-z-]*:ssm:[^:]*:[^:]*:parameter/mailfort/${facts.stack.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(/.*)?$`);
    for (const s of statementsOf(args.type, props)) {
      if (s.effect !== "Allow") continue;
      const ssm = s.actions.filter((a) => SSM_PARAMETER_ACTION.test(a));
      if (ssm.length > 0) {
        const outside = s.resources.filter((r) => !own.test(r));
        if (outside.length > 0) report(`${ssm.join(", ")} reaches ${outside.join(", ")}; limit it to arn:aws:ssm:<region>:<account>:parameter/mailfort/${facts.stack}/*`);
      }
      if (s.actions.some((a) => /^route53:ChangeResourceRecordSets$/i.test(a))) {
        const problem = acmeOnlyCondition(s.condition);
        if (problem) report(`route53:ChangeResourceRecordSets ${problem}; add Condition ForAllValues:StringEquals route53:ChangeResourceRecordSetsNormalizedRecordNames = ["_acme-challenge.<hostname>"]`);
      }
    }
  },
});
