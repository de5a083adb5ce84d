/** A GEMM worker under Node (a worker_threads Worker started by host.node.ts); the loop is thread-serve.mjs. */
import { parentPort } from 'node:worker_threads';
import { serve } from './thread-serve.mjs';

parentPort.once('message', (init) => serve(init, (m) => parentPort.postMessage(m)));
