/**
 * The dictionaries the view offers: the SAEs that ship with the app (one per residual layer of
 * stories260K, analysis/dictionaries/builtin.ts), by their `builtin:` reference, which the
 * worker's method job opens.
 */
import { BUILTIN_DICTIONARIES } from '../../../analysis/dictionaries/builtin.ts';

export const SAE_CHOICES: readonly { readonly value: string; readonly label: string }[] = BUILTIN_DICTIONARIES.map((d) => ({
  value: d.id,
  label: `stories260K SAE · ${d.hook}`,
}));

/** What the steering and search panels need from the view: the chosen dictionary and feature. */
export interface FeatureChoice {
  readonly dictionary: string;
  readonly feature: number;
  /** Why the feature cannot be used (out of range, field refused), or null. */
  readonly blocked: string | null;
}
