/**
 * `--backend auto` (the CLI's default), with the app's rule (gpu/adapter-class.ts): WebGPU on a
 * hardware adapter, otherwise the fast CPU backend — also when the only adapter is a software
 * renderer such as SwiftShader, which is slower than the CPU backend. The adapter is probed in a
 * child process (cli/adapter-probe.mjs) because Dawn writes driver warnings straight to the
 * process's stderr even when it finds nothing; the probe runs once per process.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AdapterFacts, BackendChoice } from '../gpu/adapter-class.ts';
import { autoBackendChoice, classifyAdapter } from '../gpu/adapter-class.ts';

export type ProbeAnswer = { readonly ok: true; readonly facts: AdapterFacts } | { readonly ok: false; readonly reason: string };

const PROBE = fileURLToPath(new URL('./adapter-probe.mjs', import.meta.url));
/** A probe that takes longer than this counts as "no adapter" (a hung driver must not hang the CLI). */
const PROBE_TIMEOUT_MS = 15_000;

let probed: Promise<ProbeAnswer> | undefined;

function probeOnce(): Promise<ProbeAnswer> {
  probed ??= new Promise((resolve) => {
    execFile(process.execPath, [PROBE], { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 16 }, (error, stdout) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ProbeAnswer);
      } catch {
        resolve({ ok: false, reason: `the WebGPU probe gave no answer${error ? ` (${error.message.split('\n')[0]})` : ''}` });
      }
    });
  });
  return probed;
}

/** The choice for a probe answer: WebGPU, or the CPU with the reason. */
export function chooseBackend(answer: ProbeAnswer): BackendChoice & { readonly softwareAdapter: boolean } {
  if (!answer.ok) return { ...autoBackendChoice(null, answer.reason), softwareAdapter: false };
  const adapter = classifyAdapter(answer.facts);
  return { ...autoBackendChoice(adapter), softwareAdapter: adapter.software };
}

/** Probes the adapter and says which backend auto uses. */
export async function autoBackend(): Promise<ReturnType<typeof chooseBackend>> {
  return chooseBackend(await probeOnce());
}
