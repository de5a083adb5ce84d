/** A GEMM worker in a browser (a Web Worker started by host.browser.ts); the loop is thread-serve.mjs. */
import { serve } from './thread-serve.mjs';

self.addEventListener('message', (e) => serve(e.data, (m) => self.postMessage(m)), { once: true });
