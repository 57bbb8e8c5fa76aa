import type { AnyRoute } from '../../http/route.ts';

/** The dashboard single-page app (see apps/dashboard). */
export const dashboardRoutes: AnyRoute[] = [];
