// The separate data volume, as the cloud attaches it and the host mounts it.
import { DATA_DIR } from "./host/view";

/** Block device name in the attachment. On Nitro instances it appears as an NVMe disk whose
 * serial is the volume id; the host finds it by that, not by this name. */
export const DATA_VOLUME_DEVICE = "/dev/sdf";
/** Where the host mounts it (the host renderer's DATA_DIR); the disk-usage alarm watches this
 * path (the `path` dimension mailfort-metrics publishes). */
export const DATA_VOLUME_MOUNT = DATA_DIR;
