// The host bundle (the host's files beyond its user data's bootstrap, in SSM String parameters)
// must be the one the instance's user data pins: the host installs nothing else, and the pin is
// what makes a changed host file replace the instance.
import { stackPolicy } from "../define";
import { pinnedBundle, readHostBundle } from "../lib/host-bundle";
import { HOST_TYPES } from "../lib/host-files";
import { userDataOf } from "../lib/user-data";

export const hostBundlePinnedPolicy = stackPolicy({
  name: "host-files-pinned",
  area: "host",
  description: "The host bundle in SSM (/mailfort/<stack>/host/bundle/NNN) decodes whole, and each instance's user data pins its SHA-256 and part count (MAILFORT_HOST_BUNDLE_SHA256, _PARTS), so the files judged here are the ones the host installs.",
  why: "A bundle the user data does not pin is refused by the host (no boot), and a host-file change that does not change the pin would not replace the instance: the server would keep running the old configuration.",
  check: (resources, report, { facts }) => {
    const bundle = readHostBundle(resources, facts.stack);
    for (const r of resources.filter((x) => HOST_TYPES.includes(x.type))) {
      const at = (m: string) => report(`${r.name}: ${m}`, r.urn);
      const ud = userDataOf(r.props);
      if (!ud) continue; // the host policies report an instance without user data
      for (const p of bundle.problems) at(p);
      const pin = pinnedBundle(ud.files);
      const pinned = pin.sha256;
      if (pinned === undefined && bundle.parts > 0) at(`the stack has a host bundle (${bundle.parts} parameters) but the user data pins no MAILFORT_HOST_BUNDLE_SHA256 in /etc/mailfort/mailfort.env: the host would refuse it`);
      else if (pinned !== undefined && bundle.parts === 0) at(`the user data pins host bundle sha256:${pinned} but the stack has no /mailfort/${facts.stack}/host/bundle/ parameters: the host would not boot`);
      else if (pinned !== undefined && bundle.sha256 !== undefined && pinned !== bundle.sha256) {
        at(`the user data pins host bundle sha256:${pinned} but the parameters hold sha256:${bundle.sha256}: the host would refuse them, and the instance would not be replaced for the change; render both from one configuration`);
      }
      if (pinned !== undefined && bundle.parts > 0 && pin.parts !== bundle.parts) {
        at(`the user data pins ${pin.parts === undefined ? "no MAILFORT_HOST_BUNDLE_PARTS" : `MAILFORT_HOST_BUNDLE_PARTS=${pin.parts}`} but the stack has ${bundle.parts} host bundle parameters: the host reads exactly the pinned parts, so it would refuse the bundle`);
      }
    }
  },
});
