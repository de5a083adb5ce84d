/**
 * Keeps an access token out of everything the downloader says: error messages, progress
 * events, logs. The token only ever travels in an Authorization header; this is the second
 * line of defence for text that might quote a header or a response body.
 */
export const REDACTED = '[token redacted]';

export function redact(text: string, token: string | undefined): string {
  if (!token) return text;
  return text.split(token).join(REDACTED);
}

/** The same error with its message (and stack) redacted; other fields kept. */
export function redactError<E extends Error>(error: E, token: string | undefined): E {
  if (!token) return error;
  error.message = redact(error.message, token);
  if (error.stack) error.stack = redact(error.stack, token);
  return error;
}
