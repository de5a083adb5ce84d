/** A query head, addressed as TransformerLens does (layer, head), and its usual label "L1H2". */
export interface HeadLocation {
  readonly layer: number;
  readonly head: number;
}

export function headLabel(h: HeadLocation): string {
  return `L${h.layer}H${h.head}`;
}
