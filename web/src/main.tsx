import '@picocss/pico/css/pico.min.css'
import './app.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { Router } from 'wouter'
import { SessionProvider } from './session.tsx'
import { App } from './app.tsx'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider>
      <Router base='/app'>
        <App />
      </Router>
    </SessionProvider>
  </StrictMode>
)
