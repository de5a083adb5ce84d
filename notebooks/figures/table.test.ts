import { describe, expect, it } from 'vitest';
import { tableToCsv, viewToTable } from './table.ts';

describe('views as tables and CSV', () => {
  it('lays a grid out with its row labels first', () => {
    const t = viewToTable({ kind: 'grid', title: '', x: { title: 'head', labels: ['H0', 'H1'] }, y: { title: 'layer', labels: ['L0'] }, z: [[0.5, null]], zTitle: '', signed: false });
    expect(t).toEqual({ columns: ['layer \\ head', 'H0', 'H1'], rows: [['L0', 0.5, null]] });
    expect(tableToCsv(t)).toBe('layer \\ head,H0,H1\r\nL0,0.5,\r\n');
  });

  it('quotes commas, quotes, newlines and padded text, and defuses spreadsheet formulas', () => {
    const csv = tableToCsv({ columns: ['token', 'v'], rows: [[' she', 1], ['a,b', 2], ['say "hi"', 3], ['line\nbreak', 4], ['=HYPERLINK("x")', 5], ['-2+3+cmd|x', -0.25], ['@sum', 6]] });
    expect(csv.split('\r\n')).toEqual(['token,v', '" she",1', '"a,b",2', '"say ""hi""",3', '"line\nbreak",4', `"'=HYPERLINK(""x"")",5`, "'-2+3+cmd|x,-0.25", "'@sum,6", '']);
  });
});
