/**
 * Rules validation as an admin meets it: every mistake is reported at its own field path, all
 * of them in one answer, including the ones that span two places in the document.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_RULES, RulesDocument } from "../../src/rules/schema";
import { checkRules, validateRules } from "../../src/rules/validate";
import { ApiError } from "../../src/http/errors";

const office = { timeZone: "Europe/Istanbul", week: { mon: [["09:00", "18:00"]], tue: [["09:00", "18:00"]] } };

function base(): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    calendars: { Office: structuredClone(office) },
    channels: { team: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/x" } },
    policies: [
      {
        name: "Urgent chat",
        when: { channels: ["chat"], priorities: ["urgent"] },
        targets: { firstReply: { calendar: "Office", byPriority: { urgent: "5m" }, warnings: ["2m"] } },
        notify: ["team"],
        escalations: [{ level: 1, after: "5m", message: "Shift lead: take it" }],
      },
    ],
  };
}

/** The issues of an invalid document, as path → message. */
function issuesOf(input: unknown): Map<string, string> {
  const result = checkRules(input);
  if (result.ok) throw new Error("expected the document to be invalid");
  return new Map(result.issues.map((i) => [i.path, i.message]));
}

describe("valid documents", () => {
  it("an empty document is valid and gets the playbook with its defaults on", () => {
    const result = checkRules({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document.policies).toEqual([]);
    expect(result.document.playbook.badRating).toMatchObject({ enabled: true, replyWithin: "2h", publicReply: true });
    expect(result.document.playbook.goingInCircles).toMatchObject({ enabled: true, customerMessages: 4 });
    expect(result.document.playbook.disputeRisk.enabled).toBe(true);
    expect(result.document.playbook.callback).toMatchObject({ enabled: true, remindBefore: "15m", grace: "10m", escalateAfter: "30m" });
    expect(result.document.playbook.shipmentDelay).toMatchObject({ enabled: true, preferPhone: true, updateEvery: "24h" });
  });

  it("the starter rules and a realistic document pass", () => {
    expect(checkRules(DEFAULT_RULES).ok).toBe(true);
    expect(checkRules(base()).ok).toBe(true);
  });

  it("a saved document reads back as written (durations stay the admin's text)", () => {
    const doc = validateRules(base());
    expect(doc.policies[0]!.targets.firstReply!.byPriority.urgent).toBe("5m");
    expect(doc.policies[0]!.escalations[0]!.after).toBe("5m");
    expect(RulesDocument.parse(JSON.parse(JSON.stringify(doc)))).toEqual(doc);
  });
});

describe("schema mistakes, each at its own path", () => {
  it("a typo in a field name is reported at the typo, at every level (nothing is silently dropped)", () => {
    const doc = base();
    doc.polices = [];
    doc.policies[0].whn = {};
    doc.policies[0].targets.firstreply = doc.policies[0].targets.firstReply;
    doc.policies[0].when.tags = { anyy: ["vip"] };
    doc.playbook = { shipmentDelay: { signals: { noScan: "2h" } } };
    const issues = issuesOf(doc);
    expect(issues.get("polices")).toBe('unknown field "polices"');
    expect(issues.get("policies[0].whn")).toBe('unknown field "whn"');
    expect(issues.get("policies[0].targets.firstreply")).toBe('unknown field "firstreply"');
    expect(issues.get("policies[0].when.tags.anyy")).toBe('unknown field "anyy"');
    expect(issues.get("playbook.shipmentDelay.signals.noScan")).toBe('unknown field "noScan"');
  });

  it("callback detection in the rules says where it lives now (provider options)", () => {
    const doc = base();
    doc.playbook = { callback: { detect: { tag: "callback" } } };
    expect(issuesOf(doc).get("playbook.callback.detect")).toMatch(/callbackTag \/ callbackField/);
  });

  it("a duration that is not one says how to write it", () => {
    const doc = base();
    doc.policies[0].targets.firstReply.byPriority.urgent = "5 minutes";
    doc.policies[0].escalations[0].after = "-5m";
    doc.playbook = { badRating: { replyWithin: "0s" } };
    const issues = issuesOf(doc);
    expect(issues.get("policies[0].targets.firstReply.byPriority.urgent")).toMatch(/not a duration.*"5m"/);
    expect(issues.get("policies[0].escalations[0].after")).toMatch(/not a duration/);
    expect(issues.get("playbook.badRating.replyWithin")).toMatch(/at least 1s/);
  });

  it("bad calendars, channels and names point at the field", () => {
    const doc = base();
    doc.calendars.Office.timeZone = "Europe/Atlantis";
    doc.calendars.Office.week.mon = [["09:00", "12:00"], ["11:00", "13:00"]];
    doc.calendars["!weird"] = structuredClone(office);
    doc.channels.team.webhookUrl = "ftp://hooks.example";
    doc.channels.pager = { type: "pagerduty", key: "x" };
    doc.channels.hook = { type: "webhook", url: "https://example.com/hook" };
    const issues = issuesOf(doc);
    expect(issues.get("calendars.Office.timeZone")).toMatch(/invalid IANA time zone/);
    expect(issues.get("calendars.Office.week.mon[1]")).toMatch(/overlaps week.mon\[0\]/);
    expect(issues.get("calendars.!weird")).toMatch(/name "!weird" is not allowed: use letters, digits/);
    expect(issues.get("channels.team.webhookUrl")).toBe("must be an http(s) URL");
    expect(issues.get("channels.pager.type")).toMatch(/slack.*webhook.*zendesk_note/);
    expect(issues.get("channels.hook.secret")).toBeDefined();
  });
});

describe("cross-reference mistakes", () => {
  it("unknown calendar names, wherever a calendar is named, list the ones that exist", () => {
    const doc = base();
    doc.policies[0].targets.firstReply.calendar = "Ofice";
    doc.playbook = { badRating: { calendar: "Weekend" }, shipmentDelay: { calendar: "Warehouse" } };
    doc.quietHours = { calendar: "Night" };
    const issues = issuesOf(doc);
    expect(issues.get("policies[0].targets.firstReply.calendar")).toBe('unknown calendar "Ofice"; define it under calendars or use "24/7" (defined: Office)');
    expect(issues.get("playbook.badRating.calendar")).toMatch(/unknown calendar "Weekend"/);
    expect(issues.get("playbook.shipmentDelay.calendar")).toMatch(/unknown calendar "Warehouse"/);
    expect(issues.get("quietHours.calendar")).toMatch(/unknown calendar "Night"/);
  });

  it("unknown channel names, wherever a channel is named", () => {
    const doc = base();
    doc.policies[0].notify = ["team", "tem"];
    doc.policies[0].escalations[0].channels = ["shift-lead"];
    doc.playbook = {
      badRating: { channels: ["ratings"] },
      goingInCircles: { channels: ["x"] },
      disputeRisk: { channels: ["legal"] },
      callback: { channels: ["team"], escalationChannels: ["boss"] },
      shipmentDelay: { channels: ["warehouse"] },
    };
    const issues = issuesOf(doc);
    expect(issues.get("policies[0].notify[1]")).toBe('unknown channel "tem"; define it under channels (defined: team)');
    expect(issues.get("policies[0].escalations[0].channels[0]")).toMatch(/unknown channel "shift-lead"/);
    expect(issues.get("playbook.badRating.channels[0]")).toMatch(/"ratings"/);
    expect(issues.get("playbook.goingInCircles.channels[0]")).toMatch(/"x"/);
    expect(issues.get("playbook.disputeRisk.channels[0]")).toMatch(/"legal"/);
    expect(issues.get("playbook.callback.escalationChannels[0]")).toMatch(/"boss"/);
    expect(issues.get("playbook.shipmentDelay.channels[0]")).toMatch(/"warehouse"/);
    expect(issues.has("playbook.callback.channels[0]")).toBe(false);
  });

  it("a warning offset not shorter than a target names the target it would swallow", () => {
    const doc = base();
    doc.policies[0].targets.firstReply = { calendar: "Office", byPriority: { urgent: "5m", high: "1h" }, warnings: ["30m", "5m", "4m"] };
    const issues = issuesOf(doc);
    expect(issues.get("policies[0].targets.firstReply.warnings[0]")).toMatch(/30m before the due time is not shorter than the urgent target \(5m\)/);
    expect(issues.get("policies[0].targets.firstReply.warnings[1]")).toMatch(/urgent target \(5m\)/);
    expect(issues.has("policies[0].targets.firstReply.warnings[2]")).toBe(false);
  });

  it("duplicate names: policies (ignoring case), calendars and channels differing only in case, repeated warnings", () => {
    const doc = base();
    doc.policies.push({ ...structuredClone(doc.policies[0]), name: "urgent CHAT" });
    doc.calendars.office = structuredClone(office);
    doc.channels.Team = { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/y" };
    doc.policies[0].targets.firstReply.warnings = ["2m", "120s"];
    const issues = issuesOf(doc);
    expect(issues.get("policies[1].name")).toBe('duplicate policy name "urgent CHAT" (also policies[0].name)');
    expect(issues.get("calendars.office")).toMatch(/duplicate name: "office" differs from "Office" only in upper\/lower case/);
    expect(issues.get("channels.Team")).toMatch(/duplicate name/);
    expect(issues.get("policies[0].targets.firstReply.warnings[1]")).toMatch(/duplicate warning: 120s is the same offset as warnings\[0\]/);
  });

  it("escalations must climb: levels increase and a higher level never fires earlier", () => {
    const doc = base();
    doc.policies[0].escalations = [
      { level: 1, after: "30m", message: "lead" },
      { level: 1, after: "1h", message: "again" },
      { level: 3, after: "10m", message: "manager" },
      { level: 4, after: "2h", message: "x", metrics: ["resolution"] },
    ];
    const issues = issuesOf(doc);
    expect(issues.get("policies[0].escalations[1].level")).toMatch(/levels must increase/);
    expect(issues.get("policies[0].escalations[2].after")).toMatch(/cannot fire earlier than the one before it/);
    expect(issues.get("policies[0].escalations[3].metrics[0]")).toBe("this policy has no resolution target, so nothing of it can breach");
  });

  it('"24/7" is built in: it cannot be redefined, and quiet hours on it would hold nothing back', () => {
    const doc = base();
    doc.calendars["24/7"] = structuredClone(office);
    doc.quietHours = { calendar: "24/7" };
    const issues = issuesOf(doc);
    expect(issues.get("calendars.24/7")).toMatch(/built in/);
    expect(issues.get("quietHours.calendar")).toMatch(/always open/);
  });

  it("an order value condition that means nothing says what it should be", () => {
    const doc = base();
    doc.policies[0].when.minOrderValue = -50;
    doc.policies.push(
      { name: "Euro orders", when: { minOrderValue: { amount: -1, currency: "eur" } } },
      { name: "Text amount", when: { minOrderValue: "500" } },
      { name: "Amount only", when: { minOrderValue: { amount: 500 } } },
      { name: "Typo", when: { minOrderValue: { amount: 500, currency: "EUR", curency: "USD" } } },
    );
    const issues = issuesOf(doc);
    expect(issues.get("policies[0].when.minOrderValue")).toBe("an order value cannot be negative");
    expect(issues.get("policies[1].when.minOrderValue.amount")).toBe("an order value cannot be negative");
    expect(issues.get("policies[1].when.minOrderValue.currency")).toBe("must be a 3-letter ISO 4217 currency code in capitals, e.g. EUR");
    const shape = 'must be an amount (500) or an amount with its currency ({ "amount": 500, "currency": "EUR" })';
    expect(issues.get("policies[2].when.minOrderValue")).toBe(shape);
    expect(issues.get("policies[3].when.minOrderValue")).toBe(shape);
    expect(issues.get("policies[4].when.minOrderValue.curency")).toBe('unknown field "curency"');
    // Both written forms are valid and read back as written.
    const ok = base();
    ok.policies.push({ name: "Big", when: { minOrderValue: 500 } }, { name: "Big EUR", when: { minOrderValue: { amount: 499.9, currency: "EUR" } } });
    expect(validateRules(ok).policies.slice(1).map((p) => p.when.minOrderValue)).toEqual([500, { amount: 499.9, currency: "EUR" }]);
  });

  it("tag conditions that contradict each other would never match, and say so", () => {
    const doc = base();
    doc.policies[0].when.tags = { all: ["b2b", "VIP"], none: ["vip", "spam"] };
    doc.policies.push({ name: "Refunds", when: { tags: { any: ["refund", "Return"], none: ["return", "REFUND"] } } });
    doc.policies.push({ name: "Fine", when: { tags: { any: ["refund", "return"], all: ["eu"], none: ["return"] } } });
    const issues = issuesOf(doc);
    expect(issues.get("policies[0].when.tags.all[1]")).toBe('"VIP" is also in tags.none: a case cannot both have and lack it, so this policy would never match');
    expect(issues.has("policies[0].when.tags.all[0]")).toBe(false);
    expect(issues.get("policies[1].when.tags.any")).toBe("every tag here is also in tags.none, so this policy would never match");
    // "refund" can still match: one excluded tag among several is a narrower policy, not a contradiction.
    expect([...issues.keys()].filter((k) => k.startsWith("policies[2]"))).toEqual([]);
  });

  it("a metric with no priority target at all is a mistake, not a silent no-op", () => {
    const doc = base();
    doc.policies[0].targets.nextReply = { byPriority: {} };
    expect(issuesOf(doc).get("policies[0].targets.nextReply.byPriority")).toMatch(/at least one priority/);
  });
});

describe("every problem at once", () => {
  it("one answer lists schema and cross-reference problems together, with a prefix when nested", () => {
    const doc = base();
    doc.policies[0].targets.firstReply.calendar = "Nope";
    doc.policies[0].targets.firstReply.byPriority.urgent = "soon";
    doc.policies[0].notify = ["nobody"];
    doc.extra = true;
    const result = checkRules(doc, ["rules"]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(
      ["rules.extra", "rules.policies[0].notify[0]", "rules.policies[0].targets.firstReply.byPriority.urgent", "rules.policies[0].targets.firstReply.calendar"].sort(),
    );
  });

  it("validateRules throws a 400 invalid_rules carrying the issues", () => {
    try {
      validateRules({ policies: "all of them" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).status).toBe(400);
      expect((e as ApiError).code).toBe("invalid_rules");
      expect((e as ApiError).issues).toEqual([expect.objectContaining({ path: "policies" })]);
    }
  });

  it("input that is not even an object is one clear problem, not a crash", () => {
    for (const input of [null, 42, "rules", [], [{}]]) {
      const result = checkRules(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues[0]!.path).toBe("(root)");
    }
  });
});
