import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api/index.js';
import { App } from './App.js';
import { SessionProvider } from './session.js';
import './styles.css';

const api = createApi();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider api={api}>
      <App />
    </SessionProvider>
  </StrictMode>,
);
