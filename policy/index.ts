// The CrossGuard pack: `pulumi preview --policy-pack policy`. It only wraps the plain policy
// objects (constructing a PolicyPack starts the analyzer's gRPC server, so nothing imports this).
// Per-stack facts (environment, hostname, domains, relaxations) come from
// stacks/Pulumi.<stack>.yaml, the stack name being read from the resources' URNs. Relaxations
// with level "advisory" need `--policy-pack-config` to lower the level in the CLI (see
// `npm run policy -- --stack <s> --pack-config <file>`); without it they report, marked relaxed.
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./all";

new PolicyPack("mailfort", {
  policies: ALL_POLICIES.map(({ name, description, enforcementLevel, kind, ...rest }) =>
    kind === "resource" && "validateResource" in rest
      ? { name, description, enforcementLevel, validateResource: rest.validateResource }
      : { name, description, enforcementLevel, validateStack: "validateStack" in rest ? rest.validateStack : () => undefined }),
});
