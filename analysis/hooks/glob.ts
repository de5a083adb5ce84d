/**
 * Hook-name patterns: `*` matches within one dot-separated segment, `**` across segments.
 * `blocks.*.attn.hook_pattern` is every layer's pattern; `blocks.3.**` everything in block 3.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else {
        re += '[^.]*';
      }
    } else {
      re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

/** Names from `names` matched by any of `patterns`, in the order of `names`. */
export function matchHooks(names: readonly string[], patterns: readonly string[]): string[] {
  const res = patterns.map(globToRegExp);
  return names.filter((n) => res.some((r) => r.test(n)));
}

/**
 * Resolves patterns against the catalogue and fails on any pattern that matches nothing, so a
 * typo (`hook_patern`) is an error rather than an empty cache.
 */
export function resolveHookPatterns(names: readonly string[], patterns: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const p of patterns) {
    const hits = matchHooks(names, [p]);
    if (hits.length === 0) {
      const near = names.filter((n) => n.endsWith(p.split('.').pop() ?? '')).slice(0, 3);
      throw new Error(
        `hook pattern "${p}" matches no hook point of this model` + (near.length ? ` (did you mean ${near.join(', ')}?)` : ''),
      );
    }
    hits.forEach((h) => out.add(h));
  }
  return out;
}
