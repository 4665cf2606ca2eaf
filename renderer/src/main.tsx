import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api/index.js';
import { App } from './App.js';
import { ApiProvider } from './context.js';
import './styles.css';

const api = createApi();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiProvider api={api}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
