import { hostPackages } from "./infra/core/host/packages";
import { loadStack } from "./test/host/stacks";
console.log(hostPackages(loadStack("prod")).join(" "));
