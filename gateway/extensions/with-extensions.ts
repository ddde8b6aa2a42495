/**
 * The app as a gateway process calls it: every environ gets the process's `tsgi.waitUntil` and,
 * when the start-up hook returned something, `tsgi.state`. Both values are shared, not made per
 * request. `tsgi.websocket` is added by the HTTP path, which alone can upgrade.
 */
import { type App, STATE_KEY, WAIT_UNTIL_KEY, type WaitUntil } from '../../src/index.js';

export function withExtensions(app: App, waitUntil: WaitUntil, state: unknown): App {
  if (state === undefined) {
    return (environ, startResponse) => {
      environ[WAIT_UNTIL_KEY] = waitUntil;
      return app(environ, startResponse);
    };
  }
  return (environ, startResponse) => {
    environ[WAIT_UNTIL_KEY] = waitUntil;
    environ[STATE_KEY] = state;
    return app(environ, startResponse);
  };
}
