/**
 * Whether the view around a component is the one on screen, and which view it is. Views stay
 * mounted when hidden (to keep their results), so anything that runs by itself (the next-token
 * list) asks this first instead of computing for a page nobody is looking at; pins record the
 * view they were made in, so a pinned run can be reopened there.
 */
import { createContext, useContext } from 'react';

export const ViewActiveContext = createContext(true);

export function useViewActive(): boolean {
  return useContext(ViewActiveContext);
}

/** The id of the view (app/views.ts) a component is drawn in; null outside the views. */
export const ViewIdContext = createContext<string | null>(null);

export function useViewId(): string | null {
  return useContext(ViewIdContext);
}
