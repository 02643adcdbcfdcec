/**
 * What the rules admin API answers with, as zod schemas: the source of the TypeScript types
 * used by the registry code and of the OpenAPI document.
 */
import { z } from "zod";
import { DiffEntry } from "../rules/diff";

export const RulesAction = z.enum(["update", "rollback"]);
export type RulesAction = z.infer<typeof RulesAction>;

export const VersionMeta = z.object({
  version: z.number().int().nonnegative().meta({ description: "1, 2, 3…; 0 is the built-in starter document every store begins with." }),
  author: z.string().meta({ description: 'The admin token id that saved it ("promptly" for version 0).' }),
  createdAt: z.string(),
  summary: z.string().meta({ description: "What changed, in one line (given with `?summary=` or written from the diff)." }),
  action: z.enum([...RulesAction.options, "default"]),
  basedOn: z.number().int().nonnegative().meta({ description: "The version this one replaced." }),
  appliedToOpenCases: z.boolean().meta({ description: "Whether the save asked for open cases to move to this version." }),
});
export type VersionMeta = z.infer<typeof VersionMeta>;

export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string().meta({ description: 'Admin token id (or "operator", "system").' }),
  action: z.string().meta({ description: 'e.g. "rules.update", "rules.rollback".' }),
  subject: z.string(),
  fromVersion: z.number().int().nullable(),
  toVersion: z.number().int().nullable(),
  summary: z.string(),
  changes: z.array(DiffEntry).nullable().meta({ description: "Structural diff, secrets masked." }),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
