// Which DKIM key generations a stack publishes, revokes and signs with, and the selector each
// generation has. Parsing gives the layout of a stack at rest at its configured generation; the
// program replaces it with the layout of the rotation step it is in (infra/core/dkim-rotation.ts)
// before anything is rendered, so the records, the keys and the host's signing map agree.

/** Key generations, stack-wide (every sending domain rotates together). */
export interface DkimLayout {
  /** The generation the host signs with. */
  readonly signing: number;
  /** Generations whose public key is published (the signing one always among them). */
  readonly published: readonly number[];
  /** Generations whose record is kept with an empty p= (revoked, RFC 6376 3.6.1): no key, no private half. */
  readonly revoked: readonly number[];
}

/** Generation 0 keeps the configured selector (so stacks made before rotation keep their key);
 * generation N is `<selector>-gN`: a new name per key, so no resolver can hand out a stale key
 * for the selector the host signs with. */
export function dkimSelectorOf(baseSelector: string, generation: number): string {
  if (!Number.isInteger(generation) || generation < 0) throw new Error(`internal: DKIM key generation ${generation} is not a whole number >= 0`);
  return generation === 0 ? baseSelector : `${baseSelector}-g${generation}`;
}

/** A stack at rest: one generation, published and signing. */
export function steadyDkimLayout(generation: number): DkimLayout {
  return { signing: generation, published: [generation], revoked: [] };
}

/** One domain's selectors under a layout. */
export function domainDkim(d: { readonly dkimSelector: string }, layout: DkimLayout): { signing: string; published: string[]; revoked: string[] } {
  return {
    signing: dkimSelectorOf(d.dkimSelector, layout.signing),
    published: layout.published.map((g) => dkimSelectorOf(d.dkimSelector, g)),
    revoked: layout.revoked.map((g) => dkimSelectorOf(d.dkimSelector, g)),
  };
}
