import type { AnyRoute } from '../../http/route.ts';

/** Widget loader, iframe app and demo page (see packages/widget). */
export const widgetRoutes: AnyRoute[] = [];
