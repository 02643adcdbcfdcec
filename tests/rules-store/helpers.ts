/** Helpers for the rules API tests: a fresh store per test, and saving with the current ETag. */
import { call, createStore } from "../support/api";

export interface Store {
  storeId: string;
  adminToken: string;
  tokenId: string;
}

export async function newStore(name = "Rules test store"): Promise<Store> {
  return createStore(name);
}

export function rulesPath(store: Store, rest = ""): string {
  return `/v1/stores/${store.storeId}/rules${rest}`;
}

export async function getRules(store: Store) {
  return call("GET", rulesPath(store), { token: store.adminToken });
}

/** PUT with the ETag of the current version (read first), as an admin editing in a UI would. */
export async function saveRules(store: Store, document: unknown, query = "") {
  const current = await getRules(store);
  const etag = current.headers.get("etag");
  if (!etag) throw new Error(`GET /rules gave no ETag: ${current.status}`);
  return call("PUT", rulesPath(store, query), { token: store.adminToken, body: document, headers: { "if-match": etag } });
}

export const SLACK_URL = "https://hooks.slack.com/services/T000/B000/very-secret-slack-token";
export const WEBHOOK_SECRET = "whsec_c2VjcmV0LXNpZ25pbmcta2V5LW5vYm9keS1zaG91bGQtc2Vl";
export const ZENDESK_TOKEN = "zd-api-token-that-must-stay-write-only";

/** A realistic document: a business calendar, two channels with secrets, two policies, playbook tweaks. */
export function sampleRules() {
  return {
    description: "Office 9-18 weekdays",
    calendars: {
      Office: { timeZone: "Europe/Istanbul", week: { mon: [["09:00", "18:00"]], tue: [["09:00", "18:00"]], wed: [["09:00", "18:00"]], thu: [["09:00", "18:00"]], fri: [["09:00", "18:00"]] } },
    },
    channels: {
      team: { type: "slack", webhookUrl: SLACK_URL },
      zendesk: { type: "zendesk_note", baseUrl: "https://shop.zendesk.com", email: "bot@shop.example", apiToken: ZENDESK_TOKEN },
    },
    policies: [
      {
        name: "Urgent chat",
        when: { channels: ["chat"], priorities: ["urgent"] },
        targets: { firstReply: { calendar: "Office", byPriority: { urgent: "5m" }, warnings: ["2m"] } },
        notify: ["team"],
        escalations: [{ level: 1, after: "5m", channels: ["zendesk"], message: "Shift lead: take it now" }],
      },
      {
        name: "Everything",
        targets: { firstReply: { calendar: "Office", byPriority: { normal: "4h", high: "2h" }, warnings: ["30m"] } },
        notify: ["team"],
      },
    ],
    playbook: { badRating: { replyWithin: "2h", calendar: "Office" } },
    quietHours: { calendar: "Office" },
  };
}
