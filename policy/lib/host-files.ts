// The files a host policy judges: the instance's user data decoded into the files cloud-init
// writes, and Postfix's effective settings per smtpd service. A missing piece is reported, so a
// policy can never pass because there was nothing to read.
import type { Props } from "../define";
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
