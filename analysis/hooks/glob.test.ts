import { describe, expect, it } from 'vitest';
import { matchHooks, resolveHookPatterns } from './glob.ts';

const names = ['hook_embed', 'blocks.0.hook_resid_pre', 'blocks.0.attn.hook_pattern', 'blocks.1.attn.hook_pattern', 'blocks.10.attn.hook_z'];

describe('hook globs', () => {
  it('* stays within one segment, ** crosses segments', () => {
    expect(matchHooks(names, ['blocks.*.attn.hook_pattern'])).toEqual(['blocks.0.attn.hook_pattern', 'blocks.1.attn.hook_pattern']);
    expect(matchHooks(names, ['blocks.*.hook_resid_pre'])).toEqual(['blocks.0.hook_resid_pre']);
    expect(matchHooks(names, ['blocks.1*.**'])).toEqual(['blocks.1.attn.hook_pattern', 'blocks.10.attn.hook_z']);
    expect(matchHooks(names, ['**'])).toEqual(names);
  });
  it('treats dots and brackets literally', () => {
    expect(matchHooks(['a.b', 'axb'], ['a.b'])).toEqual(['a.b']);
  });
  it('a pattern that matches nothing is an error naming it', () => {
    expect(() => resolveHookPatterns(names, ['blocks.*.attn.hook_patern'])).toThrow(/"blocks.\*.attn.hook_patern" matches no hook point/);
  });
});
