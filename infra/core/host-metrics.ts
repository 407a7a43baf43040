// The metrics the host publishes itself (configs/bin/mailfort-metrics, python3-boto3 on a
// timer; no CloudWatch agent, which Debian does not package), stated once: the alarms watch
// exactly these, the instance role may publish only into this namespace, and the lab checks
// that every alarm's metric arrives. The mounts it watches are WATCHED_MOUNTS (host/view.ts).
export const HOST_METRICS_NAMESPACE = "mailfort";

/** Percent of a filesystem's blocks in use (as `df` counts them), per instance and mount. */
export const DISK_USED_METRIC = "disk_used_percent";

/** Seconds between two publications: one datapoint per one-minute alarm period. */
export const PUBLISH_INTERVAL_SECONDS = 60;
