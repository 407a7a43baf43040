// Which of a registered resource's secret input paths the synth artifacts keep hidden.
/** The AWS SDK marks every SSM parameter's value secret, String or not. A String parameter is
 * public by the parameter contract (certificates, lists, aliases, the host bundle; the pack's
 * secrets-securestring policy holds it to that), and the pack sees its value under the CLI too:
 * so the synth shows it, and offline policies and plans judge what the CLI's would. */
export function hiddenSecretPaths(r: { readonly type: string; readonly inputs: Record<string, unknown>; readonly secretPaths: readonly string[] }): string[] {
  if (r.type === "aws:ssm/parameter:Parameter" && r.inputs.type === "String") return r.secretPaths.filter((p) => p !== "value");
  return [...r.secretPaths];
}
