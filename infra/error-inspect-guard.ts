// Node 20's util.inspect(error, { colors: true }) loops when a stack frame names a file directly
// under a scoped package, e.g. ".../node_modules/@pulumi/output.ts:12:34" (nodejs/node#64011, fixed
// in later Node lines, not in 20): it builds a string of hundreds of megabytes until V8 refuses it.
// @pulumi/pulumi's source maps produce exactly such frames, and the CLI's program runner (cmd/run)
// formats every unhandled error that way, so an error thrown inside an apply() kept `pulumi up`
// busy for minutes and gigabytes before it said anything (or ran out of memory first).
// Imported first by the entry point: errors are formatted by Node as usual, only without colors,
// which skips the looping step.
import { type InspectOptionsStylized, inspect } from "node:util";

function inspectUncolored(this: Error, _depth: number, options: InspectOptionsStylized, format: typeof inspect): string {
  return format(this, { ...options, colors: false, customInspect: false });
}

Object.defineProperty(Error.prototype, inspect.custom, { value: inspectUncolored, configurable: true, writable: true });
