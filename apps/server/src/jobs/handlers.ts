import type { AppContext } from '../context.ts';

/**
 * Every background job kind and the module that handles it, registered once per process. Each module
 * exports a `register…Jobs(ctx)` that calls `ctx.jobs.register(kind, handler)`.
 */
export function registerJobHandlers(_ctx: AppContext): void {}
