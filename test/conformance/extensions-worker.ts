// The extensions probe as a module worker (bundled and run in workerd by the suite).
import { toWorker } from '../../adapters/cloudflare-workers/index.js';
import app, { startup } from './extensions-app.js';

export default toWorker(app, { startup });
