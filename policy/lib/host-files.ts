// The files a host policy judges: what the instance's user data writes (its bootstrap, decoded as
// cloud-init does) followed by the host bundle it installs from the stack's SSM parameters (read
// by the pack's own reader), and Postfix's effective settings per smtpd service. Host policies are
// stack policies, since the files span the instance and the parameters. A missing piece is
// reported, so a policy can never pass because there was nothing to read.
import type { PolicyResource } from "@pulumi/policy";
import { type StackCheck, stackPolicy } from "../define";
import type { PolicyFacts } from "../facts";
import { INSTANCE, LAUNCH_TEMPLATE } from "../policies/instance";
import { readHostBundle } from "./host-bundle";
import { parseMainCf, parseMasterCf, smtpdViews, type MainCf, type MasterService, type SmtpdView } from "./postfix";
import { filesMatching, userDataOf, type HostFile } from "./user-data";

export const HOST_TYPES: readonly string[] = [INSTANCE, LAUNCH_TEMPLATE];

/** Every file the host gets: the user data's, then the bundle's (the order the host writes them). */
export function instanceHostFiles(props: Record<string, unknown>, resources: readonly Pick<PolicyResource, "type" | "props">[], stack: string): readonly HostFile[] | undefined {
  const ud = userDataOf(props);
  if (!ud) return undefined;
  return [...ud.files, ...readHostBundle(resources, stack).files];
}

/** The last file the host gets at exactly this path. */
export function lastFile(files: readonly HostFile[], path: string): HostFile | undefined {
  return files.filter((f) => f.path === path).at(-1);
}

export interface PostfixSettings {
  readonly main: MainCf;
  readonly master: readonly MasterService[];
  readonly mainView: SmtpdView;
  readonly submission: readonly SmtpdView[];
  /** main.cf's view and every submission service's. */
  readonly all: readonly SmtpdView[];
}

export function postfixOf(files: readonly HostFile[], report: (m: string) => void): PostfixSettings | undefined {
  const main = filesMatching(files, /^\/etc\/postfix\/main\.cf$/).at(-1);
  if (!main) {
    report("the host gets no /etc/postfix/main.cf (neither in its user data nor in its host bundle)");
    return undefined;
  }
  const masterFile = filesMatching(files, /^\/etc\/postfix\/master\.cf$/).at(-1);
  const parsedMain = parseMainCf(main.content);
  const master = masterFile ? parseMasterCf(masterFile.content) : [];
  const views = smtpdViews(parsedMain, master);
  return { main: parsedMain, master, ...views, all: [views.mainView, ...views.submission] };
}

type Meta = Omit<Parameters<typeof stackPolicy>[0], "check">;
export interface HostContext {
  readonly facts: PolicyFacts;
}

/** A policy judged on the files each instance gets (an instance without user data is reported). */
export function hostFilesPolicy(meta: Meta, check: (files: readonly HostFile[], report: (m: string) => void, ctx: HostContext) => void) {
  const judge: StackCheck = (resources, report, { facts }) => {
    for (const r of resources.filter((x) => HOST_TYPES.includes(x.type))) {
      const at = (m: string) => report(`${r.name}: ${m}`, r.urn);
      const files = instanceHostFiles(r.props, resources, facts.stack);
      if (files) check(files, at, { facts });
      else at("has no user data, so its host settings cannot be checked");
    }
  };
  return stackPolicy({ ...meta, check: judge });
}

/** A policy judged on Postfix's main.cf and master.cf as they land (missing files are reported). */
export function postfixPolicy(meta: Meta, check: (pf: PostfixSettings, report: (m: string) => void) => void) {
  return hostFilesPolicy(meta, (files, report) => {
    const pf = postfixOf(files, report);
    if (pf) check(pf, report);
  });
}
