/** The current view in the URL hash (#attention), so reloads and links keep the place. */
import { useCallback, useEffect, useState } from 'react';
import { DEFAULT_VIEW, viewById } from './views.ts';

function fromHash(): string {
  return viewById(decodeURIComponent(location.hash.replace(/^#\/?/, '')) || DEFAULT_VIEW).id;
}

export function useHashView(): [string, (id: string) => void] {
  const [view, setView] = useState(fromHash);
  useEffect(() => {
    const onHash = () => setView(fromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = useCallback((id: string) => {
    history.replaceState(null, '', `#${id}`);
    setView(viewById(id).id);
  }, []);
  return [view, go];
}
