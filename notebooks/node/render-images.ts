/**
 * SVG and PNG export of Plotly figures through a local Chromium, driven by playwright-core: a
 * blank page with plotly.js loaded from node_modules, each figure drawn with Plotly.newPlot and
 * exported with Plotly.toImage. Every request the page makes is aborted, so rendering never
 * touches the network. Without a Chromium the caller writes JSON and HTML only and says so.
 */
import { existsSync } from 'node:fs';
import type { PlotlyFigure } from '../figures/plotly.ts';

/** Candidate browsers: $PROBESCOPE_CHROMIUM first, then the usual Debian/Ubuntu/Chrome paths. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [env.PROBESCOPE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

export interface FigureImages {
  readonly svg: string;
  readonly png: Uint8Array;
}

export interface RenderOptions {
  readonly executablePath: string;
  readonly plotlyJs: string;
  /** PNG pixel ratio (2 = twice the layout's width and height). */
  readonly scale?: number;
}

/** A data: URL from Plotly.toImage → its bytes or text. */
function decodeDataUrl(url: string): Buffer {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) throw new Error('Plotly.toImage did not return a data: URL');
  const meta = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  return meta.endsWith(';base64') ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'utf8');
}

interface PlotlyGlobal {
  newPlot(div: HTMLElement, data: unknown, layout: unknown, config: unknown): Promise<unknown>;
  toImage(div: HTMLElement, options: { format: 'svg' | 'png'; width: number; height: number; scale: number }): Promise<string>;
  purge(div: HTMLElement): void;
}

export async function renderFigureImages(figures: readonly PlotlyFigure[], options: RenderOptions): Promise<FigureImages[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: options.executablePath,
    headless: true,
    // --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start; the page
    // only ever holds our own plotly.js and figure data, with every network request aborted.
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ content: options.plotlyJs });
    const out: FigureImages[] = [];
    for (const fig of figures) {
      const urls = await page.evaluate(
        // The spec travels as a JSON string: playwright's argument types recurse too deeply for Json.
        async ({ spec, scale }) => {
          const { data, layout } = JSON.parse(spec) as { data: unknown; layout: { width?: unknown; height?: unknown } };
          const Plotly = (window as unknown as { Plotly: PlotlyGlobal }).Plotly;
          const div = document.createElement('div');
          document.body.appendChild(div);
          try {
            await Plotly.newPlot(div, data, layout, { staticPlot: true });
            const size = { width: Number(layout.width) || 720, height: Number(layout.height) || 480 };
            const svg = await Plotly.toImage(div, { format: 'svg', ...size, scale: 1 });
            const png = await Plotly.toImage(div, { format: 'png', ...size, scale });
            return { svg, png };
          } finally {
            Plotly.purge(div);
            div.remove();
          }
        },
        { spec: JSON.stringify(fig), scale: options.scale ?? 2 },
      );
      out.push({ svg: decodeDataUrl(urls.svg).toString('utf8'), png: new Uint8Array(decodeDataUrl(urls.png)) });
    }
    return out;
  } finally {
    await browser.close();
  }
}
