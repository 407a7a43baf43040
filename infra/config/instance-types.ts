// EC2 instance families mailfort knows: architecture and memory by family, not by guessing from
// the name (a1 is Graviton without a "g"; c6g.medium has 2 GiB, not the 4 of m6g.medium).
// Sizes follow AWS's scheme: medium = 1 vCPU, large = 2, xlarge = 4, Nxlarge = 4N.

export type Arch = "arm64" | "amd64";

export interface InstanceType {
  readonly name: string;
  readonly arch: Arch;
  readonly memoryGib: number;
}

/** Burstable families: memory by size (the same across t2, t3, t3a, t4g). */
const BURSTABLE_GIB: Record<string, number> = { nano: 0.5, micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32 };

const SIZES = {
  intel5: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
  c5: ["large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "12xlarge", "18xlarge", "24xlarge"],
  gen6x86: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge"],
  gen7amd: ["medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge"],
  flex: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  graviton: ["medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  graviton4: ["medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"],
  a1: ["medium", "large", "xlarge", "2xlarge", "4xlarge"],
} as const;

interface Family { readonly arch: Arch; readonly gibPerVcpu?: number; readonly sizes: readonly string[] }

const burstable = (arch: Arch): Family => ({ arch, sizes: Object.keys(BURSTABLE_GIB) });
const fixed = (arch: Arch, gibPerVcpu: number, sizes: readonly string[]): Family => ({ arch, gibPerVcpu, sizes });

const FAMILIES: Record<string, Family> = {
  t2: burstable("amd64"), t3: burstable("amd64"), t3a: burstable("amd64"), t4g: burstable("arm64"),
  a1: fixed("arm64", 2, SIZES.a1),
  m5: fixed("amd64", 4, SIZES.intel5), m5a: fixed("amd64", 4, SIZES.intel5), m6i: fixed("amd64", 4, SIZES.gen6x86),
  m6a: fixed("amd64", 4, SIZES.gen6x86), m7i: fixed("amd64", 4, SIZES.gen6x86), "m7i-flex": fixed("amd64", 4, SIZES.flex),
  m7a: fixed("amd64", 4, SIZES.gen7amd), m6g: fixed("arm64", 4, SIZES.graviton), m7g: fixed("arm64", 4, SIZES.graviton),
  m8g: fixed("arm64", 4, SIZES.graviton4),
  c5: fixed("amd64", 2, SIZES.c5), c5a: fixed("amd64", 2, SIZES.intel5), c6i: fixed("amd64", 2, SIZES.gen6x86),
  c6a: fixed("amd64", 2, SIZES.gen6x86), c7i: fixed("amd64", 2, SIZES.gen6x86), c7a: fixed("amd64", 2, SIZES.gen7amd),
  c6g: fixed("arm64", 2, SIZES.graviton), c7g: fixed("arm64", 2, SIZES.graviton), c8g: fixed("arm64", 2, SIZES.graviton4),
  r5: fixed("amd64", 8, SIZES.intel5), r5a: fixed("amd64", 8, SIZES.intel5), r6i: fixed("amd64", 8, SIZES.gen6x86),
  r6a: fixed("amd64", 8, SIZES.gen6x86), r7i: fixed("amd64", 8, SIZES.gen6x86), r7a: fixed("amd64", 8, SIZES.gen7amd),
  r6g: fixed("arm64", 8, SIZES.graviton), r7g: fixed("arm64", 8, SIZES.graviton), r8g: fixed("arm64", 8, SIZES.graviton4),
};

function vcpus(size: string): number {
  if (size === "medium") return 1;
  if (size === "large") return 2;
  const m = /^(\d*)xlarge$/.exec(size);
  return m === null ? 0 : 4 * Number(m[1] === "" ? 1 : m[1]);
}

export function instanceType(name: string): InstanceType | undefined {
  const dot = name.indexOf(".");
  const key = name.slice(0, dot);
  // Own keys only: a type named constructor.large must not find Object's constructor.
  const family = Object.hasOwn(FAMILIES, key) ? FAMILIES[key] : undefined;
  const size = name.slice(dot + 1);
  if (dot < 0 || family === undefined || !family.sizes.includes(size)) return undefined;
  const memoryGib = family.gibPerVcpu === undefined ? (BURSTABLE_GIB[size] as number) : family.gibPerVcpu * vcpus(size);
  return { name, arch: family.arch, memoryGib };
}

/** Every type the table knows, for "did you mean". */
export function knownInstanceTypes(): string[] {
  return Object.entries(FAMILIES).flatMap(([f, fam]) => fam.sizes.map((s) => `${f}.${s}`));
}
