import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { isUnauthenticated } from './api.js';
import { App } from './app.js';
import { applyTheme, currentTheme } from './theme.js';
import './styles.css';

applyTheme(currentTheme());

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A 401 means the session ended: asking again will not help; the app sends the person to sign in.
      retry: (count, error) => !isUnauthenticated(error) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register('/sw.js').catch(() => {});
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
