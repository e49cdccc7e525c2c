import type { App } from '@slack/bolt';
import { home } from '../../../roe.js';
import type { SlackContext } from '../context.js';
import { SLACK_IDS } from '../ids.js';
import { homeView } from '../render.js';

/** Events: App Home shows the user's claims and, for an arbitrator, their queue. */
export function register(app: App, { deps, identities }: SlackContext): void {
  app.event(SLACK_IDS.events.appHomeOpened, async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const viewer = await identities.principal({ id: event.user });
    await client.views.publish({ user_id: event.user, view: homeView(home(deps, viewer)) });
  });
}
