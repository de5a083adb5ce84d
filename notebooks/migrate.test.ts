import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../analysis/json.ts';
import { MIGRATIONS, migrateNotebook } from './migrate.ts';
import { NOTEBOOK_VERSION } from './schema.ts';

const v1: JsonObject = { format: 'probescope.notebook', version: 1, title: 't', cells: [{ kind: 'markdown', text: 'hi' }] };

describe('notebook migrations', () => {
  it('leaves a current-version notebook unchanged', () => {
    expect(NOTEBOOK_VERSION).toBe(2);
    const v2 = { ...v1, version: 2 };
    expect(migrateNotebook(v2)).toEqual({ doc: v2, from: 2 });
  });

  it('1 → 2 renames the metric position "pos" to "position" in dla, head-ablation and obsprop cells only', () => {
    const cells = [
      { kind: 'analysis', id: 'd', method: 'dla', params: { prompt: 0, pos: -2 } },
      { kind: 'analysis', id: 'h', method: 'head-ablation', params: { pos: 3, mode: 'zero' } },
      { kind: 'analysis', id: 'o', method: 'obsprop', params: { positive: [' he'], negative: [' she'] } },
      { kind: 'analysis', id: 'l', method: 'logit-lens', params: { pos: 1 } },
      { kind: 'markdown', text: 'pos' },
    ];
    const { doc, from } = migrateNotebook({ ...v1, cells });
    expect(from).toBe(1);
    expect(doc.version).toBe(2);
    expect(doc.cells).toEqual([
      { kind: 'analysis', id: 'd', method: 'dla', params: { prompt: 0, position: -2 } },
      { kind: 'analysis', id: 'h', method: 'head-ablation', params: { mode: 'zero', position: 3 } },
      cells[2],
      cells[3],
      cells[4],
    ]);
    expect(Object.keys(MIGRATIONS)).toEqual(['1']);
  });

  it('applies each step n → n+1 in order and stamps the new version', () => {
    // Stand-ins for future format changes: 1 → 2 renames "title" to "name", 2 → 3 adds "tags".
    const chain = {
      1: ({ title, ...rest }: JsonObject) => ({ ...rest, name: title }),
      2: (doc: JsonObject) => ({ ...doc, tags: [] }),
    };
    expect(migrateNotebook(v1, chain, 3)).toEqual({ doc: { format: 'probescope.notebook', version: 3, name: 't', cells: v1.cells, tags: [] }, from: 1 });
    expect(migrateNotebook({ ...v1, version: 2 }, chain, 3).doc).toMatchObject({ version: 3, title: 't', tags: [] });
  });

  it('fails clearly when a step is missing or the version is newer', () => {
    expect(() => migrateNotebook(v1, {}, 2)).toThrow('internal: no migration from notebook version 1 to 2');
    expect(() => migrateNotebook({ ...v1, version: 5 }, {}, 4)).toThrow(/version 5, written by a newer Probescope; this one reads versions 1 to 4/);
  });
});
