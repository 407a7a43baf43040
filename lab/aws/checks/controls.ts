// Negative controls: each AWS check must fail when the thing it guards is broken. They run for
// real but cheaply, with no extra boot: the host's own SSM fetch (configs/bin/mailfort-secrets)
// against the emulator with a role that lacks ssm:GetParametersByPath; the evaluator over the
// run's real Route53 calls with the challenge permission scoped to another name; and a metric
// published to the emulated CloudWatch with one wrong dimension. A control passes when its
// check fails for exactly that reason.
import { join } from "node:path";
import type { CheckResult } from "../../../verify/contract";
import { labDir } from "../../paths";
import { repoRoot } from "../../stack";
import { labHost } from "../../topology";
import { inRoot, runInRoot } from "../chroot";
import { controlCall } from "../control";
import type { MetricId } from "../alarms";
import type { IamStatement, NamedPolicy } from "../iam/evaluate";
import type { LabAws } from "../lab-aws";
import { readAwsLogs } from "../logs";
import { accountView } from "../policies";
import { leastPrivilege } from "./least-privilege";
import { metricsPublished } from "./metrics";
import { secretsViaSsm } from "./secrets";
import type { RequestLogCall } from "../logs";

const list = <T>(v: T | readonly T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? [...(v as T[])] : [v as T]);

function mapStatements(policies: readonly NamedPolicy[], f: (s: IamStatement) => IamStatement | undefined): NamedPolicy[] {
  return policies.map((p) => ({ ...p, document: { Statement: list(p.document.Statement).flatMap((s) => { const m = f(s); return m ? [m] : []; }) } }));
}

function control(id: string, title: string, held: boolean, detail: string): CheckResult {
  return { id, title, status: held ? "pass" : "fail", detail, seconds: 0 };
}

/** Runs the host's fetch_from_ssm in the emulator root with the given credentials; its outcome line. */
function hostFetch(aws: LabAws, prefix: string, region: string, creds: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }): string {
  const driver = [
    "import importlib.machinery, json, sys",
    "m = importlib.machinery.SourceFileLoader('mailfort_secrets', '/opt/mailfort-secrets').load_module()",
    "try:",
    "    print(json.dumps({'ok': True, 'parameters': len(m.fetch_from_ssm(sys.argv[1], sys.argv[2]))}))",
    "except Exception as e:",
    "    print(json.dumps({'ok': False, 'error': '%s: %s' % (type(e).__name__, e)}))",
  ].join("\n");
  const r = runInRoot({
    root: aws.root, netns: labHost("aws").netns, stateDir: labDir(), codeDir: join(repoRoot(), "configs", "bin"),
    argv: ["python3", "-B", "-c", driver, prefix, region],
    env: {
      AWS_ACCESS_KEY_ID: creds.AccessKeyId, AWS_SECRET_ACCESS_KEY: creds.SecretAccessKey, AWS_SESSION_TOKEN: creds.SessionToken,
      // The emulator root does not resolve through the lab DNS: the endpoint by address, its CA.
      AWS_ENDPOINT_URL_SSM: `https://${labHost("aws").address}`, AWS_CA_BUNDLE: inRoot({ stateDir: labDir() }, join(labDir(), "aws-certs", "ca.pem")),
      AWS_EC2_METADATA_DISABLED: "true",
    },
  });
  return (r.stdout.trim().split("\n").pop() ?? "") || `exit ${r.status}: ${r.stderr.trim().slice(-300)}`;
}

export async function controlSsmWithoutGetParametersByPath(aws: LabAws, policies: readonly NamedPolicy[], hostCalls: readonly RequestLogCall[], path: string, region: string): Promise<CheckResult> {
  const mutated = mapStatements(policies, (s) => {
    const actions = list(s.Action).filter((a) => a.toLowerCase() !== "ssm:getparametersbypath");
    return actions.length === 0 ? undefined : { ...s, Action: actions };
  });
  const roleName = "mailfort-lab-control-no-getparametersbypath";
  await controlCall(aws.emu.control, "POST", "/role", { name: roleName, assumeRolePolicy: aws.plan.roles[0]?.assumeRolePolicy, documents: mutated.map((p) => p.document) });
  const creds = await controlCall<{ AccessKeyId: string; SecretAccessKey: string; SessionToken: string }>(aws.emu.control, "POST", "/assume", { roleName, sessionName: "negative-control" });
  const outcome = hostFetch(aws, path, region, creds);
  const logs = readAwsLogs(aws.emu.requestLog, aws.emu.imdsLog);
  const check = secretsViaSsm({ calls: logs.calls, imds: logs.imds, keys: new Set([creds.AccessKeyId]), parameters: aws.plan.parameters.map((p) => p.name), path, secretsDisk: false });
  const judged = leastPrivilege(mutated, hostCalls, accountView(aws))[0];
  const held = check.status === "fail" && /GetParametersByPath \S+ -> HTTP 4\d\d/.test(check.detail) && judged?.status === "fail" && /DENIED[^;]*ssm:GetParametersByPath/.test(judged.detail);
  return control("aws-control-ssm-without-getparametersbypath", "negative control: with a role lacking ssm:GetParametersByPath the host's fetch is refused, and aws-secrets-ssm and aws-iam-calls-allowed fail",
    held, `host fetch: ${outcome}; ${check.id}: ${check.status} (${check.detail.slice(0, 300)}); ${judged?.id}: ${judged?.status} (${(judged?.detail ?? "").slice(0, 300)})`);
}

export function controlRoute53OtherName(aws: LabAws, policies: readonly NamedPolicy[], hostCalls: readonly RequestLogCall[]): CheckResult {
  const key = "route53:ChangeResourceRecordSetsNormalizedRecordNames";
  const mutated = mapStatements(policies, (s) => {
    const block = s.Condition?.["ForAllValues:StringEquals"];
    const names = block?.[key];
    if (!block || names === undefined) return s;
    const elsewhere = list(names as string | readonly string[]).map((n) => String(n).replace(/^_acme-challenge\./, "_acme-challenge.elsewhere."));
    return { ...s, Condition: { ...s.Condition, "ForAllValues:StringEquals": { ...block, [key]: elsewhere } } };
  });
  const judged = leastPrivilege(mutated, hostCalls, accountView(aws))[0];
  const held = judged?.status === "fail" && /DENIED[^;]*route53:ChangeResourceRecordSets/.test(judged.detail);
  return control("aws-control-route53-other-name", "negative control: with the challenge permission scoped to another name, the run's own Route53 changes are denied and aws-iam-calls-allowed fails",
    held, `${judged?.id}: ${judged?.status} (${(judged?.detail ?? "").slice(0, 400)})`);
}

export async function controlMetricWrongDimension(aws: LabAws, instanceId: string): Promise<CheckResult> {
  const namespace = "mailfort-negative-control";
  const alarms = aws.plan.alarms.map((a) => ({ ...a, namespace }));
  // Each alarm's metric, published with one dimension misspelt (its name's first letter's case
  // flipped: "path" -> "Path", "InstanceId" -> "instanceId"), as a publisher bug would.
  const flip = (k: string) => (k[0] === k[0]?.toUpperCase() ? k[0]!.toLowerCase() : k[0]!.toUpperCase()) + k.slice(1);
  await controlCall(aws.emu.control, "POST", "/put-metric", {
    namespace,
    metrics: alarms.map((a) => {
      const dims = Object.fromEntries(Object.entries(a.dimensions).map(([k, v]) => [k, v === aws.plan.instance.ref ? instanceId : v]));
      const [first] = Object.keys(dims);
      return { metricName: a.metricName, value: 0, dimensions: first === undefined ? dims : { ...Object.fromEntries(Object.entries(dims).filter(([k]) => k !== first)), [flip(first)]: dims[first] } };
    }),
  });
  const metrics = await controlCall<MetricId[]>(aws.emu.control, "GET", "/metrics");
  const check = metricsPublished(alarms, metrics, aws.plan.instance.ref, instanceId);
  // Held only when every alarm's metric did arrive, and counted for nothing because of the dimension.
  const rejected = check.detail.split("; ").filter((m) => /: no .* \(arrived with other dimensions: /.test(m));
  const held = alarms.length > 0 && check.status === "fail" && alarms.every((a) => rejected.some((m) => m.startsWith(`${a.name}: no `)));
  return control("aws-control-metric-wrong-dimension", "negative control: a metric published with one wrong dimension does not count for its alarm; aws-metrics-published fails for every such alarm",
    held, `${check.id}: ${check.status} (${check.detail.slice(0, 400)})`);
}
