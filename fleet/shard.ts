// A fleet split over several runners (`--shard k/n`, e.g. a CI matrix): every stack belongs to
// exactly one of n shards, decided by a hash of its CUSTOMER's name, so
//  - the split is the same on every runner and every run (no shared state, no ordering), and
//    adding or removing one customer moves no other customer;
//  - a customer's environments stay together, so `up` still holds prod back until that
//    customer's staging succeeded (the runner's canary rule works within a shard).
// The fleet-wide checks (a domain claimed by two customers) still see the whole fleet: each
// shard validates everything and then plans or runs only its own stacks.
import { createHash } from "node:crypto";
import { FleetError } from "./issues";

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** "k/n" -> the shard, or a FleetError naming the flag and the fix. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count) {
    throw new FleetError([{ path: "--shard", problem: `"${text}" is not a shard k/n with 1 <= k <= n`, fix: "e.g. --shard 2/4 runs the second of four shards" }], "--shard");
  }
  return { index, count };
}

/** The shard (1..count) a customer's stacks belong to. */
export function shardOfCustomer(customer: string, count: number): number {
  // The first 48 bits of SHA-256: uniform, identical on every platform and Node version.
  const h = createHash("sha256").update(customer, "utf8").digest().readUIntBE(0, 6);
  return (h % count) + 1;
}

export function inShard(shard: Shard | undefined, customer: string): boolean {
  return shard === undefined || shardOfCustomer(customer, shard.count) === shard.index;
}

/** What a shard's report says about its place in the fleet, so the shards can be merged and checked. */
export interface ShardInfo extends Shard {
  /** Stacks in the whole selection, every shard together. */
  readonly fleetStacks: number;
}

export const shardLabel = (s: Shard): string => `${s.index}/${s.count}`;
