// What a synth worker and its pool say to each other over the IPC channel.
import type { ConfigIssue } from "../config";
import type { SynthOptions } from "./in-process";
import type { SynthResult } from "./result";

export interface SynthRequest {
  readonly id: number;
  readonly stack: string;
  readonly options: SynthOptions;
}

/** The public view of the result, the config's issues, or any other failure (with its stack). */
export type SynthAnswer =
  | { readonly id: number; readonly ok: SynthResult }
  | { readonly id: number; readonly configError: readonly ConfigIssue[] }
  | { readonly id: number; readonly error: string };
