// Route53 record sets from the pure record set. Which names and types exist depends only on the
// config (the core's recordPlan), so one resource is declared per planned record; each
// resource's values then come from that record built from its own inputs (plannedRecords in
// server-records.ts), so it depends on those alone.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { type DnsRecord, type PlannedRecord, route53ProviderValues } from "../core/dns";
import { TYPE_PREFIX, logicalName } from "./tags";

export interface DnsRecordsArgs {
  /** Which records exist: one resource each. */
  plan: readonly PlannedRecord[];
  /** The real records, element i matching plan[i] (see plannedRecords). */
  records: ReadonlyArray<pulumi.Input<DnsRecord>>;
  /** Hosted zone id per configured domain. */
  zoneIds: Readonly<Record<string, pulumi.Input<string>>>;
}

export class DnsRecords extends pulumi.ComponentResource {
  readonly recordResources: readonly aws.route53.Record[];

  constructor(name: string, args: DnsRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:DnsRecords`, name, {}, opts);
    if (args.records.length !== args.plan.length) throw new Error(`internal: ${args.records.length} DNS records for ${args.plan.length} planned ones`);
    const used = new Set<string>();
    const resources: aws.route53.Record[] = [];
    args.plan.forEach((planned, i) => {
      const zoneId = args.zoneIds[planned.zone];
      // Reverse zones (PTR) are not Route53's: AWS serves the PTR of an Elastic IP (ReverseDns).
      if (zoneId === undefined) return;
      const at = pulumi.output(args.records[i] as pulumi.Input<DnsRecord>);
      const id = unique(used, logicalName(planned.type, planned.name));
      resources.push(new aws.route53.Record(id, {
        zoneId,
        name: at.name,
        type: at.type,
        ttl: at.ttl,
        // The provider quotes TXT values itself: hand it the unquoted s1""s2 form, not RDATA.
        records: at.apply((r) => route53ProviderValues(r)),
      }, { parent: this }));
    });
    this.recordResources = resources;
    this.registerOutputs({ count: resources.length });
  }
}

function unique(used: Set<string>, base: string): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
  used.add(id);
  return id;
}
