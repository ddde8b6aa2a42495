/**
 * Hono's own behaviour through fromHono, on Node's own Response (the suite: behaviour-suite.ts).
 */
import { honoBehaviour } from './behaviour-suite.js';

honoBehaviour('adapters/hono: a Hono app through fromHono behaves as on a real Request');
