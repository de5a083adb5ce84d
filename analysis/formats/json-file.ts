/**
 * Reading the small JSON files of a model folder (config.json, tokenizer.json, …) through a
 * `ModelSource`, with errors that name the file and the folder.
 */
import { ModelFormatError } from './errors.ts';
import type { ModelSource } from './source.ts';

/**
 * The largest JSON file of a model folder we read. The biggest real ones are tokenizer.json files
 * of large-vocabulary models (Gemma's is about 34 MB); parsing a file costs several times its size
 * in memory, and a string past V8's limit (~512 MB) cannot be made at all, so a bigger "JSON file"
 * is refused by its size before a byte of it is read.
 */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

/** The whole file as UTF-8 text; throws naming the file when it is missing or too large. */
export async function readTextFile(source: ModelSource, file: string, maxBytes = MAX_JSON_FILE_BYTES): Promise<string> {
  if (!(await source.has(file))) throw new ModelFormatError(`${source.label}: ${file} not found`);
  const size = await source.size(file);
  if (size > maxBytes) {
    throw new ModelFormatError(`${source.label}: ${file} is ${size} bytes, more than the ${maxBytes}-byte limit for a JSON file of a model folder`);
  }
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
