// The documents that let AWS services deliver this stack's alerts and flow records, and nothing
// more: the monitoring key's policy, the alarm topic's policy, and the flow-log delivery role.
// Pure (resolved ARNs in, JSON-ready documents out), so tests read exactly what is granted.
import type { PolicyDocument, PolicyStatement } from "./instance-policy";

export interface AccountScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

type KeyStatement = Omit<PolicyStatement, "Resource"> & { readonly Principal: Record<string, string>; readonly Resource: "*" };
type TopicStatement = Omit<PolicyStatement, "Resource"> & { readonly Principal: Record<string, string>; readonly Resource: string };

/** The account's own principals and the services that write to the topic and the log group. */
export interface KeyPolicyDocument { readonly Version: "2012-10-17"; readonly Statement: readonly KeyStatement[] }
export interface TopicPolicyDocument { readonly Version: "2012-10-17"; readonly Id: string; readonly Statement: readonly TopicStatement[] }

export function logGroupArn(scope: AccountScope, logGroupName: string): string {
  return `arn:${scope.partition}:logs:${scope.region}:${scope.accountId}:log-group:${logGroupName}`;
}

/**
 * The monitoring key's policy. CloudWatch alarms and EventBridge can publish to an encrypted SNS
 * topic only through a customer managed key whose policy lets them (AWS's own aws/sns key cannot
 * be granted to them: alarms to such a topic are silently dropped). CloudWatch Logs may use the
 * key only for this stack's flow-log group (the encryption context names it).
 */
export function monitoringKeyPolicy(scope: AccountScope, flowLogGroupName?: string): KeyPolicyDocument {
  const statements: KeyStatement[] = [
    // The key's administrators are the account's IAM principals, as with KMS's default policy.
    { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:${scope.partition}:iam::${scope.accountId}:root` }, Action: ["kms:*"], Resource: "*" },
    { Sid: "AlarmsPublishToTopic", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
    { Sid: "FindingsPublishToTopic", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
  ];
  if (flowLogGroupName !== undefined) {
    statements.push({
      Sid: "FlowLogGroupEncrypts", Effect: "Allow", Principal: { Service: `logs.${scope.region}.amazonaws.com` },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*",
      Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": logGroupArn(scope, flowLogGroupName) } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * Who may publish to the alarm topic: this stack's CloudWatch alarms (all named
 * mailfort-<stack>-..., the component names) and, when GuardDuty findings are routed, the one
 * EventBridge rule. Both through aws:SourceArn, so no other alarm or rule can borrow the topic.
 * The account's own IAM principals keep their IAM permissions (same-account access needs only one
 * of the two policies), so subscriptions are managed as before.
 */
export function alertTopicPolicy(scope: AccountScope, topicArn: string, stack: string, findingsRuleArn?: string): TopicPolicyDocument {
  const statements: TopicStatement[] = [{
    Sid: "StackAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["sns:Publish"], Resource: topicArn,
    Condition: {
      ArnLike: { "aws:SourceArn": `arn:${scope.partition}:cloudwatch:${scope.region}:${scope.accountId}:alarm:mailfort-${stack}-*` },
      StringEquals: { "aws:SourceAccount": scope.accountId },
    },
  }];
  if (findingsRuleArn !== undefined) {
    statements.push({
      Sid: "FindingsRulePublishes", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["sns:Publish"], Resource: topicArn,
      Condition: { ArnEquals: { "aws:SourceArn": findingsRuleArn } },
    });
  }
  return { Version: "2012-10-17", Id: `mailfort-${stack}-alerts`, Statement: statements };
}

/** The flow-log service may assume the delivery role only for this account's flow logs (confused deputy). */
export function flowLogTrustPolicy(scope: AccountScope): { Version: "2012-10-17"; Statement: readonly object[] } {
  return {
    Version: "2012-10-17",
    Statement: [{
      Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": scope.accountId },
        ArnLike: { "aws:SourceArn": `arn:${scope.partition}:ec2:${scope.region}:${scope.accountId}:vpc-flow-log/*` },
      },
    }],
  };
}

/** What the delivery role may do: write streams of the one log group (the group itself exists). */
export function flowLogDeliveryPolicy(scope: AccountScope, logGroupName: string): PolicyDocument {
  const group = logGroupArn(scope, logGroupName);
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "WriteFlowLogStreams", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [group, `${group}:log-stream:*`] },
      // The delivery checks that the group exists; DescribeLogGroups is a list call without a resource of its own.
      { Sid: "FindFlowLogGroup", Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: `arn:${scope.partition}:logs:${scope.region}:${scope.accountId}:log-group:*` },
    ],
  };
}
