// The files a host policy judges: the instance's user data decoded into the files cloud-init
// writes, and Postfix's effective settings per smtpd service. A missing piece is reported, so a
// policy can never pass because there was nothing to read.
import { type Props, type ResourceCheck, resourcePolicy } from "../define";
import { INSTANCE, LAUNCH_TEMPLATE } from "../policies/instance";
import { parseMainCf, parseMasterCf, smtpdViews, type MainCf, type MasterService, type SmtpdView } from "./postfix";
import { filesMatching, userDataOf, type HostFile } from "./user-data";

export function hostFilesOf(props: Props, report: (m: string) => void): readonly HostFile[] | undefined {
  const ud = userDataOf(props);
  if (!ud) {
    report("has no user data, so its host settings cannot be checked");
    return undefined;
  }
  return ud.files;
}

/** The last file the user data writes at exactly this path. */
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
    report("user data writes no /etc/postfix/main.cf");
    return undefined;
  }
  const masterFile = filesMatching(files, /^\/etc\/postfix\/master\.cf$/).at(-1);
  const parsedMain = parseMainCf(main.content);
  const master = masterFile ? parseMasterCf(masterFile.content) : [];
  const views = smtpdViews(parsedMain, master);
  return { main: parsedMain, master, ...views, all: [views.mainView, ...views.submission] };
}

type Meta = Omit<Parameters<typeof resourcePolicy>[0], "types" | "check">;
type Context = Parameters<ResourceCheck>[2];

/** A policy judged on the files the user data writes (an instance without user data is reported). */
export function hostFilesPolicy(meta: Meta, check: (files: readonly HostFile[], report: (m: string) => void, ctx: Context) => void) {
  return resourcePolicy({
    ...meta,
    types: [INSTANCE, LAUNCH_TEMPLATE],
    check: (props, report, ctx) => {
      const files = hostFilesOf(props, report);
      if (files) check(files, report, ctx);
    },
  });
}

/** A policy judged on Postfix's main.cf and master.cf as they land (missing files are reported). */
export function postfixPolicy(meta: Meta, check: (pf: PostfixSettings, report: (m: string) => void) => void) {
  return hostFilesPolicy(meta, (files, report) => {
    const pf = postfixOf(files, report);
    if (pf) check(pf, report);
  });
}
