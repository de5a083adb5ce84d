/**
 * Which files of a repo make a model Probescope can open: config.json, the tokenizer files that
 * exist, and the safetensors weights, either model.safetensors or every shard that
 * model.safetensors.index.json names. Everything else (pytorch_model.bin, ONNX, GGUF, README,
 * images) is skipped, so a download fetches only what will be used.
 */
import type { RepoInfo } from './repo-info.ts';
import { checkFileName, HubError } from './repo.ts';

export const CONFIG_FILES = ['config.json', 'generation_config.json'] as const;
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.model', 'vocab.json', 'merges.txt'] as const;
export const SINGLE_WEIGHTS = 'model.safetensors';
export const WEIGHTS_INDEX = 'model.safetensors.index.json';

/** The small files to fetch first, and whether the weights are sharded. */
export function selectMetadataFiles(info: RepoInfo): { files: string[]; sharded: boolean } {
  const has = (f: string) => info.files.has(f);
  if (!has('config.json')) throw new HubError(`${info.repo}@${info.commit.slice(0, 8)} has no config.json: not a transformers model repo`);
  const files = [...CONFIG_FILES, ...TOKENIZER_FILES].filter(has);
  if (has(WEIGHTS_INDEX)) return { files: [...files, WEIGHTS_INDEX], sharded: true };
  if (has(SINGLE_WEIGHTS)) return { files, sharded: false };
  const alternatives = [...info.files.keys()].filter((f) => /\.(bin|pt|pth|gguf|onnx|h5|msgpack)$/.test(f));
  throw new HubError(
    `${info.repo} has no safetensors weights (${SINGLE_WEIGHTS} or ${WEIGHTS_INDEX})` +
      (alternatives.length ? `; it has ${alternatives.slice(0, 3).join(', ')}, which Probescope does not read` : ''),
  );
}

/** The shards an index names, each checked as a plain file name and present in the repo. */
export function shardsOf(indexJson: unknown, info: RepoInfo): string[] {
  const map = (indexJson as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new HubError(`${WEIGHTS_INDEX}: expected an object with a "weight_map"`);
  const shards = new Set<string>();
  for (const [tensor, shard] of Object.entries(map)) {
    if (typeof shard !== 'string') throw new HubError(`${WEIGHTS_INDEX}: weight_map["${tensor}"] must be a file name`);
    shards.add(checkFileName(shard, `${WEIGHTS_INDEX} weight_map["${tensor}"]`));
  }
  for (const shard of shards) if (!info.files.has(shard)) throw new HubError(`${WEIGHTS_INDEX} names ${shard}, which is not in the repo`);
  return [...shards].sort();
}
