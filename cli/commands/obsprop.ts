/**
 * probescope obsprop --model M (--pos-tokens TEXT | --pos-ids IDS)... [--neg-tokens TEXT | --neg-ids IDS]...
 *   [--prompt TEXT | --ids 1,2,3] [--pos P] [--data-free] [--effects zero|mean|none] [--path L1H2,L0H1,MLP0]...
 *   [--top-k K] [--no-bos] [--backend cpu|webgpu] [--json]
 *
 * ObsProp feature vectors of the observable n = Σ e(pos) − Σ e(neg): every head ranked by the
 * norm of its direct-path feature, beside its ablation effect on n·logits (with a prompt), each
 * feature's top decoded tokens; MLP features (with a prompt) and requested paths.
 */
import { parseArgs } from 'node:util';
import type { DecodedDirection } from '../../analysis/methods/neurons.ts';
import type { ObsPropResult } from '../../analysis/methods/obsprop.ts';
import { obsprop } from '../../analysis/methods/obsprop.ts';
import type { PathNode, TokenSpec } from '../../analysis/methods/obsprop-features.ts';
import { pathLabel } from '../../analysis/methods/obsprop-features.ts';
import type { ModelInput } from '../../analysis/model/run.ts';
import { oneOf, parseIds, parseInteger, UsageError } from '../args.ts';
import { openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';
import { inputFrom, modelFlags } from './run.ts';

export const OBSPROP_USAGE = `probescope obsprop --model <dir | builtin:stories260K> (--pos-tokens " he" | --pos-ids 5)... [--neg-tokens " she" | --neg-ids 9]...
  [--prompt TEXT | --ids 1,2,3] [--pos P (negative: --pos=-2)] [--data-free] [--effects zero|mean|none]
  [--path L1H2,L0H1,MLP0]... [--top-k K] [--no-bos] [--backend cpu|webgpu] [--json]`;

/** "L1H2,L0H1,MLP0" → path nodes, from the logits backwards. */
export function parsePath(value: string): PathNode[] {
  return value.split(',').map((part) => {
    const s = part.trim();
    const head = /^L(\d+)H(\d+)$/i.exec(s);
    if (head) return { kind: 'head', layer: Number(head[1]), head: Number(head[2]) };
    const mlp = /^MLP(\d+)$/i.exec(s);
    if (mlp) return { kind: 'mlp', layer: Number(mlp[1]) };
    throw new UsageError(`--path: "${s}" is neither a head (L1H2) nor an MLP (MLP0); give nodes from the logits backwards, comma-separated`);
  });
}

function decodedTokens(d: DecodedDirection | null) {
  if (!d) return null;
  const strip = ({ id, token, value }: { id: number; token: string | null; value: number }) => ({ id, token, value });
  return { top: d.top.map(strip), bottom: d.bottom.map(strip) };
}

function toJson(r: ObsPropResult, tokenText: (id: number) => string | null) {
  return {
    observable: {
      positive: r.observable.positive.map((id) => ({ id, token: tokenText(id) })),
      negative: r.observable.negative.map((id) => ({ id, token: tokenText(id) })),
    },
    ids: r.ids,
    pos: r.pos,
    value: r.value,
    scale_mode: r.scaleMode,
    scales: r.scales,
    heads: r.ranking.map(({ layer, head, norm, effect }) => ({ layer, head, norm, effect, decoded: decodedTokens(r.heads[layer][head].decoded) })),
    mlps: r.mlps.map((m, layer) => (m ? { layer, norm: m.norm, t: m.crossing?.t ?? null, decoded: decodedTokens(m.decoded) } : null)),
    paths: r.paths.map((p) => ({ path: pathLabel(p.path), hook: p.hook, norm: p.norm, decoded: decodedTokens(p.decoded) })),
  };
}

export async function obspropCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...modelFlags,
      'pos-tokens': { type: 'string', multiple: true },
      'neg-tokens': { type: 'string', multiple: true },
      'pos-ids': { type: 'string', multiple: true },
      'neg-ids': { type: 'string', multiple: true },
      pos: { type: 'string' },
      'data-free': { type: 'boolean' },
      effects: { type: 'string' },
      path: { type: 'string', multiple: true },
      'top-k': { type: 'string' },
    },
  });
  const tokens = (texts: string[] | undefined, ids: string[] | undefined, flag: string): TokenSpec[] => [
    ...(texts ?? []),
    ...(ids ?? []).flatMap((v) => parseIds(flag, v)),
  ];
  const positive = tokens(values['pos-tokens'], values['pos-ids'], '--pos-ids');
  const negative = tokens(values['neg-tokens'], values['neg-ids'], '--neg-ids');
  if (positive.length + negative.length === 0) throw new UsageError('give the observable: --pos-tokens TEXT / --pos-ids IDS (and optionally --neg-tokens / --neg-ids)');
  const prompt: ModelInput | undefined = values.prompt === undefined && values.ids === undefined ? undefined : inputFrom(values);
  const effects = oneOf('--effects', values.effects, ['zero', 'mean', 'none'], prompt ? 'zero' : 'none');
  if (!prompt && effects !== 'none') throw new UsageError('--effects needs a prompt (--prompt or --ids)');
  const topK = parseInteger('--top-k', values['top-k'], 5);
  if (topK < 0) throw new UsageError(`--top-k: expected a non-negative integer, got ${topK}`);
  const paths = (values.path ?? []).map(parsePath);
  const backend = await openBackend(oneOf('--backend', values.backend, ['cpu', 'webgpu'], 'cpu'));
  const model = await openModel(values.model, backend);
  const r = await obsprop(model, {
    positive,
    negative,
    prompt,
    prependBos: values['no-bos'] ? false : undefined,
    pos: parseInteger('--pos', values.pos),
    scales: values['data-free'] || !prompt ? 'data-free' : 'prompt',
    effects,
    paths,
    topK,
    similarity: false,
  });
  const tokenText = (id: number) => (model.tokenizer ? model.tokenizer.tokenString(id) : null);
  const out = toJson(r, tokenText);
  if (values.json) {
    printJson(out);
    return 0;
  }
  const show = (id: number) => (model.tokenizer ? JSON.stringify(model.tokenizer.tokenString(id)) : `#${id}`);
  const n = [...r.observable.positive.map((id) => `+${show(id)}`), ...r.observable.negative.map((id) => `−${show(id)}`)].join(' ');
  console.log(`observable n = ${n}; scales ${r.scaleMode}${r.value === null ? '' : `; n·logits at position ${r.pos} = ${r.value.toFixed(4)}`}`);
  console.log('head    ‖feature‖   effect      top decoded tokens');
  for (const h of out.heads) {
    const top = h.decoded ? h.decoded.top.map((t) => (t.token === null ? `#${t.id}` : JSON.stringify(t.token))).join(' ') : '';
    console.log(`L${h.layer}H${h.head}`.padEnd(7), h.norm.toFixed(4).padStart(10), (h.effect === null ? '—' : h.effect.toFixed(4)).padStart(10), '  ', top);
  }
  for (const m of out.mlps) if (m) console.log(`MLP${m.layer}`.padEnd(7), m.norm.toFixed(4).padStart(10));
  for (const p of out.paths) console.log(p.path, `‖feature‖ ${p.norm.toFixed(4)} at ${p.hook}`);
  return 0;
}
