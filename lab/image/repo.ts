// The lab's Debian repository for the "ec2" image: the packages the user data installs (with
// their dependencies and recommendations, as cloud-init's apt installs them) downloaded by that
// image's own apt, and the image's own signed trixie indexes beside them, so apt in the VM
// verifies Debian's signature and every hash exactly as on EC2 (lab/mirror/serve.py serves it).
import { copyFileSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { run } from "../exec";

export interface RepoFigures {
  readonly debs: number;
  readonly megabytes: number;
}

/** What apt keeps of deb.debian.org's trixie main, under the path Debian publishes it at. */
const INDEXES: ReadonlyArray<readonly [string, string]> = [
  ["deb.debian.org_debian_dists_trixie_InRelease", "dists/trixie/InRelease"],
  ["deb.debian.org_debian_dists_trixie_main_binary-amd64_Packages", "dists/trixie/main/binary-amd64/Packages"],
  ["deb.debian.org_debian_dists_trixie_main_i18n_Translation-en", "dists/trixie/main/i18n/Translation-en"],
];

/** Run in the image's staging root before it is customised (its apt still reaches the mirror). */
export function buildRepo(root: string, packages: readonly string[], repoDir: string): RepoFigures {
  const archives = join(root, "var/cache/apt/archives");
  run("chroot", [root, "apt-get", "-q", "-y", "-o", "Acquire::Retries=3", "install", "--download-only", ...packages], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeoutMs: 1_200_000,
  });
  const debsDir = join(repoDir, "debs");
  mkdirSync(debsDir, { recursive: true });
  let bytes = 0;
  const debs = readdirSync(archives).filter((f) => f.endsWith(".deb"));
  for (const f of debs) {
    // apt names an epoch 1%3a in its cache; Debian's pool file names carry no epoch.
    const poolName = f.replace(/_\d+%3a/, "_");
    bytes += statSync(join(archives, f)).size;
    renameSync(join(archives, f), join(debsDir, poolName));
  }
  if (debs.length === 0) throw new Error(`apt downloaded nothing for ${packages.join(" ")}: are they already in the image?`);
  for (const [list, published] of INDEXES) {
    mkdirSync(join(repoDir, published, ".."), { recursive: true });
    copyFileSync(join(root, "var/lib/apt/lists", list), join(repoDir, published));
  }
  run("chroot", [root, "apt-get", "clean"]);
  return { debs: debs.length, megabytes: Math.round(bytes / 1_048_576) };
}

/** The .deb files of a built repository: what the image lacked of the user data's packages and their dependencies. */
export function repoDebs(repoDir: string): string[] {
  return readdirSync(join(repoDir, "debs")).filter((f) => f.endsWith(".deb"));
}
