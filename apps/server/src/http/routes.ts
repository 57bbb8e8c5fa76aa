import { agentRoutes } from '../modules/agents/routes.ts';
import { articleRoutes } from '../modules/articles/routes.ts';
import { attachmentRoutes } from '../modules/attachments/routes.ts';
import { authRoutes } from '../modules/auth/routes.ts';
import { botRoutes } from '../modules/bots/routes.ts';
import { cannedRoutes } from '../modules/canned/routes.ts';
import { contactRoutes } from '../modules/contacts/routes.ts';
import { conversationRoutes } from '../modules/conversations/routes.ts';
import { dashboardRoutes } from '../modules/dashboard/routes.ts';
import { inboxRoutes } from '../modules/inboxes/routes.ts';
import { invitationRoutes } from '../modules/invitations/routes.ts';
import { notificationRoutes } from '../modules/notifications/routes.ts';
import { publicApiRoutes } from '../modules/public-api/routes.ts';
import { routingRoutes } from '../modules/routing/routes.ts';
import { ruleRoutes } from '../modules/rules/routes.ts';
import { savedViewRoutes } from '../modules/saved-views/routes.ts';
import { searchRoutes } from '../modules/search/routes.ts';
import { systemRoutes } from '../modules/system/routes.ts';
import { tagRoutes } from '../modules/tags/routes.ts';
import { teamRoutes } from '../modules/teams/routes.ts';
import { tokenRoutes } from '../modules/tokens/routes.ts';
import { visitorRoutes } from '../modules/visitors/routes.ts';
import { webhookRoutes } from '../modules/webhooks/routes.ts';
import { widgetRoutes } from '../modules/widget/routes.ts';
import { idempotent } from './idempotency.ts';
import type { AnyRoute, RouteSpec } from './route.ts';

/** Every HTTP route of the server, in one list: registration, OpenAPI and the auth walk all read it. */
export function allRoutes(): AnyRoute[] {
  return [
    ...systemRoutes(allRoutes),
    ...authRoutes,
    ...inboxRoutes,
    ...conversationRoutes,
    ...visitorRoutes,
    ...widgetRoutes,
    ...agentRoutes,
    ...teamRoutes,
    ...invitationRoutes,
    ...contactRoutes,
    ...dashboardRoutes,
    ...botRoutes,
    ...tagRoutes,
    ...attachmentRoutes,
    ...ruleRoutes,
    ...cannedRoutes,
    ...routingRoutes,
    ...webhookRoutes,
    ...tokenRoutes,
    ...publicApiRoutes,
    ...notificationRoutes,
    ...searchRoutes,
    ...articleRoutes,
    ...savedViewRoutes,
  ].map(withIdempotency);
}

/** Every POST of the public API honours Idempotency-Key, whichever module declares it. */
function withIdempotency(route: AnyRoute): AnyRoute {
  if (route.auth !== 'api' || route.method !== 'POST' || route.idempotent) return route;
  return idempotent(route as RouteSpec<'api', unknown, unknown, unknown>) as AnyRoute;
}
