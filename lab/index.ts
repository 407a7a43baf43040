// The lab's front: everything tools/lab.ts and the benchmarks use, and nothing they should not.
// Whole runs (up, run, smoke, down) are here; so are the handles a measurement needs on a
// running lab (the guest agent, the paths, the addresses), never the steps of a boot.
export { type LabCredential, clientPassword, labCredential } from "./credentials";
export { labHostsInfo } from "./hosts";
export { type LabImage, buildImage } from "./image/build";
export { networkUp } from "./net/network";
export { labDir, labPaths } from "./paths";
export { ensureLabPrerequisites } from "./prerequisites";
export { type BootInputs, type LabFigures, type LabUp, type UpOptions, bootUntilUp, labDown, labUp, startAround } from "./runner";
export { type LabReport, labRun } from "./run";
export { type SmokeResult, labSmoke } from "./smoke";
export { LAB_STACK, labStackConfig, labStackFile, repoRoot } from "./stack";
export { type LabSynth, runLabSynth } from "./synth";
export { labHost } from "./topology";
export { guestExec, guestShell, waitGuestAgent } from "./vm/guest-agent";
export { CGROUP_CPU_SCRIPT, type UnitCpu, cpuDelta, parseCgroupCpu } from "./vm/guest-cpu";
export { type Accelerator } from "./vm/accel";
export { type WebmailMemory, measureWebmailMemory } from "./webmail-memory";
export { type Readiness, type RunningVm, runningVm, shutdownVm } from "./vm/vm";
export { type VerifyGroupRun, runVerifyGroup } from "./verify-run";
