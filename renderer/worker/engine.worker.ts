/// <reference lib="webworker" />
/**
 * The engine worker's entry: one session (the open model), one runner, messages in and out.
 * Everything heavy (loading, forward passes, sweeps) happens here, never on the UI thread.
 */
import { createHandlers } from './handlers.ts';
import { parseToWorker } from './protocol.ts';
import { JobRunner } from './runner.ts';
import { EngineSession } from './session.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const runner = new JobRunner(createHandlers(new EngineSession()), (message, transfer) => scope.postMessage(message, transfer));

scope.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseToWorker(event.data);
  if (message) runner.receive(message);
  else console.error('engine worker: ignored a malformed message', event.data);
});
