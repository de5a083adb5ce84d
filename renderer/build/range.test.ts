import { describe, expect, it } from 'vitest';
import { parseRange } from './range.ts';
import { cspString } from './csp.ts';

describe('parseRange', () => {
  it('reads closed, open and suffix ranges', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual([0, 0]);
    expect(parseRange('bytes=2-', 10)).toEqual([2, 9]);
    expect(parseRange('bytes=-3', 10)).toEqual([7, 9]);
    expect(parseRange('bytes=5-100', 10)).toEqual([5, 9]);
  });
  it('answers the whole file for no or multi-range headers, 416 outside the file', () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange('bytes=0-1,3-4', 10)).toBeNull();
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-0', 0)).toBe('unsatisfiable');
  });
});

describe('renderer CSP', () => {
  it('allows only the app scripts and blob workers', () => {
    const csp = cspString();
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).not.toContain('unsafe-eval');
  });
});
