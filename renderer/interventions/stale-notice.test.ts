/**
 * A result's stale notice covers the splice choice as well as the intervention list: what the run
 * took from the choice (runSplice, as useMethodRun records it) against the choice now, by
 * reference and mode; a view with its own dictionaries is not reached by the choice; the notice
 * names what changed — the interventions, the splice, or both.
 */
import { describe, expect, it } from 'vitest';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import { runSplice, sameSplice } from '../views/dictionaries/spliced-dictionaries.ts';
import { staleNotice } from './stale-notice.ts';

const CLT = { ref: 'folder:1/my-clt', label: 'my-clt', mode: 'without-error' as const };
const SAE = { ref: 'builtin:stories260K-saes', label: 'stories260K SAEs', mode: 'without-error' as const };
const ABLATE: Intervention = { hook: 'blocks.0.attn.hook_z', op: 'zero', head: 1 };

describe('what a run took from the splice choice', () => {
  it('is the choice, unless the view names its own dictionaries', () => {
    expect(runSplice({ prompt: 0 }, CLT)).toBe(CLT);
    expect(runSplice({ prompt: 0 }, null)).toBeNull();
    expect(runSplice({ hook: 'features', dictionaries: ['builtin:stories260K-saes/blocks.2.hook_resid_post'] }, CLT)).toBe('own');
  });

  it('is the same splice by reference and mode, not label; own dictionaries never change with the choice', () => {
    expect(sameSplice(CLT, { ...CLT, label: 'renamed' })).toBe(true);
    expect(sameSplice(null, null)).toBe(true);
    expect(sameSplice(CLT, { ...CLT, mode: 'with-error' })).toBe(false);
    expect(sameSplice(CLT, SAE)).toBe(false);
    expect(sameSplice(CLT, null)).toBe(false);
    expect(sameSplice(null, CLT)).toBe(false);
    expect(sameSplice('own', CLT)).toBe(true);
    expect(sameSplice('own', null)).toBe(true);
  });
});

describe('staleNotice', () => {
  it('says nothing while neither the list nor the splice changed (or the list is not known yet)', () => {
    expect(staleNotice({ ranWith: [ABLATE], current: [{ ...ABLATE, head: [1] }], ranSplice: CLT, nowSplice: { ...CLT } })).toBeNull();
    expect(staleNotice({ ranWith: [ABLATE], current: null, ranSplice: null, nowSplice: null })).toBeNull();
    expect(staleNotice({ ranWith: [], current: [], ranSplice: 'own', nowSplice: SAE })).toBeNull();
    // A result the choice does not reach (no ranSplice) ignores it.
    expect(staleNotice({ ranWith: [], current: [], nowSplice: SAE })).toBeNull();
  });

  it('interventions only: the list counts, as before the splice was covered', () => {
    expect(staleNotice({ ranWith: [ABLATE], current: [], ranSplice: CLT, nowSplice: CLT })).toEqual({
      interventions: true,
      splice: false,
      text: 'Computed with 1 intervention; the intervention list has changed since (the model now runs with no interventions).',
    });
  });

  it('splice only: what was spliced then and now, with the mode', () => {
    expect(staleNotice({ ranWith: [], current: [], ranSplice: CLT, nowSplice: null })).toEqual({
      interventions: false,
      splice: true,
      text: 'Computed with my-clt spliced (reconstruction only); the spliced dictionaries have changed since (methods now run with no dictionaries spliced).',
    });
    expect(staleNotice({ ranWith: [], current: null, ranSplice: CLT, nowSplice: { ...CLT, mode: 'none' } })?.text).toBe(
      'Computed with my-clt spliced (reconstruction only); the spliced dictionaries have changed since (methods now run with my-clt spliced (observed only)).',
    );
  });

  it('both: one notice naming both changes', () => {
    expect(staleNotice({ ranWith: [], current: [ABLATE, ABLATE], ranSplice: null, nowSplice: SAE })).toEqual({
      interventions: true,
      splice: true,
      text: 'Computed with no interventions and no dictionaries spliced; the intervention list and the spliced dictionaries have changed since (the model now runs with 2 interventions and stories260K SAEs spliced (reconstruction only)).',
    });
  });
});
