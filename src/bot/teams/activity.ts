// What must hold of a body before botbuilder sees it: it throws on one without a `type` before it
// checks authentication (which would take an unguarded server down), and the turn reads who sent
// it, in which conversation and through which service without looking. The Bot Framework always
// sends these; a body without them gets a 400 that names the field. Ids are ASCII in Teams, and go
// into stored references and into the connector's URLs and headers, so nothing else is taken.
import { z } from '../../domain/zod-messages.ts';

const id = z.string().regex(/^[!-~]{1,1000}$/, 'is not an id (printable ASCII, no spaces)');
const account = z.object({ id, aadObjectId: id.optional() }).loose();

export const activitySchema = z.object({
  type: z.string().min(1).max(100),
  id: id.optional(),
  serviceUrl: z.url({ protocol: /^https?$/ }).max(1000),
  channelId: z.string().min(1).max(100),
  from: account,
  recipient: account,
  conversation: z.object({ id, conversationType: z.string().optional() }).loose(),
  channelData: z.object({ team: z.object({ id: id.optional() }).loose().optional(), channel: z.object({ id: id.optional() }).loose().optional() }).loose().optional(),
  replyToId: id.optional(),
  name: z.string().optional(),
  text: z.string().optional(),
  entities: z.array(z.object({ type: z.string() }).loose()).optional(),
}).loose();

/** What is wrong with a body that is not such an activity, field by field. */
export function activityProblem(error: z.ZodError): string {
  return `not a Bot Framework activity: ${error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`;
}
