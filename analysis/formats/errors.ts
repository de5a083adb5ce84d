/**
 * One error type for everything wrong with a model's files, so callers (the model picker, the
 * CLI) can tell "this checkpoint is broken or unsupported" apart from programming errors and show
 * the message as is. Messages always name the file and, where there is one, the tensor or field.
 */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}
