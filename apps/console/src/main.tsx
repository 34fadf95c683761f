import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { loadConsoleConfig } from './auth/console-config';

const root = createRoot(document.getElementById('root')!);

loadConsoleConfig()
  .then((config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  )
  .catch((error: unknown) => {
    // Without its configuration the console cannot sign anyone in: say so instead of a blank page.
    root.render(<p role="alert">The console could not start: {String(error)}</p>);
  });
