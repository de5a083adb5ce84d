/**
 * A figure cell's options: which view of the step's result, and presentation only (title, colour
 * scale, size). Strict, so a typo is an error rather than an option silently ignored.
 */
import { z } from 'zod';

export const FigureOptionsSchema = z.strictObject({
  /** A view name the step offers; default the step's default view. */
  view: z.string().min(1).max(64).optional(),
  title: z.string().max(200).optional(),
  /** auto: diverging (centred on 0) for signed views, sequential otherwise. */
  colorscale: z.enum(['auto', 'diverging', 'sequential']).optional(),
  /** Pixel size of exported images (the HTML report resizes with the page). */
  width: z.number().int().min(200).max(4000).optional(),
  height: z.number().int().min(150).max(4000).optional(),
  /** Heatmaps: write each cell's text (e.g. the top token) into the cell. */
  showText: z.boolean().optional(),
});

export type FigureOptions = z.infer<typeof FigureOptionsSchema>;
