/**
 * The example app (examples/hello.ts) as a Cloudflare module Worker, deployed by the top-level
 * wrangler.toml:
 *   npx wrangler dev                                      → http://127.0.0.1:8787
 *   npx wrangler deploy --dry-run --outdir dist/worker    → the bundle, no account needed
 *   npx wrangler deploy                                   → your workers.dev subdomain
 */
import { toWorker } from 'tsgi/cloudflare-workers';
import app from './hello.js';

export default toWorker(app);
