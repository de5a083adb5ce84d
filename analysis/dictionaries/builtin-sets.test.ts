import { describe, expect, it } from 'vitest';
import { BUILTIN_TRANSCODERS, openBuiltinDictionaries } from './builtin.ts';

describe('built-in dictionary sets', () => {
  it('a set name opens every dictionary of the set in layer order; an id opens one; unknown names are refused', async () => {
    const set = await openBuiltinDictionaries('builtin:stories260K-transcoders');
    expect(set.map((d) => [d.config.kind, d.config.hookIn, d.config.hookOut])).toEqual(
      BUILTIN_TRANSCODERS.map((_, l) => ['transcoder', `blocks.${l}.ln2.hook_normalized`, `blocks.${l}.hook_mlp_out`]),
    );
    expect((await openBuiltinDictionaries('builtin:stories260K-saes')).map((d) => d.config.hookOut)).toEqual([0, 1, 2, 3, 4].map((l) => `blocks.${l}.hook_resid_post`));
    expect(await openBuiltinDictionaries('builtin:stories260K-saes/blocks.2.hook_resid_post')).toHaveLength(1);
    await expect(openBuiltinDictionaries('builtin:nope')).rejects.toThrow(/unknown built-in dictionary "builtin:nope"/);
  });
});
