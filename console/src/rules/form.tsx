/**
 * The rules form: the everyday edits of a rules document (policies with their conditions, targets
 * per priority, warnings, pauses and escalation levels; calendars with week hours, holidays and
 * closures; playbook switches and values; quiet hours). Everything else (channels and their
 * secrets, tags conditions, a playbook's lists) is in the JSON view. Every input edits the draft at
 * the same path the API names in its errors, so an error from a preview or a save appears at its
 * field (`errorAt(path)`).
 */
import { useRef } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { getAt, setAt, type Json } from "./doc";

export interface FormProps {
  draft: Json;
  onChange: (next: Json) => void;
  errorAt: (path: string) => string | undefined;
}

const METRICS: { key: string; label: string }[] = [
  { key: "firstReply", label: "First reply" },
  { key: "nextReply", label: "Next reply" },
  { key: "periodicUpdate", label: "Periodic update" },
  { key: "resolution", label: "Resolution" },
];
const PRIORITIES = ["urgent", "high", "normal", "low"] as const;
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const STATUSES = ["new", "open", "pending", "on_hold", "solved", "closed"];

let seq = 0;
const useId = () => useRef(`r${++seq}`).current;

const list = (v: Json | undefined): string => (Array.isArray(v) ? v.join(", ") : "");
const fromList = (s: string): string[] | undefined => {
  const items = s.split(",").map((x) => x.trim()).filter(Boolean);
  return items.length ? items : undefined;
};

/** One labelled text input bound to a path of the draft, with the API's error for that path. */
function Text(props: FormProps & { path: string; label: string; hint?: string; list?: boolean; placeholder?: string; number?: boolean }) {
  const id = useId();
  const raw = getAt(props.draft, props.path);
  const value = props.list ? list(raw) : raw === undefined || raw === null ? "" : String(raw);
  const error = props.errorAt(props.path);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        value={value}
        placeholder={props.placeholder}
        data-path={props.path}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error || props.hint ? `${id}-note` : undefined}
        onInput={(e) => {
          const v = (e.currentTarget as HTMLInputElement).value;
          const next = props.list ? fromList(v) : v.trim() === "" ? undefined : props.number && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
          props.onChange(setAt(props.draft, props.path, next));
        }}
      />
      {(error || props.hint) && (
        <p id={`${id}-note`} class={error ? "field-error" : "hint"}>
          {error ?? props.hint}
        </p>
      )}
    </div>
  );
}

function Check(props: FormProps & { path: string; label: string }) {
  const id = useId();
  const error = props.errorAt(props.path);
  return (
    <div class="field check">
      <input id={id} type="checkbox" checked={getAt(props.draft, props.path) !== false} data-path={props.path} onChange={(e) => props.onChange(setAt(props.draft, props.path, (e.currentTarget as HTMLInputElement).checked))} />
      <label for={id}>{props.label}</label>
      {error && <p class="field-error">{error}</p>}
    </div>
  );
}

function Select(props: FormProps & { path: string; label: string; options: { value: string; label: string }[]; emptyLabel?: string }) {
  const id = useId();
  const raw = getAt(props.draft, props.path);
  const error = props.errorAt(props.path);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        data-path={props.path}
        value={typeof raw === "string" ? raw : ""}
        aria-invalid={error ? "true" : undefined}
        onChange={(e) => {
          const v = (e.currentTarget as HTMLSelectElement).value;
          props.onChange(setAt(props.draft, props.path, v === "" ? undefined : v));
        }}
      >
        {props.emptyLabel !== undefined && <option value="">{props.emptyLabel}</option>}
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error && <p class="field-error">{error}</p>}
    </div>
  );
}

function Group(props: { title: string; children: ComponentChildren; error?: string | undefined; open?: boolean }) {
  return (
    <details class="card rule-group" open={props.open}>
      <summary>
        <strong>{props.title}</strong>
        {props.error && <span class="field-error"> — {props.error}</span>}
      </summary>
      {props.children}
    </details>
  );
}

function calendarOptions(draft: Json): { value: string; label: string }[] {
  const names = Object.keys((getAt(draft, "calendars") as Record<string, Json> | undefined) ?? {});
  return [{ value: "24/7", label: "24/7 (calendar hours)" }, ...names.map((n) => ({ value: n, label: n }))];
}

function Policies(props: FormProps) {
  const policies = (getAt(props.draft, "policies") as Json[] | undefined) ?? [];
  return (
    <section aria-labelledby="rules-policies">
      <h2 id="rules-policies">Policies</h2>
      <p class="hint">The first policy whose conditions match a case decides its targets. Durations: 30m, 4h, 2d.</p>
      {policies.length === 0 && <p class="empty-title">No policy yet: add one so cases get targets.</p>}
      {policies.map((_, i) => {
        const at = `policies[${i}]`;
        const name = String(getAt(props.draft, `${at}.name`) ?? `Policy ${i + 1}`);
        return (
          <Group key={i} title={`${i + 1}. ${name}`} open={i === 0} error={props.errorAt(at)}>
            <Text {...props} path={`${at}.name`} label="Policy name" />
            <div class="row">
              <Text {...props} path={`${at}.when.priorities`} label="When priority is (comma-separated)" list placeholder="any" />
              <Text {...props} path={`${at}.when.channels`} label="When channel is" list placeholder="any" />
              <Text {...props} path={`${at}.when.caseTypes`} label="When case type is" list placeholder="ticket, shipment" />
            </div>
            <Text {...props} path={`${at}.notify`} label="Notify channels (comma-separated)" list hint="Channel names from the Channels section." />
            {METRICS.map((m) => {
              const tp = `${at}.targets.${m.key}`;
              const has = getAt(props.draft, tp) !== undefined;
              return (
                <fieldset key={m.key} class="target">
                  <legend>{m.label} target</legend>
                  {!has ? (
                    <button type="button" class="link" onClick={() => props.onChange(setAt(props.draft, tp, { calendar: "24/7", byPriority: { normal: "4h" } }))}>
                      Add a {m.label.toLowerCase()} target
                    </button>
                  ) : (
                    <>
                      <div class="row">
                        {PRIORITIES.map((p) => (
                          <Text key={p} {...props} path={`${tp}.byPriority.${p}`} label={`${m.label}: ${p}`} placeholder="none" />
                        ))}
                      </div>
                      <div class="row">
                        <Select {...props} path={`${tp}.calendar`} label={`${m.label}: business hours`} options={calendarOptions(props.draft)} />
                        <Text {...props} path={`${tp}.warnings`} label={`${m.label}: warn before due`} list placeholder="e.g. 1h, 15m" />
                        <Text {...props} path={`${tp}.pauseOn`} label={`${m.label}: pause while status is`} list hint={`Statuses: ${STATUSES.join(", ")}`} />
                      </div>
                      <button type="button" class="link" onClick={() => props.onChange(setAt(props.draft, tp, undefined))}>
                        Remove the {m.label.toLowerCase()} target
                      </button>
                    </>
                  )}
                </fieldset>
              );
            })}
            <Escalations {...props} at={at} />
            <p>
              <button type="button" class="link" onClick={() => props.onChange(setAt(props.draft, at, undefined))}>
                Remove policy “{name}”
              </button>
            </p>
          </Group>
        );
      })}
      <button type="button" onClick={() => props.onChange(setAt(props.draft, `policies[${policies.length}]`, { name: `Policy ${policies.length + 1}`, targets: { firstReply: { calendar: "24/7", byPriority: { normal: "4h" } } } }))}>
        Add a policy
      </button>
    </section>
  );
}

function Escalations(props: FormProps & { at: string }) {
  const levels = (getAt(props.draft, `${props.at}.escalations`) as Json[] | undefined) ?? [];
  return (
    <fieldset class="target">
      <legend>Escalation levels (after a breach)</legend>
      {levels.map((_, j) => {
        const ep = `${props.at}.escalations[${j}]`;
        return (
          <div class="row" key={j}>
            <Text {...props} path={`${ep}.level`} label={`Level ${j + 1}: number`} number />
            <Text {...props} path={`${ep}.after`} label={`Level ${j + 1}: after the breach`} placeholder="1h" />
            <Text {...props} path={`${ep}.message`} label={`Level ${j + 1}: message`} />
            <Text {...props} path={`${ep}.channels`} label={`Level ${j + 1}: channels`} list placeholder="the policy's" />
            <button type="button" class="link" onClick={() => props.onChange(setAt(props.draft, ep, undefined))}>
              Remove level {j + 1}
            </button>
          </div>
        );
      })}
      <button
        type="button"
        class="link"
        onClick={() => props.onChange(setAt(props.draft, `${props.at}.escalations[${levels.length}]`, { level: levels.length + 1, after: levels.length ? `${levels.length + 1}h` : "1h", message: "Still overdue: a lead should take it." }))}
      >
        Add escalation level {levels.length + 1}
      </button>
    </fieldset>
  );
}

function Calendars(props: FormProps) {
  const calendars = (getAt(props.draft, "calendars") as Record<string, Json> | undefined) ?? {};
  const names = Object.keys(calendars);
  const id = useId();
  return (
    <section aria-labelledby="rules-calendars">
      <h2 id="rules-calendars">Calendars</h2>
      <p class="hint">Business hours that targets count in. Week hours per day like 09:00-12:30, 13:30-18:00; empty = closed.</p>
      {names.length === 0 && <p class="empty-title">No calendar yet: targets count calendar hours (24/7). Add one for business hours.</p>}
      {names.map((name) => {
        const at = `calendars.${name}`;
        return (
          <Group key={name} title={`Calendar “${name}”`} error={props.errorAt(at)}>
            <Text {...props} path={`${at}.timeZone`} label={`${name}: time zone`} placeholder="Europe/Istanbul" />
            <div class="row">
              {DAYS.map((d) => (
                <WeekDay key={d} {...props} path={`${at}.week.${d}`} label={`${name}: ${d}`} />
              ))}
            </div>
            <Lines {...props} path={`${at}.holidays`} label={`${name}: holidays (one date per line, YYYY-MM-DD)`} />
            <p class="hint">Closures (part-day) and openings are in the JSON view.</p>
          </Group>
        );
      })}
      <div class="row">
        <div class="field">
          <label for={id}>New calendar name</label>
          <input id={id} placeholder="office" />
        </div>
        <button
          type="button"
          onClick={() => {
            const input = document.getElementById(id) as HTMLInputElement;
            const n = input.value.trim();
            if (!n || calendars[n]) return;
            const day = [["09:00", "18:00"]];
            props.onChange(setAt(props.draft, `calendars.${n}`, { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", week: { mon: day, tue: day, wed: day, thu: day, fri: day }, holidays: [] }));
            input.value = "";
          }}
        >
          Add a calendar
        </button>
      </div>
    </section>
  );
}

function WeekDay(props: FormProps & { path: string; label: string }) {
  const id = useId();
  const raw = getAt(props.draft, props.path) as [string, string][] | undefined;
  const text = (raw ?? []).map(([a, b]) => `${a}-${b}`).join(", ");
  const error = props.errorAt(props.path);
  return (
    <div class="field day">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        defaultValue={text}
        placeholder="closed"
        data-path={props.path}
        aria-invalid={error ? "true" : undefined}
        onChange={(e) => {
          const spans = (e.currentTarget as HTMLInputElement).value
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
            .map((s) => s.split("-").map((x) => x.trim()) as [string, string]);
          props.onChange(setAt(props.draft, props.path, spans.length ? spans : undefined));
        }}
      />
      {error && <p class="field-error">{error}</p>}
    </div>
  );
}

function Lines(props: FormProps & { path: string; label: string }) {
  const id = useId();
  const raw = getAt(props.draft, props.path);
  const error = props.errorAt(props.path);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        rows={3}
        defaultValue={Array.isArray(raw) ? raw.join("\n") : ""}
        data-path={props.path}
        onChange={(e) => props.onChange(setAt(props.draft, props.path, (e.currentTarget as HTMLTextAreaElement).value.split("\n").map((s) => s.trim()).filter(Boolean)))}
      />
      {error && <p class="field-error">{error}</p>}
    </div>
  );
}

const PLAYBOOK: { key: string; label: string }[] = [
  { key: "badRating", label: "Answer every bad rating" },
  { key: "goingInCircles", label: "Call when a written exchange goes in circles" },
  { key: "disputeRisk", label: "Offer a coupon or refund before a dispute hardens" },
  { key: "callback", label: "Keep promised callbacks" },
  { key: "shipmentDelay", label: "Tell customers about a late parcel first" },
];

function Playbook(props: FormProps) {
  return (
    <section aria-labelledby="rules-playbook">
      <h2 id="rules-playbook">Playbook</h2>
      {PLAYBOOK.map((p) => {
        const at = `playbook.${p.key}`;
        const rule = (getAt(props.draft, at) as Record<string, Json> | undefined) ?? {};
        // Every scalar setting of the rule is a field here; lists and texts with structure are in the JSON view.
        const scalars = Object.entries(rule).filter(([k, v]) => k !== "enabled" && (typeof v === "string" || typeof v === "number"));
        return (
          <Group key={p.key} title={p.label} error={props.errorAt(at)}>
            <Check {...props} path={`${at}.enabled`} label={`${p.label}: on`} />
            <div class="row">
              {scalars.map(([k, v]) => (
                <Text key={k} {...props} path={`${at}.${k}`} label={`${p.label}: ${k}`} number={typeof v === "number"} />
              ))}
            </div>
          </Group>
        );
      })}
    </section>
  );
}

function QuietHours(props: FormProps) {
  return (
    <section aria-labelledby="rules-quiet">
      <h2 id="rules-quiet">Quiet hours</h2>
      <p class="hint">Non-urgent reminders wait until this calendar is open, then go as one digest; urgent ones go at once.</p>
      <Select {...props} path="quietHours.calendar" label="Send non-urgent reminders only while this calendar is open" options={calendarOptions(props.draft).filter((o) => o.value !== "24/7")} emptyLabel="Any time (no quiet hours)" />
    </section>
  );
}

function Channels(props: FormProps) {
  const channels = (getAt(props.draft, "channels") as Record<string, Record<string, Json>> | undefined) ?? {};
  const names = Object.keys(channels);
  return (
    <section aria-labelledby="rules-channels">
      <h2 id="rules-channels">Channels</h2>
      {names.length === 0 ? (
        <p class="empty-title">No channel yet: reminders are recorded but nobody is told. Add a Slack or webhook channel in the JSON view.</p>
      ) : (
        <ul>
          {names.map((n) => (
            <li key={n}>
              <strong>{n}</strong> · {String(channels[n]?.type ?? "?")}
              {props.errorAt(`channels.${n}`) && <span class="field-error"> — {props.errorAt(`channels.${n}`)}</span>}
            </li>
          ))}
        </ul>
      )}
      <p class="hint">Channel settings and their secrets (write-only, shown as ********) are edited in the JSON view; Connections sends a test reminder.</p>
    </section>
  );
}

export function RulesForm(props: FormProps) {
  return (
    <div class="rules-form">
      <Policies {...props} />
      <Calendars {...props} />
      <QuietHours {...props} />
      <Playbook {...props} />
      <Channels {...props} />
    </div>
  );
}
