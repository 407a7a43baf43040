// What the fake engine records and what it needs answered: the provider's side of a
// registration (id and outputs) and of a provider function call.
import type { WireObject } from "./wire";

/** One RegisterResource request as it came over the wire (inputs in wire form: secrets tagged). */
export interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** The parent's URN ("" only for the root stack). */
  readonly parent: string;
  readonly custom: boolean;
  readonly remote: boolean;
  /** "<provider urn>::<provider id>", or "" for the package's default provider. */
  readonly provider: string;
  readonly inputs: WireObject;
  readonly dependencies: readonly string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly additionalSecretOutputs: readonly string[];
  /** What the engine answered: the id ("" for components and in previews) and the outputs. */
  id: string;
  state: WireObject;
  /** What RegisterResourceOutputs set (components and the root stack: their outputs). */
  registeredOutputs?: WireObject;
}

export interface EngineLog {
  readonly severity: "debug" | "info" | "warning" | "error";
  readonly message: string;
  readonly urn: string;
}

export interface Answers {
  /** A custom resource's id and outputs after "create" (not asked during a preview). */
  resource(registration: Registration): Promise<{ id: string; outputs: WireObject }>;
  /** A provider function's result. */
  invoke(token: string, args: WireObject, provider: string): Promise<WireObject>;
}
