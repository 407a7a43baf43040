// The reports of the last few days: the monitoring's summary judges what receivers say now, so an
// alert clears once the reports that raised it are older than the window (the operator's summary
// still shows everything stored).
import type { LoadedStore } from "./load";

const DAY_SECONDS = 86_400;

/** Only the reports whose period ended within `days` days before `now` (others are left out, not deleted). */
export function withinDays(store: LoadedStore, days: number, now: Date): LoadedStore {
  const from = now.getTime() / 1000 - days * DAY_SECONDS;
  return {
    ...store,
    dmarc: store.dmarc.filter((r) => r.report_metadata.date_range.end >= from),
    tls: store.tls.filter((r) => Date.parse(r["date-range"]["end-datetime"]) / 1000 >= from),
  };
}
