// Answers that replay a recording: each resource gets the id and outputs recorded for its type
// and name, each provider function the result recorded for its token and arguments. Fed with
// what the offline synth's mocks answered, a program run against the fake engine sees exactly
// the synth's provider outputs, so any difference in what it registers is the program's own.
import type { Answers } from "./types";
import type { WireObject } from "./wire";

export interface Recording {
  /** "<type>::<name>" -> the provider's answer. */
  readonly resources: Readonly<Record<string, { id: string; state: WireObject }>>;
  readonly invokes: ReadonlyArray<{ token: string; args: WireObject; result: WireObject }>;
}

/** JSON with object keys sorted, so equal arguments give equal keys whatever their order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as WireObject)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function replayAnswers(recording: Recording): Answers {
  return {
    resource: async (r) => {
      const answer = recording.resources[`${r.type}::${r.name}`];
      if (answer === undefined) throw new Error(`no recorded answer for ${r.type} ${r.name}: the program registered a resource the recording never saw`);
      return { id: answer.id, outputs: answer.state };
    },
    invoke: async (token, args) => {
      const key = canonicalJson(args);
      const found = recording.invokes.find((i) => i.token === token && canonicalJson(i.args) === key);
      if (found === undefined) throw new Error(`no recorded answer for ${token}(${key})`);
      return found.result;
    },
  };
}
