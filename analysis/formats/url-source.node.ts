/** Shipped files under Node (see url-source.ts): file: URLs from disk, anything else over HTTP. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { HttpSource } from './http-source.ts';
import { NodeFolderSource } from './node-source.ts';
import type { UrlSourceHost } from './url-source.ts';
import { urlSourceHost as web } from './url-source.browser.ts';

export const urlSourceHost: UrlSourceHost = {
  openFolder: (url, label) => (url.protocol === 'file:' ? new NodeFolderSource(fileURLToPath(url), label) : new HttpSource(url, { label })),
  readText: (url) => (url.protocol === 'file:' ? readFile(url, 'utf8') : web.readText(url)),
};
