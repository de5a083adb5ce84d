/** Shipped files in a browser page or worker (see url-source.ts): HTTP range reads and fetch. */
import { HttpSource } from './http-source.ts';
import type { UrlSourceHost } from './url-source.ts';

export const urlSourceHost: UrlSourceHost = {
  openFolder: (url, label) => new HttpSource(url, { label }),
  async readText(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot load ${url.href}: HTTP ${response.status}`);
    return response.text();
  },
};
