/**
 * The parts of Slack's interaction payloads Promptly reads (form field `payload`, JSON):
 * `block_actions` (a button under a reminder) and `view_submission` (the callback modal). Loose
 * objects: Slack adds fields over time, and an unknown one must not turn a click into an error.
 */
import { z } from "zod";

export const SlackUser = z.looseObject({
  id: z.string().min(1).max(64),
  username: z.string().max(200).optional(),
  name: z.string().max(200).optional(),
});
export type SlackUser = z.infer<typeof SlackUser>;

export const BlockAction = z.looseObject({
  action_id: z.string().max(255),
  block_id: z.string().max(255).optional(),
  value: z.string().max(2000).optional(),
  action_ts: z.string().max(50).optional(),
});

export const BlockActionsPayload = z.looseObject({
  type: z.literal("block_actions"),
  user: SlackUser,
  trigger_id: z.string().max(200).optional(),
  response_url: z.string().max(2000).optional(),
  container: z.looseObject({ message_ts: z.string().max(50).optional(), channel_id: z.string().max(50).optional() }).optional(),
  channel: z.looseObject({ id: z.string().max(50) }).optional(),
  message: z.looseObject({ ts: z.string().max(50), blocks: z.array(z.looseObject({ type: z.string() })).max(50).optional() }).optional(),
  actions: z.array(BlockAction).min(1).max(5),
});
export type BlockActionsPayload = z.infer<typeof BlockActionsPayload>;

const StateValue = z.looseObject({
  type: z.string(),
  selected_date: z.string().nullable().optional(),
  selected_time: z.string().nullable().optional(),
  value: z.string().nullable().optional(),
});

export const ViewSubmissionPayload = z.looseObject({
  type: z.literal("view_submission"),
  user: SlackUser,
  view: z.looseObject({
    id: z.string().max(100),
    callback_id: z.string().max(255),
    private_metadata: z.string().max(3000),
    state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), StateValue)) }),
  }),
});
export type ViewSubmissionPayload = z.infer<typeof ViewSubmissionPayload>;

export const InteractionPayload = z.discriminatedUnion("type", [BlockActionsPayload, ViewSubmissionPayload]);

/** The person as the team knows them: Slack's display name where it sent one, else the user id. */
export function slackName(u: SlackUser): string {
  return (u.name ?? u.username ?? "").trim() || u.id;
}
