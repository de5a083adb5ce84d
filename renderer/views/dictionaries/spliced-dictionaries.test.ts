/** The splice choice reaches a method's params as its common dictionaries params, unless the view names its own. */
import { describe, expect, it } from 'vitest';
import { METHODS } from '../../../analysis/registry/registry.ts';
import { withSplicedDictionaries } from './spliced-dictionaries.ts';

const CLT = { ref: 'folder:1/my-clt', label: 'my-clt', mode: 'without-error' as const };

describe('withSplicedDictionaries', () => {
  it('adds the choice as dictionaries and dictionarySplice, which the method schema accepts', () => {
    const params = withSplicedDictionaries({ prompt: 0 }, CLT);
    expect(params).toEqual({ prompt: 0, dictionaries: ['folder:1/my-clt'], dictionarySplice: 'without-error' });
    expect(METHODS.get('logit-lens')!.checkParams(params).ok).toBe(true);
  });

  it('leaves params alone without a choice, or when the view names its own dictionaries', () => {
    expect(withSplicedDictionaries({ prompt: 0 }, null)).toEqual({ prompt: 0 });
    const own = { hook: 'features', dictionaries: ['builtin:stories260K-saes/blocks.2.hook_resid_post'] };
    expect(withSplicedDictionaries(own, CLT)).toEqual(own);
  });
});
