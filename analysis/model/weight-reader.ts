/**
 * Reads checkpoint tensors for the loader one at a time, checking each tensor's shape from the
 * header before its bytes are fetched, and remembering which tensors were used so that a
 * checkpoint holding parameters the loader does not understand fails instead of silently
 * computing something else.
 */
import type { HostWeight } from '../../gpu/backend.ts';
import { sameShape, shapeString } from '../../gpu/backend.ts';
import { ModelFormatError } from '../formats/errors.ts';

/** What the reader needs from a checkpoint: safetensors, or a GGUF file seen with HF names. */
export interface TensorCheckpoint {
  /** For messages: the checkpoint file. */
  readonly description: string;
  names(): string[];
  has(name: string): boolean;
  /** Where a tensor lives (throws naming it when absent). */
  entry(name: string): { readonly file: string; readonly shape: readonly number[] };
  read(name: string): Promise<HostWeight>;
}

export class WeightReader {
  private readonly used = new Set<string>();

  constructor(
    private readonly checkpoint: TensorCheckpoint,
    /** For messages, e.g. the folder path. */
    private readonly label: string,
    /** Where expected shapes come from, for messages. */
    private readonly configName = 'config.json',
  ) {}

  has(name: string): boolean {
    return this.checkpoint.has(name);
  }

  /**
   * A required tensor with the shape the config implies. `why` says where the expected shape
   * comes from (e.g. "[vocab_size, hidden_size]") so a mismatch can be traced to config.json.
   */
  async read(name: string, shape: readonly number[], why: string): Promise<HostWeight> {
    const entry = this.checkpoint.entry(name); // throws naming the tensor and the file
    if (!sameShape(entry.shape, shape)) {
      throw new ModelFormatError(
        `${entry.file} (${this.label}): tensor "${name}" has shape ${shapeString(entry.shape)}, ` +
          `expected ${shapeString(shape)} = ${why} from ${this.configName}`,
      );
    }
    this.used.add(name);
    return this.checkpoint.read(name);
  }

  /** A tensor the architecture may or may not have (biases): undefined when absent. */
  async readOptional(name: string, shape: readonly number[], why: string): Promise<HostWeight | undefined> {
    return this.has(name) ? this.read(name, shape, why) : undefined;
  }

  /**
   * Throws when the checkpoint holds tensors that were neither read nor matched by `ignorable`
   * (buffers such as cached causal masks or rotary frequencies that carry no parameters).
   */
  checkAllUsed(ignorable: readonly RegExp[]): void {
    const left = this.checkpoint
      .names()
      .filter((n) => !this.used.has(n) && !ignorable.some((re) => re.test(n)));
    if (left.length > 0) {
      const shown = left.slice(0, 5).map((n) => `"${n}"`).join(', ');
      throw new ModelFormatError(
        `${this.checkpoint.description} (${this.label}): ${left.length} tensor(s) this loader does not use: ${shown}` +
          `${left.length > 5 ? ', …' : ''}. Loading anyway would compute a different model, so this checkpoint is not supported`,
      );
    }
  }
}
