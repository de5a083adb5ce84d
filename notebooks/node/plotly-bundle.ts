/** The plotly.js-dist-min bundle text from node_modules (for the HTML report and the image renderer). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

export async function plotlyBundle(): Promise<string> {
  const require = createRequire(import.meta.url);
  return readFile(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8');
}
