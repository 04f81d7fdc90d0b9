import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api';
import { App } from './App';
import { AppProviders, createQueryClient } from './app-context';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('The page has no #root element');

/** Opened without an address in the app: the first run may show setup instead. */
const openedAtRoot = !window.location.hash;
if (openedAtRoot) {
  window.history.replaceState(window.history.state, '', '#/dashboard');
}

createRoot(container).render(
  <StrictMode>
    <AppProviders client={createClient()} queryClient={createQueryClient()}>
      <App openedAtRoot={openedAtRoot} />
    </AppProviders>
  </StrictMode>,
);
