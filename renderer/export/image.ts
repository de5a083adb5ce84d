/**
 * Figure images through Plotly.toImage at a chosen size and scale: SVG (vector, for papers) or
 * PNG (scale 2–4 for print). Data URLs are decoded here rather than fetched, since the CSP's
 * connect-src does not (and should not) allow data: URLs.
 */
import { loadPlotly } from '../figures/plotly.ts';

export type ImageFormat = 'svg' | 'png';

export interface ImageOptions {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** Pixel density multiplier for PNG (ignored by SVG, which is resolution-free). */
  readonly scale: number;
}

export function dataUrlToBlob(dataUrl: string): Blob {
  const comma = dataUrl.indexOf(',');
  if (!dataUrl.startsWith('data:') || comma < 0) throw new Error('not a data URL');
  const meta = dataUrl.slice(5, comma);
  const payload = dataUrl.slice(comma + 1);
  const type = meta.split(';')[0] || 'application/octet-stream';
  if (meta.endsWith(';base64')) {
    const binary = atob(payload);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new Blob([bytes], { type });
  }
  return new Blob([decodeURIComponent(payload)], { type });
}

export async function figureImage(element: HTMLElement, options: ImageOptions): Promise<Blob> {
  const Plotly = await loadPlotly();
  const url = await Plotly.toImage(element, {
    format: options.format,
    width: Math.round(options.width),
    height: Math.round(options.height),
    scale: options.format === 'png' ? options.scale : 1,
  });
  return dataUrlToBlob(url);
}
