// The conformance app as a module worker (bundled and run in workerd by the suite).
import { toWorker } from '../../adapters/cloudflare-workers/index.js';
import app from './app.js';

export default toWorker(app);
