/** Every channel type in the rules schema, mapped to its adapter (the `satisfies` keeps the list complete). */
import type { ChannelType, NotificationChannel } from "../../rules/schema";
import type { ChannelAdapter, NoteTarget } from "./channel";
import { freshdesk } from "./freshdesk";
import { gorgias } from "./gorgias";
import { helpscout } from "./helpscout";
import { slack } from "./slack";
import { slackApp } from "./slack-app";
import { webhook } from "./webhook";
import { zendesk } from "./zendesk";

const ADAPTERS = {
  slack,
  slack_app: slackApp,
  webhook,
  zendesk_note: zendesk,
  freshdesk_note: freshdesk,
  helpscout_note: helpscout,
  gorgias_note: gorgias,
} satisfies { [T in ChannelType]: ChannelAdapter<Extract<NotificationChannel, { type: T }>> };

export function adapterFor(channel: NotificationChannel): ChannelAdapter {
  return ADAPTERS[channel.type] as unknown as ChannelAdapter;
}

/** For helpdesk note channel types, the helpdesk whose tickets they post on; null for any other type. */
export function notesOn(type: string): NoteTarget | null {
  return Object.hasOwn(ADAPTERS, type) ? ADAPTERS[type as ChannelType].notesOn : null;
}

/** Channel types whose messages land on a helpdesk ticket (digests group per ticket; notices skip them). */
export function needsTicket(type: string): boolean {
  return notesOn(type) !== null;
}

export { noteMismatch } from "./channel";
export type { ChannelAdapter, Classification, NoteTarget, OutboundRequest } from "./channel";
