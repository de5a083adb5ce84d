/** Token text for ids in captions: the prompt's tokens when the id is there, else "#id". */
import { displayToken } from '../../prompt/token-display.ts';
import type { TokenInfo } from '../../worker/contracts.ts';

export function vocabFrom(
  texts: Readonly<Record<number, string>> | null | undefined,
  ...lists: readonly (readonly { id: number; text?: string; token?: string | null }[] | null | undefined)[]
): (id: number) => string {
  const known = new Map<number, string>(Object.entries(texts ?? {}).map(([id, text]) => [Number(id), text]));
  for (const list of lists) for (const t of list ?? []) {
    const text = t.text ?? t.token;
    if (typeof text === 'string') known.set(t.id, text);
  }
  return (id) => (known.has(id) ? displayToken(known.get(id)!) : `#${id}`);
}

export type { TokenInfo };
