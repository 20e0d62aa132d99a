/**
 * The ring viewer, served by every daemon's HTTP API: GET / (or /viewer)
 * is the page and /viewer.js its script, which polls GET /ring?peers=true
 * every second and draws what this daemon can learn of the ring.
 */
import { VIEWER_HTML } from './page.ts'
import { VIEWER_SCRIPT } from './script.ts'
import type { ApiResponse } from '../router.ts'

const encoder = new TextEncoder()

// only this origin, so a page served from the API cannot be made to load anything else
const HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

const page = encoder.encode(VIEWER_HTML)
const script = encoder.encode(VIEWER_SCRIPT)

/** The viewer file served at /NAME, if there is one */
export function viewerAsset (name: string): ApiResponse | undefined {
  if (name === '' || name === 'viewer') return { status: 200, headers: { ...HEADERS, 'content-type': 'text/html; charset=utf-8' }, body: page }
  if (name === 'viewer.js') return { status: 200, headers: { ...HEADERS, 'content-type': 'text/javascript; charset=utf-8' }, body: script }
  return undefined
}
