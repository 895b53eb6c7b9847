import { OAuthError } from '../../errors/index.js';

/** What Retry-After says: the feed reconnects within about a second (store/pg-change-feed.ts). */
export const STALE_VIEW_RETRY_AFTER_SECONDS = 1;

/**
 * PorticoConfigurationStale (503 temporarily_unavailable): this node's change feed has been lost or
 * behind for longer than PORTICO_MAX_FEED_LAG_MS, so its in-memory directory may still hold an
 * application or secret another node removed. No token until the feed is back; the gateway fails
 * closed the same way (docs/operations.md).
 */
export class StaleViewError extends OAuthError {
  readonly retryAfterSeconds = STALE_VIEW_RETRY_AFTER_SECONDS;
  constructor() {
    super(
      'PorticoConfigurationStale',
      'This identity node could not bring its copy of the directory up to date, so it issues no tokens until it has. Try again shortly; another identity node may answer.',
    );
  }
}
