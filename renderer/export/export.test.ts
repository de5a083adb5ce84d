import { describe, expect, it } from 'vitest';
import { safeFileName } from './download.ts';
import { dataUrlToBlob } from './image.ts';
import { toJsonText } from './json.ts';
import { toCsv } from './table.ts';

describe('CSV', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    const csv = toCsv({ columns: ['token', 'value'], rows: [[' the', 0.5], ['a,b', NaN], ['say "hi"', 1e-9], ['=SUM(A1)', -1], ['-', null]] });
    expect(csv.split('\r\n')).toEqual(['token,value', '" the",0.5', '"a,b",', '"say ""hi""",1e-9', "'=SUM(A1),-1", "'-,", '']);
  });
});

describe('JSON', () => {
  it('writes typed arrays as arrays and non-finite numbers as null', () => {
    const text = toJsonText({ z: new Float32Array([1, NaN]), ids: new Int32Array([3]), n: Infinity, name: 'x' });
    expect(JSON.parse(text)).toEqual({ z: [1, null], ids: [3], n: null, name: 'x' });
  });
});

describe('images and names', () => {
  it('decodes SVG and base64 data URLs without fetching', async () => {
    const svg = dataUrlToBlob(`data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg"/>')}`);
    expect(svg.type).toBe('image/svg+xml');
    expect(await svg.text()).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const png = dataUrlToBlob(`data:image/png;base64,${btoa('\x89PNG')}`);
    expect(new Uint8Array(await png.arrayBuffer())[0]).toBe(0x89);
  });
  it('keeps file names plain', () => {
    expect(safeFileName('logit lens / L3H2.svg')).toBe('logit-lens-_-L3H2.svg');
    expect(safeFileName('../x')).toBe('_x');
  });
});
