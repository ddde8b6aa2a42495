/**
 * The gateway's lightweight global Response (--override-global-response): the class lives in the
 * core (src/lightweight-response.ts), where the AWS Lambda adapter uses it too.
 */
export {
  installLightweightResponse,
  lightweightResponseClass,
} from '../../src/lightweight-response.js';
