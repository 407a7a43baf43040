// Which stacks a fleet command takes: the customers asked for (all by default), and of those the
// environments of this wave (`--environments staging`) and this runner's shard (`--shard k/n`).
// Validation always sees every stack of the customers asked for, so a domain two customers claim
// is found whichever shards they fall in; only planning and running are narrowed.
import { selectStacks } from "./commands";
import type { GeneratedStack } from "./generate";
import { ENVIRONMENTS } from "./inventory/schema";
import type { Inventory } from "./inventory/schema";
import { FleetError } from "./issues";
import { type Shard, inShard } from "./shard";

export interface Selection {
  readonly customers?: readonly string[];
  readonly environments?: readonly string[];
  readonly shard?: Shard;
}

export interface Selected {
  /** Every stack of the selected customers: what validation sees. */
  readonly validated: readonly GeneratedStack[];
  /** Whether the stack is in this wave's environments (in any shard). */
  readonly inWave: (gen: Pick<GeneratedStack, "environment">) => boolean;
  /** Whether this runner plans or runs the stack (this wave, its shard). */
  readonly takes: (gen: Pick<GeneratedStack, "customer" | "environment">) => boolean;
}

export function selectFor(inv: Inventory, sel: Selection): Selected {
  const unknown = (sel.environments ?? []).filter((e) => !(ENVIRONMENTS as readonly string[]).includes(e));
  if (unknown.length > 0) throw new FleetError(unknown.map((e) => ({ path: "--environments", problem: `"${e}" is not an environment`, fix: `use ${ENVIRONMENTS.join(", ")}` })), "--environments");
  const envs = sel.environments === undefined ? undefined : new Set(sel.environments);
  const inWave = (gen: Pick<GeneratedStack, "environment">) => envs === undefined || envs.has(gen.environment);
  return {
    validated: selectStacks(inv, sel.customers),
    inWave,
    takes: (gen) => inWave(gen) && inShard(sel.shard, gen.customer),
  };
}
