/** Issue #11, finding 2 and 9: names and numbers from config.json that used to load a broken model. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';
import { ModelFormatError } from './errors.ts';

const FIXTURES = new URL('../../test/fixtures/', import.meta.url);

function fixtureConfig(model: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${model}/config.json`, FIXTURES), 'utf8')) as Record<string, unknown>;
}

/** Object.prototype's member names: a plain-object lookup finds each of them. */
const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];

describe('config.json names select behaviour by own property only', () => {
  it.each(PROTOTYPE_NAMES)('activation_function "%s" (gpt2) is refused naming the field', (name) => {
    const config = { ...fixtureConfig('gpt2-tiny'), activation_function: name };
    expect(() => parseConfig(config)).toThrow(new ModelFormatError(
      `config.json: activation_function "${name}" is not supported (supported: gelu_new, gelu_pytorch_tanh, gelu_fast, gelu, gelu_python, relu, silu, swish)`,
    ));
  });

  it.each(PROTOTYPE_NAMES)('hidden_act "%s" (llama, gpt_neox) is refused', (name) => {
    for (const model of ['llama-tiny', 'pythia-tiny']) {
      expect(() => parseConfig({ ...fixtureConfig(model), hidden_act: name })).toThrow(/config\.json: hidden_act ".*" is not supported/);
    }
  });
});

describe('config.json values are range-checked', () => {
  it.each([1e-320, 0.5, 1, 1e13])('rope_theta %s is refused (NaN or no-decay rotary frequencies)', (theta) => {
    expect(() => parseConfig({ ...fixtureConfig('llama-tiny'), rope_theta: theta })).toThrow(/^config\.json: .*rope_theta.*must be above 1 and at most 1000000000000/);
    expect(() => parseConfig({ ...fixtureConfig('pythia-tiny'), rotary_emb_base: theta, rope_theta: undefined })).toThrow(/rotary_emb_base.*must be above 1/);
  });

  it('rope_theta 500000 (Llama 3) loads', () => {
    expect(parseConfig({ ...fixtureConfig('llama-tiny'), rope_theta: 500000 }).ropeTheta).toBe(500000);
  });

  it.each([0, 1, 1e300])('rms_norm_eps %s is refused', (eps) => {
    expect(() => parseConfig({ ...fixtureConfig('llama-tiny'), rms_norm_eps: eps })).toThrow(/"rms_norm_eps"/);
  });

  it.each([['hidden_size', 2 ** 40], ['vocab_size', 1.5], ['num_hidden_layers', -1]] as const)('%s %s is refused', (field, value) => {
    expect(() => parseConfig({ ...fixtureConfig('llama-tiny'), [field]: value })).toThrow(new RegExp(`"${field}"`));
  });

  it('a layer count of 7e8 (found by npm run fuzz: minutes of per-layer set-up) is refused before any family parser runs', () => {
    for (const [model, field] of [['llama-tiny', 'num_hidden_layers'], ['gpt2-tiny', 'n_layer']] as const) {
      expect(() => parseConfig({ ...fixtureConfig(model), [field]: 698995805 })).toThrow(
        new ModelFormatError(`config.json: "${field}": 698995805 layers is more than the 4096 any model has`),
      );
    }
  });

  it('bos/eos ids must lie inside the vocabulary', () => {
    const llama = fixtureConfig('llama-tiny'); // vocab_size 512
    expect(() => parseConfig({ ...llama, bos_token_id: 512 })).toThrow(
      new ModelFormatError('config.json: bos_token_id 512 is outside the vocabulary (vocab_size 512, so ids 0 … 511)'),
    );
    expect(() => parseConfig({ ...llama, eos_token_id: [2, 100000] })).toThrow(/eos_token_id 100000 is outside the vocabulary/);
    expect(() => parseConfig(llama, { eos_token_id: 9999 })).toThrow(/eos_token_id 9999 is outside the vocabulary/);
    expect(parseConfig({ ...llama, bos_token_id: 511 }).bosTokenId).toBe(511);
  });
});
