// Where the synth finds the repository (stacks/, Pulumi.yaml) and where its workers start. A file
// of its own so that a process which only drives synth workers (the fleet plan, runSynth) can
// know it without loading the program, @pulumi/pulumi and the mocks it never runs itself.
export { REPO_ROOT } from "../repo-root";
