import { DurableObject } from "cloudflare:workers";

/** One object per store: the single writer for everything store-wide. */
export class StoreRegistry extends DurableObject<Env> {}
