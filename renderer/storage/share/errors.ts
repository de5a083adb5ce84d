/** Why a .probescope file was refused. The message names the entry or field and what was expected. */
export class ShareFormatError extends Error {
  override readonly name = 'ShareFormatError';
}
