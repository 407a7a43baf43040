// Is the instance one the stack can run on? Architecture and memory come from the family table
// (instance-types.ts). The default stack measured 546 MiB at rest and 689 MiB after load
// (npm run bench, memory); ClamAV adds about 1.2 GiB for its signatures.
import { instanceType, knownInstanceTypes } from "./instance-types";
import type { Protection } from "./protections";
import { closest } from "./suggest";
import { fieldPath } from "./zod-issues";

const TYPE = fieldPath(["instance", "type"]);
/** Below this the stack does not fit at all (546 MiB at rest). */
const MIN_GIB = 1;
/** Below this it fits only without load headroom or page cache: OOM kills under a mail burst. */
const COMFORTABLE_GIB = 2;
const CLAMAV_GIB = 4;

export const INSTANCE_PROTECTIONS: readonly Protection[] = [
  {
    id: "config-unknown-instance-type",
    refuses: "instance types not in mailfort's family table",
    why: "their architecture and memory are unknown, so the AMI and the memory checks could be wrong",
    relaxable: true,
    check: (c) => {
      if (instanceType(c.instance.type) !== undefined) return [];
      const near = closest(c.instance.type, knownInstanceTypes());
      return [{
        path: TYPE,
        problem: `${c.instance.type} is not in mailfort's instance table, so its architecture and memory are unknown`,
        fix: `${near !== undefined ? `did you mean ${near}? Otherwise p` : "P"}ick a listed type (t4g.small is the default) and set instance.arch to match it`,
      }];
    },
  },
  {
    id: "instance-arch",
    refuses: "instance.arch that differs from the instance family's architecture",
    why: "the instance would be launched from an AMI it cannot boot",
    relaxable: false,
    check: (c) => {
      const t = instanceType(c.instance.type);
      if (t === undefined || t.arch === c.instance.arch) return [];
      return [{ path: TYPE, problem: `${t.name} is ${t.arch === "arm64" ? "an arm64 (Graviton)" : "an amd64"} type but instance.arch is ${c.instance.arch}`, fix: t.arch === "arm64" ? "set instance.arch: arm64, or pick an amd64 type such as t3.small" : "set instance.arch: amd64, or pick a Graviton type such as t4g.small" }];
    },
  },
  {
    id: "instance-too-small",
    refuses: `instance types with less than ${MIN_GIB} GiB of memory, and ClamAV on less than ${CLAMAV_GIB} GiB`,
    why: "the mail stack alone takes 546 MiB at rest; ClamAV's signatures need about 1.2 GiB more",
    relaxable: false,
    check: (c) => {
      const t = instanceType(c.instance.type);
      if (t === undefined) return [];
      if (t.memoryGib < MIN_GIB) return [{ path: TYPE, problem: `${t.name} has ${t.memoryGib} GiB; the mail stack takes 546 MiB at rest and would be killed for memory`, fix: "choose t4g.small (2 GiB) or larger" }];
      if (c.features.clamav && t.memoryGib < CLAMAV_GIB) return [{ path: fieldPath(["features", "clamav"]), problem: `ClamAV needs about 1.2 GiB for its signatures; ${t.name} has ${t.memoryGib} GiB`, fix: `choose instance.type t4g.medium (${CLAMAV_GIB} GiB) or larger, or turn ClamAV off` }];
      return [];
    },
  },
  {
    id: "config-small-instance",
    refuses: `instance types with less than ${COMFORTABLE_GIB} GiB of memory`,
    why: "the stack takes 689 MiB under load; 1 GiB leaves no headroom and Rspamd or Dovecot get killed in a burst",
    relaxable: true,
    check: (c) => {
      const t = instanceType(c.instance.type);
      if (t === undefined || t.memoryGib < MIN_GIB || t.memoryGib >= COMFORTABLE_GIB) return [];
      return [{ path: TYPE, problem: `${t.name} has ${t.memoryGib} GiB; the stack takes 689 MiB under load, leaving no headroom`, fix: `choose a type with ${COMFORTABLE_GIB} GiB or more (t4g.small)` }];
    },
  },
];
