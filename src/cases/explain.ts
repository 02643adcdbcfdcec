/**
 * Why a timer stopped being needed, in words a support lead would use ("first reply sent at
 * 10:02", "delivered", "tag removed"). Pure; the case view shows it next to each cancelled timer.
 */
import type { SlaMetric } from "../sla/index";
import type { Evaluation } from "./engine";
import { contactedSince, label } from "./plan";
import { ownedEscalationReason } from "./ownership";
import { isResolvedStatus } from "./state";
import type { TimerRow } from "./case-sql";

const iso = (t: number): string => new Date(t).toISOString();

export function cancelReason(row: Pick<TimerRow, "kind" | "spec">, ev: Evaluation, _now: number): string {
  const s = ev.state;
  const resolved = isResolvedStatus(s.status) ? `case ${s.status}` : null;
  const family = row.kind.split(".")[0]!;
  const owned = ownedEscalationReason(row.spec, ev.state, ev.clocks);
  if (owned) return owned;
  switch (family) {
    case "first_reply":
    case "next_reply":
    case "periodic_update":
    case "resolution": {
      const metric = family as SlaMetric;
      const clock = ev.clocks.clocks.find((c) => c.metric === metric);
      if (!clock) return `no ${label(metric)} target applies any more`;
      if (clock.status === "fulfilled" && clock.fulfilledAt !== null) return `${label(metric)} fulfilled at ${iso(clock.fulfilledAt)}`;
      if (clock.status === "paused") return `${label(metric)} clock paused (status ${s.status ?? "unknown"})`;
      if (row.kind.endsWith(".warning") && clock.dueAt !== null && clock.dueAt <= _now) return `the ${label(metric)} target was due at ${iso(clock.dueAt)} before this warning went out: the breach says more`;
      if (clock.dueAt !== null) return `deadline moved to ${iso(clock.dueAt)}`;
      return resolved ?? "no longer due";
    }
    case "callback": {
      const id = row.spec.detail.type === "callback" ? row.spec.detail.callbackId : null;
      const cb = s.callbacks.find((c) => c.id === id);
      if (cb?.doneAt != null) return `callback ${cb.doneReason ?? "done"} at ${iso(cb.doneAt)}`;
      if (s.status === "closed") return "case closed";
      return "callback promise changed";
    }
    case "rating":
      if (s.lastAgentReplyAt !== null) return `agent replied at ${iso(s.lastAgentReplyAt)}`;
      return "rating revised";
    case "shipment": {
      const sh = s.shipment;
      if (sh?.deliveredAt != null) return `delivered at ${iso(sh.deliveredAt)}`;
      if (resolved) return resolved;
      // Updates stop for a parcel on its way back; otherwise a contact since the delay began is why.
      if (row.kind === "shipment.update_due" && sh?.returnedAt != null) return `parcel returning to sender since ${iso(sh.returnedAt)}`;
      const contactedAt = row.spec.detail.type === "shipment" && contactedSince(s, row.spec.detail.since) ? s.lastAgentReplyAt : null;
      if (contactedAt !== null && row.kind === "shipment.contact_due") return `customer contacted at ${iso(contactedAt)}`;
      if (contactedAt !== null && row.kind === "shipment.update_due") return `customer contacted at ${iso(contactedAt)}: the next update is owed an interval after that`;
      if (sh?.lastScanAt != null) return `carrier scan at ${iso(sh.lastScanAt)} re-armed the watch`;
      return "no longer due";
    }
    default:
      return resolved ?? "no longer due";
  }
}
