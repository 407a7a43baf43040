// Offline synth: the mailfort program under Pulumi mocks, as data and as files.
export { type SynthOptions, loadStack, stackFilePath, synthInProcess, writeSecretsDir } from "./in-process";
export { runSynth } from "./run";
export { type SynthWorkers, type SynthWorkersOptions, startSynthWorkers } from "./workers";
export type { MockSnapshot } from "./mocks";
export { type SynthParameter, type SynthResource, type SynthResult, publicView } from "./result";
export { SECRET_MARK } from "./secret-values";
export { renderPlan } from "./plan";
export { artifactFiles, writeAllOrNothing, writeArtifacts } from "./artifacts";
export { type WrittenSynth, synthToDirectory } from "./to-directory";
