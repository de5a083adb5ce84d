import { describe, expect, it } from 'vitest';
import { numberProblem } from './Fields.tsx';

describe('numberProblem', () => {
  it('refuses out-of-range values with the range instead of clamping', () => {
    expect(numberProblem('Layer', '7', 0, 4)).toBe('Layer: 7 is out of range (from 0 to 4)');
    expect(numberProblem('Neuron', '5000', 0, 171)).toBe('Neuron: 5000 is out of range (from 0 to 171)');
    expect(numberProblem('n', '-1', 1)).toBe('n: -1 is out of range (1 or more)');
    expect(numberProblem('p', '2', undefined, 1, 0.05)).toBe('p: 2 is out of range (1 or less)');
  });
  it('refuses text that is not a whole number where steps are whole', () => {
    expect(numberProblem('Layer', '', 0, 4)).toBe('Layer: enter a number');
    expect(numberProblem('Layer', 'abc', 0, 4)).toBe('Layer: “abc” is not a number');
    expect(numberProblem('Layer', '1.5', 0, 4)).toBe('Layer: 1.5 is not a whole number');
    expect(numberProblem('Threshold', '0.15', 0, 1, 0.05)).toBeNull();
  });
  it('accepts values in range, bounds included', () => {
    expect(numberProblem('Layer', '0', 0, 4)).toBeNull();
    expect(numberProblem('Layer', '4', 0, 4)).toBeNull();
  });
});
