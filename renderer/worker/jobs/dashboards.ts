/**
 * Every feature's dashboard of a dictionary over a corpus ("feature-dashboards", run as the method
 * job runs it), packed here in the worker into a header and chunks of features. The runner
 * transfers the chunks' typed arrays, so the page never receives (or packs) every feature's
 * JSON, which for a large SAE is tens of MB to clone and seconds of packing on the page.
 */
import type { ChunkedDashboards } from '../../../analysis/registry/dashboard-artifact.ts';
import { packDashboards } from '../../../analysis/registry/dashboard-artifact.ts';
import type { DashboardsJson } from '../../../analysis/registry/dictionaries.ts';
import type { DashboardsJobParams } from '../dictionary-contracts.ts';
import type { JobContext } from '../job-context.ts';
import type { EngineSession } from '../session.ts';
import type { UserDictionaries } from '../user-dictionaries.ts';
import { methodJob } from './method.ts';

export async function dashboardsJob(session: EngineSession, params: DashboardsJobParams, ctx: JobContext, opened: UserDictionaries): Promise<ChunkedDashboards> {
  const json = (await methodJob(session, { method: 'feature-dashboards', params: params.params, prompts: null }, ctx, opened)).result as DashboardsJson;
  // A cancel that arrived while the last text ran stops here, before packing.
  await ctx.checkpoint();
  return packDashboards(json);
}
