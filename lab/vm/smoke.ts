// A stand-in user data for booting the lab image alone (`npm run lab -- boot --smoke`): proves
// the image, disks, seed and network work before the real server's user data is involved.
export const SMOKE_USER_DATA = `#cloud-config
# mailfort lab smoke boot: report readiness on the serial console like the real boot script.
runcmd:
  - [sh, -c, 'ip -4 addr show eth0 | grep -q 10.77.0.10 && ls /dev/disk/by-label/MFSECRETS && echo "MAILFORT-READY $(date -u +%FT%TZ) smoke" > /dev/ttyS0 || echo "MAILFORT-FAILED smoke: network or secrets disk missing" > /dev/ttyS0']
`;
