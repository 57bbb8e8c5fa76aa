import type { AppContext } from '../context.ts';
import { registerIdempotencyJobs } from '../http/idempotency.ts';
import { registerAttachmentJobs } from '../modules/attachments/cleanup.ts';
import { registerBotJobs } from '../modules/bots/jobs.ts';
import { registerFollowupJobs } from '../modules/followups/jobs.ts';
import { registerLifecycle } from '../modules/lifecycle/jobs.ts';
import { registerNotificationJobs } from '../modules/notifications/email.ts';
import { registerRoutingJobs } from '../modules/routing/presence.ts';
import { registerRuleJobs } from '../modules/rules/engine.ts';

/**
 * Every background job kind and the module that handles it, registered once per process. Each module
 * exports a `register…Jobs(ctx)` that calls `ctx.jobs.register(kind, handler)`.
 */
export function registerJobHandlers(ctx: AppContext): void {
  registerBotJobs(ctx);
  registerRuleJobs(ctx);
  registerLifecycle(ctx);
  registerRoutingJobs(ctx);
  registerIdempotencyJobs(ctx);
  registerFollowupJobs(ctx);
  registerNotificationJobs(ctx);
  registerAttachmentJobs(ctx);
}
