/**
 * Every API shape the console uses, taken from the server's zod schemas (`z.infer`), so the page
 * cannot drift from the API. Type-only imports: none of the server's code is bundled
 * (scripts/build-console.mjs refuses a runtime import from src/).
 */
import type { z } from "zod";
import type { PlaybookReportRow as PlaybookReportRowSchema, ShipmentsReport as ShipmentsReportSchema } from "../../src/reports/schema";
import type { CaseSummary as CaseSummarySchema, CaseListState as CaseListStateSchema } from "../../src/stores/case-index";
import type { CaseView as CaseViewSchema, CaseList as CaseListSchema, ClockView as ClockViewSchema, TimerView as TimerViewSchema } from "../../src/cases/schema";
import type { DeliveryView as DeliveryViewSchema, ChannelHealthView as ChannelHealthSchema } from "../../src/notify/views";
import type { AuditEntry as AuditEntrySchema, VersionMeta as VersionMetaSchema } from "../../src/rules-store/schema";
import type { RulesDocument as RulesDocumentSchema } from "../../src/rules/schema";
import type { StoreCreated as StoreCreatedSchema, StoreView as StoreViewSchema } from "../../src/stores/schema";
import type { SessionView as SessionViewSchema } from "../../src/http/session-schema";

export type CaseSummary = z.infer<typeof CaseSummarySchema>;
export type CaseListState = z.infer<typeof CaseListStateSchema>;
export type CaseList = z.infer<typeof CaseListSchema>;
export type CaseView = z.infer<typeof CaseViewSchema>;
export type ClockView = z.infer<typeof ClockViewSchema>;
export type TimerView = z.infer<typeof TimerViewSchema>;
export type DeliveryView = z.infer<typeof DeliveryViewSchema>;
export type ChannelHealthView = z.infer<typeof ChannelHealthSchema>;
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type RulesDocument = z.infer<typeof RulesDocumentSchema>;
export type VersionMeta = z.infer<typeof VersionMetaSchema>;
/** GET …/rules: the version's metadata and the document (secrets masked); its ETag names the version. */
export type RulesView = VersionMeta & { rules: RulesDocument };
export type StoreCreated = z.infer<typeof StoreCreatedSchema>;
export type StoreView = z.infer<typeof StoreViewSchema>;
export type SessionView = z.infer<typeof SessionViewSchema>;

import type { SlaReport as SlaReportSchema, SlaReportRow as SlaReportRowSchema, CyclePage as CyclePageSchema, CycleView as CycleViewSchema } from "../../src/reports/schema";
export type SlaReport = z.infer<typeof SlaReportSchema>;
export type SlaReportRow = z.infer<typeof SlaReportRowSchema>;
export type CyclePage = z.infer<typeof CyclePageSchema>;
export type CycleView = z.infer<typeof CycleViewSchema>;

/** GET …/reports/shipments and …/reports/playbook: the server's own schemas. */
export type ShipmentsReport = z.infer<typeof ShipmentsReportSchema>;
export type PlaybookReportRow = z.infer<typeof PlaybookReportRowSchema>;
