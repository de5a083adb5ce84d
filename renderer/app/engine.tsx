/** The engine client for the component tree (one worker for the app's lifetime). */
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import type { EngineClient } from '../worker/client.ts';

const EngineContext = createContext<EngineClient | null>(null);

export function EngineProvider({ client, children }: { client: EngineClient; children: ReactNode }) {
  return <EngineContext.Provider value={client}>{children}</EngineContext.Provider>;
}

export function useEngine(): EngineClient {
  const client = useContext(EngineContext);
  if (!client) throw new Error('useEngine outside <EngineProvider>');
  return client;
}
