import { DurableObject } from "cloudflare:workers";
import { caseIdOf, NormalizedEvent } from "../events/model";
import { applyMigrations } from "../lib/sql-migrations";
import { caseMigrations, getMeta, insertEvent, setMeta, type InsertOutcome } from "./case-sql";

export interface IngestResult {
  caseId: string;
  results: InsertOutcome[];
}

/** One object per support case or shipment. */
export class SupportCase extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      applyMigrations(ctx.storage, "case", caseMigrations);
    });
  }

  async ingest(events: NormalizedEvent[]): Promise<IngestResult> {
    const now = Date.now();
    const checked = events.map((e) => NormalizedEvent.parse(e));
    const first = checked[0];
    if (!first) throw new Error("ingest needs at least one event");
    const caseId = caseIdOf(first.caseKey);
    let results: InsertOutcome[] = [];
    this.ctx.storage.transactionSync(() => {
      if (getMeta(this.sql, "caseId") === null) {
        setMeta(this.sql, "caseId", caseId);
        setMeta(this.sql, "storeId", first.storeId);
      }
      results = checked.map((e) => insertEvent(this.sql, e, now));
    });
    return { caseId, results };
  }
}
