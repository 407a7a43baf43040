// Await Pulumi outputs outside of a deployment (under mocks, every output resolves).
import * as pulumi from "@pulumi/pulumi";

export function resolveOutput<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise<T>((resolve) => {
    pulumi.output(value).apply((v) => {
      resolve(v as T);
      return v;
    });
  });
}
