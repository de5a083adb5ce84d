/**
 * Whether the view around a component is the one on screen. Views stay mounted when hidden
 * (to keep their results), so anything that runs by itself (the next-token list) asks this
 * first instead of computing for a page nobody is looking at.
 */
import { createContext, useContext } from 'react';

export const ViewActiveContext = createContext(true);

export function useViewActive(): boolean {
  return useContext(ViewActiveContext);
}
