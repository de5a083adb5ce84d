/**
 * The probescope command line. Each subcommand lives in cli/commands/; errors become one line
 * on stderr and a non-zero exit code.
 */
import { ablateCommand, ABLATE_USAGE } from './commands/ablate.ts';
import { attribCommand, ATTRIB_USAGE } from './commands/attrib.ts';
import { dlaCommand, DLA_USAGE } from './commands/dla.ts';
import { downloadCommand, DOWNLOAD_USAGE } from './commands/download.ts';
import { headsCommand, HEADS_USAGE } from './commands/heads.ts';
import { lensCommand, LENS_USAGE } from './commands/lens.ts';
import { linearscopeCommand, LINEARSCOPE_USAGE } from './commands/linearscope.ts';
import { neuronsCommand, NEURONS_USAGE } from './commands/neurons.ts';
import { notebookCommand, NOTEBOOK_USAGE } from './commands/notebook.ts';
import { obspropCommand, OBSPROP_USAGE } from './commands/obsprop.ts';
import { patchCommand, PATCH_USAGE } from './commands/patch.ts';
import { probeCommand, PROBE_USAGE } from './commands/probe.ts';
import { retrievalCommand, RETRIEVAL_USAGE } from './commands/retrieval.ts';
import { runCommand, RUN_USAGE } from './commands/run.ts';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  run: { run: runCommand, usage: RUN_USAGE },
  lens: { run: lensCommand, usage: LENS_USAGE },
  neurons: { run: neuronsCommand, usage: NEURONS_USAGE },
  dla: { run: dlaCommand, usage: DLA_USAGE },
  ablate: { run: ablateCommand, usage: ABLATE_USAGE },
  patch: { run: patchCommand, usage: PATCH_USAGE },
  heads: { run: headsCommand, usage: HEADS_USAGE },
  attrib: { run: attribCommand, usage: ATTRIB_USAGE },
  linearscope: { run: linearscopeCommand, usage: LINEARSCOPE_USAGE },
  notebook: { run: notebookCommand, usage: NOTEBOOK_USAGE },
  obsprop: { run: obspropCommand, usage: OBSPROP_USAGE },
  retrieval: { run: retrievalCommand, usage: RETRIEVAL_USAGE },
  probe: { run: probeCommand, usage: PROBE_USAGE },
  download: { run: downloadCommand, usage: DOWNLOAD_USAGE },
};

function usage(): string {
  return ['usage:', ...Object.values(COMMANDS).map((c) => `  ${c.usage.split('\n').join('\n  ')}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`probescope: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`probescope ${name}: ${message}`);
    return e instanceof Error && (e.name === 'UsageError' || 'code' in e) ? 2 : 1;
  }
}
