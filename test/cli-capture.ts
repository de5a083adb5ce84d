/** Runs the CLI in-process (`main(argv)`) and captures what it writes to stdout and stderr. */
import { vi } from 'vitest';
import { main } from '../cli/main.ts';

export interface CliOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: string[]): Promise<CliOutput> {
  let stdout = '';
  let stderr = '';
  const text = (chunk: unknown) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => ((stdout += text(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => ((stderr += text(chunk)), true));
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void (stdout += args.join(' ') + '\n'));
  const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void (stderr += args.join(' ') + '\n'));
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    log.mockRestore();
    error.mockRestore();
  }
}

/** The one JSON object a `--json` command printed. */
export function jsonOf(output: CliOutput): Record<string, unknown> {
  const lines = output.stdout.trim().split('\n');
  if (output.code !== 0 || lines.length !== 1) throw new Error(`expected one JSON line and exit 0, got ${output.code}: ${output.stdout}${output.stderr}`);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}
