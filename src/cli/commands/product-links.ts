import { CliError } from '../cli-error.js';
import { mapConcurrently } from '../concurrency.js';
import { seg, type ArmResource, type CliContext } from '../context.js';

/**
 * Per-application management calls at most this many at a time. The management API has links only
 * per application (as Azure does: no collection across applications), so listing every
 * application's links is one call each; run in parallel they take about the time of the slowest
 * few, and the bound keeps a large tenant from opening hundreds of connections at once.
 */
export const PER_APPLICATION_CONCURRENCY = 8;

export interface ApplicationLinks {
  readonly appId: string;
  readonly links: readonly ArmResource[];
}

/**
 * Every client application's product links, in the order the management API lists the
 * applications. An application deleted between the two reads has no links (rather than failing
 * the whole listing).
 */
export async function linksOfEveryApplication(ctx: CliContext): Promise<ApplicationLinks[]> {
  const appIds = (await ctx.armList('/clientApplications')).map((app) => app.name ?? '');
  return mapConcurrently(appIds, PER_APPLICATION_CONCURRENCY, async (appId) => {
    try {
      return { appId, links: await ctx.armList(`/clientApplications/${seg(appId)}/productLinks`) };
    } catch (error) {
      if (error instanceof CliError && error.code === 'ResourceNotFound') return { appId, links: [] };
      throw error;
    }
  });
}
