/**
 * A Worker made only of src/ (no adapter): the core, the validator and both middlewares, bundled
 * for workerd by test/src/workerd.test.ts to prove src/ runs there.
 */
import { type App, timing, toFetch, urlMap, validator } from '../../src/index.js';

const plain: [string, string][] = [['Content-Type', 'text/plain']];

const stream: App = (_environ, startResponse) => {
  startResponse('200 OK', plain);
  return (async function* () {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1));
      yield `chunk ${i};`;
    }
  })();
};

const echo: App = async (environ, startResponse) => {
  const line = await environ['wsgi.input'].readline();
  const rest = await environ['wsgi.input'].read();
  startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
  return [line, rest];
};

const path: App = (environ, startResponse) => {
  startResponse('200 OK', plain);
  return [`${environ.SCRIPT_NAME}|${environ.PATH_INFO}|${environ.QUERY_STRING}`];
};

/** The char codes of X-Name as the environ holds it: latin-1 bytes, whatever workerd decoded. */
const header: App = (environ, startResponse) => {
  startResponse('200 OK', plain);
  const value = String(environ.HTTP_X_NAME);
  return [JSON.stringify([...value].map((c) => c.charCodeAt(0)))];
};

const fail: App = (_environ, startResponse) => {
  startResponse('200 OK', [['Connection', 'close']]);
  return [];
};

export default {
  fetch: toFetch(
    validator(
      timing(
        urlMap({
          '/stream': stream,
          '/echo': echo,
          '/path': path,
          '/header': header,
          '/fail': fail,
        }),
      ),
    ),
  ),
};
