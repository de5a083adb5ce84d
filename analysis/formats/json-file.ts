/**
 * Reading the small JSON files of a model folder (config.json, tokenizer.json, …) through a
 * `ModelSource`, with errors that name the file and the folder.
 */
import { ModelFormatError } from './errors.ts';
import type { ModelSource } from './source.ts';

/** The whole file as UTF-8 text; throws naming the file when it is missing. */
export async function readTextFile(source: ModelSource, file: string): Promise<string> {
  if (!(await source.has(file))) throw new ModelFormatError(`${source.label}: ${file} not found`);
  const size = await source.size(file);
  return new TextDecoder().decode(await source.read(file, 0, size));
}

/** Parses `text` as JSON; a syntax error becomes a message naming the file. */
export function parseJsonText(text: string, file: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(`${label}: ${file} is not valid JSON (${(e as Error).message})`);
  }
}

/** Reads and parses a required JSON file. */
export async function readJsonFile(source: ModelSource, file: string): Promise<unknown> {
  return parseJsonText(await readTextFile(source, file), file, source.label);
}

/** Reads and parses a JSON file if the folder has it; `undefined` when it does not. */
export async function readJsonFileIfPresent(source: ModelSource, file: string): Promise<unknown> {
  return (await source.has(file)) ? readJsonFile(source, file) : undefined;
}
