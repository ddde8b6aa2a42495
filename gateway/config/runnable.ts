/**
 * What `tsgi` needs before it serves: an app and at least one socket. Checked right after the
 * configuration loads (before a worker is started or the app is imported), so each message
 * names the flag or the line that fixes it.
 */
import type { TsgiError } from '../../src/errors.js';
import { configError } from './errors.js';
import type { LoadResult } from './load.js';

/** systemd socket activation hands this process sockets in LISTEN_FDS: no socket option needed. */
const inheritsSockets = (env: Readonly<Record<string, string | undefined>>, pid: number) =>
  Number(env.LISTEN_PID) === pid && Number(env.LISTEN_FDS ?? 0) > 0;

export function runnableErrors(
  result: LoadResult,
  env: Readonly<Record<string, string | undefined>>,
  pid: number = process.pid,
): TsgiError[] {
  const errors: TsgiError[] = [];
  if (result.app === null) {
    const fix =
      result.appLine === null
        ? 'give APP (tsgi [options] path/to/app.ts[:export]) or `app = path/to/app.ts` in the config file'
        : `the config names a Python app; write the line \`${result.appLine}\` (with your app's path)`;
    errors.push(configError('ERR_CONFIG_NO_APP', fix));
  }
  const { socket, sslSocket, httpSocket, http } = result.config;
  const sockets = socket.length + sslSocket.length + httpSocket.length + http.length;
  if (sockets === 0 && !inheritsSockets(env, pid)) {
    errors.push(
      configError(
        'ERR_CONFIG_NO_SOCKET',
        'add --socket ADDR (uwsgi, for nginx uwsgi_pass), --http-socket ADDR (HTTP behind a proxy) or --http ADDR (HTTP from clients)',
      ),
    );
  }
  return errors;
}
