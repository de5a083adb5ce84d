/**
 * Files that ship with the app (the built-in model and dictionaries, the NIAH haystack) are
 * located by URL relative to their module: a file: URL under Node, http(s): in a browser. Opening
 * such a URL is host-specific, so it sits behind this interface and package.json's `imports` map
 * chooses the implementation: `#url-source` is url-source.browser.ts under the "browser" condition
 * (Vite's bundles, the browser test project, the page and worker tsconfigs) and
 * url-source.node.ts otherwise. The browser's import graph so holds no Node built-ins.
 */
import type { ModelSource } from './source.ts';

export interface UrlSourceHost {
  /** The folder at `url` (with a trailing slash) as a ModelSource labelled `label`. */
  openFolder(url: URL, label: string): ModelSource;
  /** The text of the file at `url`. */
  readText(url: URL): Promise<string>;
}
