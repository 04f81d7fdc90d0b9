import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api';
import { App } from './App';
import { AppProviders, createQueryClient } from './app-context';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('The page has no #root element');

if (!window.location.hash) {
  window.history.replaceState(window.history.state, '', '#/dashboard');
}

createRoot(container).render(
  <StrictMode>
    <AppProviders client={createClient()} queryClient={createQueryClient()}>
      <App />
    </AppProviders>
  </StrictMode>,
);
