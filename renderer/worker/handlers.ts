/** Job kind → handler, over one engine session. The compiler checks every kind has one. */
import type { JobHandlers } from './runner.ts';
import type { EngineSession } from './session.ts';
import { loadModel } from './jobs/load-model.ts';
import { generateText, nextToken, resolveToken, tokenize } from './jobs/tokens.ts';
import { compareBackends } from './jobs/compare-backends.ts';
import { compareModelsJob } from './jobs/compare-models.ts';
import { notebookJob } from './jobs/notebook.ts';
import { methodJob } from './jobs/method.ts';
import { openDictionaryJob } from './jobs/open-dictionary.ts';
import { dashboardsJob } from './jobs/dashboards.ts';
import { UserDictionaries } from './user-dictionaries.ts';
import { hookPointsJob, setInterventions } from './jobs/interventions.ts';

export function createHandlers(session: EngineSession): JobHandlers {
  // Dictionary folders the user opened, for every method job of this session.
  const dictionaries = new UserDictionaries();
  return {
    loadModel: (p, ctx) => {
      // Another model: the CLT layers kept for the open one are released before it loads.
      dictionaries.releaseLoadedLayers();
      return loadModel(session, p, ctx);
    },
    tokenize: (p) => tokenize(session, p),
    resolveToken: (p) => resolveToken(session, p),
    compareBackends: (p, ctx) => compareBackends(session, p, ctx),
    compareModels: (p, ctx) => compareModelsJob(session, p, ctx),
    nextToken: (p, ctx) => nextToken(session, p, ctx),
    generate: (p, ctx) => generateText(session, p, ctx),
    notebook: (p, ctx) => notebookJob(session, p, ctx),
    method: (p, ctx) => methodJob(session, p, ctx, dictionaries),
    hookPoints: () => hookPointsJob(session),
    setInterventions: (p, ctx) => setInterventions(session, p, ctx),
    openDictionary: (p) => openDictionaryJob(session, dictionaries, p),
    dashboards: (p, ctx) => dashboardsJob(session, p, ctx, dictionaries),
  };
}
