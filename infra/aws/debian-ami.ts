// Debian's official AMIs: published by the Debian cloud team's AWS account.
export const DEBIAN_AMI_OWNER = "136693071363";

export function debianAmiNamePattern(arch: "arm64" | "amd64"): string {
  return `debian-13-${arch}-*`;
}

/** The EC2 architecture name for a Debian architecture. */
export function ec2Architecture(arch: "arm64" | "amd64"): string {
  return arch === "arm64" ? "arm64" : "x86_64";
}
