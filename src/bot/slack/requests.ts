// What may reach Bolt at /slack/events once its signature is verified: the requests leadrelay
// handles, in the shape Bolt and the listeners read without looking (user.id, view.state, the first
// action). Slack never sends anything else, but whoever holds the signing secret can, and Bolt
// answers a payload without a user or a view with a 500: such a request gets a 400 that names the
// missing or wrong field instead.
import { ExpressReceiver } from '@slack/bolt';
import type { Request, Response } from 'express';
import { z } from '../../domain/zod-messages.ts';

// Slack's ids and timestamps (U0…, C0…, 1700000000.000100, trigger ids) are ASCII, and go back
// into Web API calls, whose form encoding throws on broken Unicode: nothing else is taken.
export const slackId = z.string().regex(/^[!-~]{1,255}$/, 'is not a Slack id');
const team = z.object({ id: slackId }).loose().nullable().optional();
const user = z.object({ id: slackId }).loose();

const blockActions = z.object({
  type: z.literal('block_actions'),
  user,
  team,
  actions: z.array(z.object({ action_id: z.string(), block_id: z.string().optional(), value: z.string().optional() }).loose()).min(1),
  trigger_id: slackId.optional(),
  container: z.object({ type: z.string().optional(), channel_id: slackId.optional(), message_ts: slackId.optional() }).loose().optional(),
  channel: z.object({ id: slackId }).loose().optional(),
  message: z.object({ ts: slackId }).loose().optional(),
}).loose();

const input = z.object({ value: z.string().nullable().optional(), selected_option: z.object({ value: z.string() }).loose().nullable().optional() }).loose();
const viewSubmission = z.object({
  type: z.literal('view_submission'),
  user,
  team,
  view: z.object({
    id: slackId,
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), input)) }).loose(),
    app_installed_team_id: z.string().optional(),
  }).loose(),
}).loose();

const command = z.object({ command: z.string(), user_id: slackId, team_id: z.string(), text: z.string(), channel_id: slackId.optional(), trigger_id: slackId.optional() }).loose();
const event = z.object({ type: z.literal('event_callback'), event: z.object({ type: z.string() }).loose() }).loose();

/** The schema for what Bolt will take the body for, decided as Bolt decides it (an `event`, a
 * `command`, `actions`, then the type); null for kinds leadrelay has no listener for. */
function schemaFor(body: Record<string, unknown>): z.ZodType | null {
  if (body.event !== undefined) return event;
  if (body.command !== undefined) return command;
  if (body.name !== undefined || body.type === 'block_suggestion') return null;
  if (body.actions !== undefined || body.type === 'dialog_submission') return blockActions;
  if (body.type === 'view_submission') return viewSubmission;
  return null;
}

/** Why leadrelay does not take this request; null when it does. */
export function slackRequestProblem(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'not a Slack request: the payload is not an object';
  const fields = body as Record<string, unknown>;
  const schema = schemaFor(fields);
  if (!schema) return `leadrelay handles no Slack request of type ${JSON.stringify(typeof fields.type === 'string' ? fields.type : null)}`;
  const checked = schema.safeParse(body);
  if (checked.success) return null;
  return `not a Slack request leadrelay handles: ${checked.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`;
}

/** Bolt's receiver, with the check above between its signature check and its processing. */
export class CheckedReceiver extends ExpressReceiver {
  override async requestHandler(req: Request, res: Response): Promise<void> {
    const problem = slackRequestProblem(req.body);
    if (problem) {
      res.status(400).json({ error: problem });
      return;
    }
    await super.requestHandler(req, res);
  }
}
