/**
 * Figures of "Compare with another checkpoint" (worker job compareModels): where two checkpoints
 * of one model part — KL and the largest logit difference per position, and the relative
 * residual-stream difference per layer and position.
 */
import { plotlyText, positionTokenLabel, tokenLabel } from '../../analysis/formats/token-label.ts';
import { bars, heatmap } from './charts.ts';
import type { FigureSpec } from './spec.ts';
import type { CompareModelsResult } from '../worker/contracts.ts';

/** "3 ·the" labels, unique per position so repeated tokens stay separate bars; markup escaped for Plotly. */
export function positionLabels(r: CompareModelsResult): string[] {
  return r.tokens.map((t, p) => positionTokenLabel(p, t));
}

function argmaxHover(r: CompareModelsResult): string[] {
  return r.positions.map((p, i) => `argmax A ${tokenLabel(r.top1Tokens[i].a)} · B ${tokenLabel(r.top1Tokens[i].b)}${p.top1A === p.top1B ? '' : ' (differ)'}`);
}

export function klFigure(r: CompareModelsResult): FigureSpec {
  return bars({ labels: positionLabels(r), values: r.positions.map((p) => p.kl), title: `KL(A ‖ B) of the next-token distributions (A = ${plotlyText(r.a)}, B = ${plotlyText(r.b)})`, valueLabel: 'KL (nats)', hover: argmaxHover(r) });
}

export function logitDiffFigure(r: CompareModelsResult): FigureSpec {
  return bars({ labels: positionLabels(r), values: r.positions.map((p) => p.maxAbsLogitDiff), title: 'Largest |logit A − logit B| over the vocabulary', valueLabel: 'max |Δlogit|', hover: argmaxHover(r) });
}

export function residualFigure(r: CompareModelsResult): FigureSpec {
  return heatmap({
    z: r.residRelDiff,
    x: positionLabels(r),
    y: r.residRelDiff.map((_, l) => `L${l} (mean ${r.residRelDiffMean[l].toExponential(2)})`),
    title: 'Relative residual difference ‖r_A − r_B‖ / ‖r_A‖ after each block',
    xTitle: 'position',
    yTitle: 'layer',
    valueLabel: 'relative difference',
    scale: 'sequential',
  });
}
