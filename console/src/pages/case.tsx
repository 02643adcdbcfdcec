/**
 * One case (`/cases/<caseId>`, store from the session): who the customer is and where the ticket
 * lives, each SLA clock as a bar of business time used against its target, the timers (pending
 * and done, each with its "why" and rule path), the reminders with their delivery state per
 * channel, the event timeline, and the actions: promise a callback (a time in the calendar's
 * zone, warned outside business hours), mark a callback done, mark a shipment's customer
 * contacted. Data: GET /v1/stores/:storeId/cases/:caseId (CaseView) and GET …/rules (calendars).
 */
import { useState } from "preact/hooks";
import { api, ApiFailure, enc, storePath } from "../api";
import { caseCalendar, isBusinessTime, type CaseCalendar } from "../calendar";
import { Countdown, Empty, ErrorNote, Field, Layout, Tag, useApi, useSession } from "../components";
import { Link, useLocation } from "../router";
import { formatDuration, formatInstant, fromWallInput, toWallInput, viewerZone, zoneLabel } from "../time";
import type { CaseView, ClockView, RulesDocument, TimerView } from "../types";
import { caseLabel } from "./board";
import { t } from "../i18n";
import { OwnerLine, TakeIt } from "../ownership";
import { BacktestedDraftComparison } from "../rules/compare";

const METRIC: Record<string, string> = { first_reply: "First response", next_reply: "Next reply", periodic_update: "Periodic update", resolution: "Resolution" };

function safeHref(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

export function CasePage(props: { caseId: string }) {
  const { session } = useSession();
  const fromBacktest = useLocation().query.get("draft") === "backtest";
  const base = storePath(session.storeId, `/cases/${enc(props.caseId)}`);
  const view = useApi(() => api<CaseView>("GET", base), [base], 15_000);
  const rules = useApi(() => api<{ rules: RulesDocument }>("GET", storePath(session.storeId, "/rules")), [session.storeId]);
  const c = view.data;
  const cal = caseCalendar(rules.data?.rules, c?.rules.policy?.index ?? null);

  if (!c) {
    return (
      <Layout title={t("title.case")}>
        {view.error instanceof ApiFailure && view.error.status === 404 ? (
          <Empty title={`No case ${props.caseId} in this store.`}>
            <p>
              It may belong to another store, or its first event has not arrived yet. <Link href="/">Back to the board</Link>.
            </p>
          </Empty>
        ) : (
          <ErrorNote error={view.error} what="Could not load the case" />
        )}
        {view.loading && <p>Loading the case…</p>}
      </Layout>
    );
  }

  const helpdesk = safeHref(c.url);
  const breached = c.clocks.some((k) => k.status === "breached");
  return (
    <Layout title={caseLabel({ caseId: c.caseId, type: c.type, ticketId: c.key.ticketId ?? null, carrier: c.shipment?.carrier ?? null, trackingNumber: c.shipment?.trackingNumber ?? null })}>
      <ErrorNote error={view.error} what="Could not refresh the case" />
      <section class="case-head card" aria-label="Case">
        <p class="subject-line">
          {c.subject ?? (c.type === "shipment" ? "Shipment" : "(no subject)")} {breached && <Tag kind="breached">{t("case.breached")}</Tag>}
        </p>
        <dl class="pairs">
          <dt>Status</dt>
          <dd>{c.status ?? "—"}</dd>
          <dt>Priority</dt>
          <dd>{c.priority ?? "—"}</dd>
          <dt>Policy</dt>
          <dd>{c.rules.policy ? `${c.rules.policy.name} (rules v${c.rules.policy.version})` : "none matched"}</dd>
          {c.assignee && (
            <>
              <dt>Assignee</dt>
              <dd>{c.assignee}</dd>
            </>
          )}
          {c.group && (
            <>
              <dt>Group</dt>
              <dd>{c.group}</dd>
            </>
          )}
          <dt>Customer</dt>
          <dd>
            {c.customer.phone && (
              <a href={`tel:${c.customer.phone.replace(/[^\d+]/g, "")}`} class="block">
                Call {c.customer.phone}
              </a>
            )}
            {c.customer.name && <span class="block">{c.customer.name}</span>}
            {c.customer.email && (
              <a href={`mailto:${c.customer.email}`} class="block">
                {c.customer.email}
              </a>
            )}
            {!c.customer.phone && !c.customer.name && !c.customer.email && "—"}
          </dd>
          {c.orderIds.length > 0 && (
            <>
              <dt>Orders</dt>
              <dd>{c.orderIds.join(", ")}</dd>
            </>
          )}
          <dt>Opened</dt>
          <dd>{formatInstant(c.openedAt)}</dd>
          <dt>{t("case.owner")}</dt>
          <dd>
            <OwnerLine owner={c.owner} />
          </dd>
        </dl>
        {helpdesk && (
          <p>
            <a href={helpdesk} target="_blank" rel="noopener noreferrer">
              Open in the helpdesk ↗
            </a>
          </p>
        )}
      </section>

      {c.shipment && <Shipment c={c} />}

      <section aria-labelledby="clocks-h">
        <h2 id="clocks-h">{t("case.clocks")}</h2>
        <p class="hint">
          Business time on {cal.name}, {zoneLabel(cal.zone)}; your zone is {zoneLabel(viewerZone)}.
        </p>
        {c.clocks.length === 0 ? <p class="muted">No SLA clock runs on this case{c.rules.policy ? "" : ": no policy matched it"}.</p> : c.clocks.map((k) => <Clock key={`${k.metric}-${k.startedAt}`} clock={k} zone={cal.zone} />)}
      </section>

      <TakeIt storeId={session.storeId} caseId={c.caseId} owner={c.owner} onTaken={view.reload} />
      <Actions c={c} base={base} cal={cal} reload={view.reload} />

      {fromBacktest && <BacktestedDraftComparison storeId={session.storeId} caseId={c.caseId} />}
      <Timers timers={c.timers} />
      <Reminders c={c} />
      <Timeline c={c} />
    </Layout>
  );
}

function Clock({ clock: k, zone }: { clock: ClockView; zone: string }) {
  const pct = k.targetMs > 0 ? Math.min(100, (k.usedMs / k.targetMs) * 100) : 100;
  const statusText = k.status === "breached" ? "breached" : k.status === "paused" ? "paused" : k.status === "fulfilled" ? "met" : "running";
  return (
    <div class={`clock ${k.status}`}>
      <div class="clock-head">
        <strong>{METRIC[k.metric] ?? k.metric}</strong> <Tag kind={k.status === "breached" ? "breached" : k.status === "fulfilled" ? "ok" : k.status === "paused" ? "muted" : undefined}>{statusText}</Tag>
        <span class="muted">
          {" "}
          {formatDuration(k.usedMs)} used of {formatDuration(k.targetMs)}
        </span>
      </div>
      <div class="bar" role="meter" aria-label={`${METRIC[k.metric] ?? k.metric}: business time used`} aria-valuemin={0} aria-valuemax={k.targetMs} aria-valuenow={Math.min(k.usedMs, k.targetMs)} aria-valuetext={`${formatDuration(k.usedMs)} of ${formatDuration(k.targetMs)}${k.status === "paused" ? ", paused" : ""}`}>
        <span class="used" style={{ width: `${pct}%` }} />
      </div>
      <p class="small">
        {k.status === "breached" && k.breachedAt && <>Breached {formatInstant(k.breachedAt, zone)} · </>}
        {k.status === "fulfilled" && k.fulfilledAt && <>Met {formatInstant(k.fulfilledAt, zone)} · </>}
        {k.dueAt && k.status !== "fulfilled" && (
          <>
            Due {formatInstant(k.dueAt, zone)}
            {zone !== viewerZone && <> ({formatInstant(k.dueAt)} your time)</>} · {k.status === "paused" ? "paused: the clock is not counting" : <Countdown at={k.dueAt} zone={zone} />}
          </>
        )}
      </p>
    </div>
  );
}

function Shipment({ c }: { c: CaseView }) {
  const s = c.shipment!;
  return (
    <section aria-labelledby="ship-h" class="card">
      <h2 id="ship-h">{t("case.shipment")}</h2>
      <dl class="pairs">
        <dt>Carrier</dt>
        <dd>
          {s.carrier.toUpperCase()} {s.trackingNumber}
        </dd>
        <dt>Milestone</dt>
        <dd>
          {s.milestone ?? "—"}
          {s.reason ? ` (${s.reason})` : ""}
        </dd>
        <dt>Last scan</dt>
        <dd>{formatInstant(s.lastScanAt)}</dd>
        <dt>Promised</dt>
        <dd>{formatInstant(s.promisedDelivery)}</dd>
        <dt>Estimated</dt>
        <dd>{formatInstant(s.estimatedDelivery)}</dd>
        {s.deliveredAt && (
          <>
            <dt>Delivered</dt>
            <dd>{formatInstant(s.deliveredAt)}</dd>
          </>
        )}
      </dl>
      {s.delaySignals.length > 0 && (
        <ul>
          {s.delaySignals.map((d) => (
            <li key={d.at + d.kind}>
              <Tag kind="risk">{d.kind.replace(/_/g, " ")}</Tag> {formatInstant(d.at)} {d.reason ?? ""}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Actions({ c, base, cal, reload }: { c: CaseView; base: string; cal: CaseCalendar; reload: () => void }) {
  const [at, setAt] = useState(() => toWallInput(Date.now() + 3_600_000, cal.zone));
  const [owner, setOwner] = useState("");
  const [note, setNote] = useState("");
  const [phone, setPhone] = useState(c.customer.phone ?? "");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | null>(null);
  const instant = fromWallInput(at, cal.zone);
  const outside = instant !== null && !isBusinessTime(cal, instant);

  const run = async (what: string, call: () => Promise<unknown>, okText: string) => {
    setBusy(what);
    setError(undefined);
    setDone(null);
    try {
      await call();
      setDone(okText);
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const open = c.callbacks.filter((cb) => cb.doneAt === null);
  const issue = (p: string) => (error instanceof ApiFailure ? error.issueAt(p) : undefined);

  return (
    <section aria-labelledby="actions-h">
      <h2 id="actions-h">{t("case.actions")}</h2>
      {done && (
        <p class="ok" role="status">
          {done}
        </p>
      )}
      <ErrorNote error={error && !issue("at") ? error : undefined} />
      {open.length > 0 && (
        <ul class="callbacks">
          {open.map((cb) => (
            <li key={cb.id}>
              Callback promised for <strong>{cb.at ? formatInstant(cb.at, cal.zone) : "(no time)"}</strong>
              {cb.at && cal.zone !== viewerZone ? ` (${formatInstant(cb.at)} your time)` : ""}
              {cb.owner ? ` by ${cb.owner}` : ""}
              {cb.phone ? ` to ${cb.phone}` : ""}
              {cb.note ? `: ${cb.note}` : ""}{" "}
              <button type="button" disabled={busy !== null} onClick={() => void run(`done-${cb.id}`, () => api("POST", `${base}/callbacks/${enc(cb.id)}/done`, {}), "Callback marked done.")}>
                {t("case.markCallbackDone")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          if (instant === null) return;
          const body: Record<string, string> = { at: new Date(instant).toISOString() };
          if (owner.trim()) body.owner = owner.trim();
          if (note.trim()) body.note = note.trim();
          if (phone.trim()) body.phone = phone.trim();
          void run("callback", () => api("POST", `${base}/callbacks`, body), "Callback promised: its reminders are planned below.");
        }}
      >
        <h3>{t("case.promiseCallback")}</h3>
        <Field
          label={`Call back at (${zoneLabel(cal.zone)})`}
          name="callbackAt"
          type="datetime-local"
          value={at}
          onInput={setAt}
          required
          error={issue("at")}
          hint={
            outside ? (
              <span class="warn-text" role="status">
                Outside business hours on {cal.name}: nobody may be there to make the call.
              </span>
            ) : instant !== null && cal.zone !== viewerZone ? (
              `${formatInstant(instant)} in your zone`
            ) : undefined
          }
        />
        <Field label="Who calls (optional)" name="owner" value={owner} onInput={setOwner} error={issue("owner")} />
        <Field label="Phone (optional)" name="phone" type="tel" value={phone} onInput={setPhone} error={issue("phone")} />
        <Field label="Note (optional)" name="note" value={note} onInput={setNote} error={issue("note")} />
        <button type="submit" disabled={busy !== null || instant === null}>
          {busy === "callback" ? "Promising…" : "Promise callback"}
        </button>
      </form>
      {c.type === "shipment" && (
        <p>
          <button type="button" disabled={busy !== null} onClick={() => void run("contacted", () => api("POST", `${base}/contacted`, {}), "Marked: the customer has been told about the parcel.")}>
            {t("case.markContacted")}
          </button>
        </p>
      )}
    </section>
  );
}

function Timers({ timers }: { timers: CaseView["timers"] }) {
  const row = (t: TimerView) => (
    <tr key={t.key} data-timer-kind={t.kind}>
      <td data-label="Timer">
        {t.kind.replace(/[._]/g, " ")} {t.urgency === "urgent" && <Tag kind="warn">urgent</Tag>}
      </td>
      <td data-label="Due">
        {formatInstant(t.dueAt)}
        {t.state === "pending" && (
          <span class="block">
            <Countdown at={t.dueAt} />
          </span>
        )}
      </td>
      <td data-label="State">
        {t.state === "fired" ? `fired${t.lateByMs !== null && t.lateByMs > 1000 ? ` (${formatDuration(t.lateByMs)} late)` : ""}` : t.state === "cancelled" ? `cancelled: ${t.cancelledBecause ?? ""}` : "pending"}
        {t.lastError && <span class="block error-text">last error: {t.lastError}</span>}
      </td>
      <td data-label="Why">
        {t.why}
        <span class="block small">
          <Link href={`/rules?path=${enc(t.rule.path)}&version=${t.rule.version}`}>
            {t.rule.name} · v{t.rule.version} · {t.rule.path}
          </Link>
        </span>
      </td>
      <td data-label="Channels">{t.channels.length ? t.channels.join(", ") : <span class="muted">none</span>}</td>
    </tr>
  );
  const table = (list: TimerView[], caption: string) => (
    <table class="list">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Timer</th>
          <th scope="col">Due</th>
          <th scope="col">State</th>
          <th scope="col">Why (rule)</th>
          <th scope="col">Channels</th>
        </tr>
      </thead>
      <tbody>{list.map(row)}</tbody>
    </table>
  );
  return (
    <section aria-labelledby="timers-h" id="timers">
      <h2 id="timers-h">{t("case.timers")}</h2>
      {timers.pending.length > 0 ? table(timers.pending, `Pending (${timers.pending.length})`) : <p class="muted">Nothing pending.</p>}
      {timers.done.length > 0 && table(timers.done, `Done (${timers.done.length})`)}
    </section>
  );
}

function Reminders({ c }: { c: CaseView }) {
  const list = c.timeline.reminders;
  return (
    <section aria-labelledby="rem-h">
      <h2 id="rem-h">{t("case.reminders")}</h2>
      {list.length === 0 ? (
        <p class="muted">No reminder has fired on this case yet.</p>
      ) : (
        <ul class="reminders">
          {list.map((r) => (
            <li key={r.reminderId} class="card">
              <strong>{r.title}</strong> <span class="muted small">fired {formatInstant(r.firedAt)}</span>
              <p class="small">{r.nextAction}</p>
              {r.deliveries.length === 0 ? (
                <p class="small muted">{r.outbox === "pending" ? `waiting to be handed to delivery${r.lastError ? ` (${r.lastError})` : ""}` : "no channel"}</p>
              ) : (
                <ul class="deliveries">
                  {r.deliveries.map((d) => (
                    <li key={d.id}>
                      <Tag kind={d.state === "delivered" ? "ok" : d.state === "dead" ? "breached" : d.state === "held" ? "muted" : "warn"}>{d.state.replace("_", " ")}</Tag> {d.channel ?? "no channel"} · {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
                      {d.lastError ? ` · ${d.lastError}` : ""}
                      {d.heldUntil ? ` · held until ${formatInstant(d.heldUntil)}` : ""}
                      {d.state === "dead" && (
                        <>
                          {" "}
                          <Link href="/deliveries?state=dead">retry on Deliveries</Link>
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Timeline({ c }: { c: CaseView }) {
  const items = [
    ...c.timeline.events.map((e) => ({ at: e.occurredAt, key: e.eventId, text: e.summary, tag: e.provider + (e.stale ? " · arrived late" : "") })),
    ...c.timeline.notes.map((n, i) => ({ at: n.at, key: `note-${i}`, text: n.text, tag: n.kind })),
    ...c.timeline.metricEvents.map((m, i) => ({ at: m.at, key: `m-${i}`, text: `${METRIC[m.metric] ?? m.metric}: ${m.type.replace(/_/g, " ")}`, tag: "clock" })),
    ...c.timeline.reminders.map((r) => ({ at: r.firedAt, key: r.reminderId, text: `Reminder: ${r.title}`, tag: "reminder" })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <section aria-labelledby="tl-h">
      <h2 id="tl-h">{t("case.timeline")}</h2>
      <ol class="timeline">
        {items.map((i) => (
          <li key={i.key}>
            <time dateTime={i.at}>{formatInstant(i.at)}</time> <span class="muted small">{i.tag}</span>
            <span class="block">{i.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
