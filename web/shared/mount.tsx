/** Renders a portal's root component inside Fluent UI's light theme (Azure's portal look). */
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import './base.css';

export function mount(app: ReactNode): void {
  const element = document.getElementById('root');
  if (!element) throw new Error('The page has no #root element.');
  createRoot(element).render(
    <StrictMode>
      <FluentProvider theme={webLightTheme}>{app}</FluentProvider>
    </StrictMode>,
  );
}
