/**
 * What every component reaches through context: the API client (tests can give a fake one)
 * and the query cache that holds server state. The provider opens the push channel, keeps the
 * cache current from pushes, and reads everything again after a reconnect.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { createContext, useContext, useEffect } from 'react';
import type { RendererClient } from './api';
import { refreshAfterReconnect, syncPushes } from './push-sync';
import { startRum } from './rum';
import { useConnection } from './stores/connection';

const ApiContext = createContext<RendererClient | null>(null);

/** The API client of the app this component is in. */
export function useApi(): RendererClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi outside <AppProviders>');
  return client;
}

/**
 * Pushes keep the cache current, so nothing refetches on focus; a failed load says so at
 * once (with a Retry button) instead of retrying quietly.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false },
      mutations: { retry: false },
    },
  });
}

export function AppProviders({
  client,
  queryClient,
  children,
}: {
  client: RendererClient;
  queryClient: QueryClient;
  children: ReactNode;
}) {
  useEffect(() => {
    const stopPushes = syncPushes(client, queryClient);
    const stopRum = startRum(client);
    const disconnect = client.connect((report) => {
      useConnection.setState({
        state: report.state,
        ...(report.problem !== undefined && { problem: report.problem }),
      });
      if (report.reconnected) refreshAfterReconnect(queryClient);
    });
    return () => {
      disconnect();
      stopPushes();
      stopRum();
    };
  }, [client, queryClient]);

  return (
    <ApiContext.Provider value={client}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </ApiContext.Provider>
  );
}
