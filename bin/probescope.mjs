#!/usr/bin/env node
// `probescope` command. Runs the TypeScript CLI (cli/main.ts) directly through
// tsx's ESM loader, so it works right after `npm install` with no build step.
// Contract with cli/main.ts: `export async function main(argv: string[]): Promise<number>`,
// called with the user's arguments (process.argv without node and script path);
// the number it returns is the exit status.
import { register } from 'tsx/esm/api';

/** Waits until everything already written to a stream has been handed to the OS. */
function drain(stream) {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

let code;
try {
  register();
  const cli = await import(new URL('../cli/main.ts', import.meta.url).href);
  if (typeof cli.main !== 'function') throw new Error('cli/main.ts does not export a main(argv) function');
  const result = await cli.main(process.argv.slice(2));
  code = Number.isInteger(result) && result >= 0 && result <= 255 ? result : 1;
} catch (err) {
  process.stderr.write(`probescope: ${err instanceof Error ? err.message : String(err)}\n`);
  code = 1;
}
await Promise.all([drain(process.stdout), drain(process.stderr)]);
// Exit explicitly: a GPU device or pending handle must not keep the process alive after the CLI is done.
process.exit(code);
