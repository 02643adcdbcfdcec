import { DurableObject } from "cloudflare:workers";

/** One object per support case or shipment (filled in by the case issue). */
export class SupportCase extends DurableObject<Env> {}
