/**
 * probescope ablate --model M (--prompt TEXT | --ids 1,2,3) (--head L.H [--head L.H]... | --sweep)
 *   --mode zero|mean|resample|uniform [--resample-ids IDS] [--reference-ids IDS]... [--pos P (negative: --pos=-2)]
 *   [--answer A] [--wrong B] [--no-bos] [--backend cpu|cpu-ref|webgpu] [--json]
 *
 * Head ablation: the ablated logits at one position (default the last), loss, metric and KL; with
 * --sweep every head alone, as [layer][head] grids beside each head's DLA.
 */
import { parseArgs } from 'node:util';
import type { AblationMode, HeadRef } from '../../analysis/methods/ablation.ts';
import { ABLATION_MODES, ablateHeads } from '../../analysis/methods/ablation.ts';
import { headAblationSweep } from '../../analysis/methods/ablation-sweep.ts';
import type { ModelInput } from '../../analysis/model/run.ts';
import { oneOf, parseIds, parseInteger, UsageError } from '../args.ts';
import { BACKEND_NAMES, openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';
import { inputFrom, modelFlags } from './run.ts';

export const ABLATE_USAGE = `probescope ablate --model <dir | builtin:stories260K> (--prompt TEXT | --ids 1,2,3)
  (--head L.H [--head L.H]... | --sweep) --mode zero|mean|resample|uniform [--resample-ids 1,2,3]
  [--reference-ids 1,2,3]... [--pos P (negative: --pos=-2)] [--answer A] [--wrong B] [--no-bos] [--backend cpu|cpu-ref|webgpu] [--json]`;

export function parseHead(value: string): HeadRef {
  const m = /^(\d+)\.(\d+)$/.exec(value.trim());
  if (!m) throw new UsageError(`--head: expected LAYER.HEAD such as 1.2, got "${value}"`);
  return { layer: Number(m[1]), head: Number(m[2]) };
}

export async function ablateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...modelFlags,
      head: { type: 'string', multiple: true },
      sweep: { type: 'boolean' },
      mode: { type: 'string' },
      'resample-ids': { type: 'string' },
      'reference-ids': { type: 'string', multiple: true },
      pos: { type: 'string' },
      answer: { type: 'string' },
      wrong: { type: 'string' },
    },
  });
  const input = inputFrom(values);
  if (values.mode === undefined) throw new UsageError(`--mode is required (${ABLATION_MODES.join(', ')})`);
  const mode = oneOf<AblationMode>('--mode', values.mode, ABLATION_MODES, 'zero');
  const heads = (values.head ?? []).map(parseHead);
  if (values.sweep === (heads.length > 0)) throw new UsageError('give the heads to ablate (--head L.H, repeatable) or --sweep, not both');
  if (mode === 'resample' && values['resample-ids'] === undefined) throw new UsageError('--mode resample needs --resample-ids');
  const resampleFrom: ModelInput | undefined = values['resample-ids'] === undefined ? undefined : { ids: parseIds('--resample-ids', values['resample-ids']) };
  const refs = values['reference-ids']?.map((v) => parseIds('--reference-ids', v));
  const reference: ModelInput | undefined = refs ? { ids: refs } : undefined;
  const common = {
    mode,
    resampleFrom,
    reference,
    pos: parseInteger('--pos', values.pos, -1),
    answer: parseInteger('--answer', values.answer),
    wrong: parseInteger('--wrong', values.wrong),
    prependBos: values['no-bos'] ? false : undefined,
  };
  const backend = await openBackend(oneOf('--backend', values.backend, BACKEND_NAMES, 'cpu'));
  const model = await openModel(values.model, backend);
  if (values.sweep) {
    const s = await headAblationSweep(model, input, common);
    const out = {
      ids: s.ids, pos: s.pos, mode, answer: s.answer, wrong: s.wrong, clean: s.clean,
      metric: s.metric, loss: s.loss, kl: s.kl, dla: s.dla, total_effect: s.totalEffect, direct_effect: s.directEffect, self_repair: s.selfRepair,
    };
    if (values.json) {
      printJson(out);
      return 0;
    }
    console.log(`${mode}-ablation sweep at position ${s.pos}; clean metric ${s.clean.metric.toFixed(4)}, loss ${s.clean.loss?.toFixed(4) ?? '—'}`);
    console.log('head   metric     loss       KL         DLA        self-repair');
    s.layers.forEach((l, li) => s.metric[li].forEach((m, h) => {
      const cells = [m, s.loss[li][h], s.kl[li][h], s.dla[li][h], s.selfRepair[li][h]].map((v) => v.toFixed(4).padStart(9));
      console.log(`${`${l}.${h}`.padEnd(6)} ${cells.join('  ')}`);
    }));
    return 0;
  }
  const r = await ablateHeads(model, input, { ...common, heads });
  if (values.json) {
    printJson({
      ids: r.ids, pos: r.pos, mode, heads: r.heads, answer: r.answer, wrong: r.wrong,
      logits: Array.from(r.logits), loss: r.loss, metric: r.metric, kl: r.kl,
      clean: { loss: r.clean.loss, metric: r.clean.metric },
    });
    return 0;
  }
  console.log(`${mode}-ablated ${r.heads.map((h) => `${h.layer}.${h.head}`).join(', ')} at position ${r.pos}`);
  console.log(`  metric ${r.clean.metric.toFixed(4)} → ${r.metric.toFixed(4)}   loss ${r.clean.loss?.toFixed(4) ?? '—'} → ${r.loss?.toFixed(4) ?? '—'}   KL ${r.kl.toFixed(5)}`);
  return 0;
}
