import { DIRECT, ROUTES, type PartyId, type Route } from '../types.js';

/** The routes to market a partner's claim may take: every route but `direct`, the company selling itself. */
export const PARTNER_ROUTES: readonly Route[] = ROUTES.filter((r) => r !== 'direct');

/** "resell, referral, co-sell or marketplace": the routes a partner's claim may take, as a sentence says them. */
export const PARTNER_ROUTES_IN_WORDS = `${PARTNER_ROUTES.slice(0, -1).join(', ')} or ${PARTNER_ROUTES.at(-1)}`;

/**
 * Whether a claim of `claimant` may go to market by `route`: route `direct` is the direct team's
 * own deals, never a partner's. The direct team's claims may take any route.
 */
export function routeFits(claimant: PartyId, route: Route): boolean {
  return claimant === DIRECT || PARTNER_ROUTES.includes(route);
}

/** Why a claim of `claimant` may not go to market by `route`, null when it may (see {@link routeFits}). */
export function routeProblem(claimant: PartyId, route: Route): string | null {
  return routeFits(claimant, route) ? null : `Route ${route} is for the direct team's own deals: a partner's claim goes to market by ${PARTNER_ROUTES_IN_WORDS}.`;
}
