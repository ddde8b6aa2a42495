/**
 * The socket address grammar, as uWSGI writes it: `host:port`, `:port`, `[v6]:port` or a unix
 * path. Checked when an option is read (so a typo is a config error naming the option) and
 * parsed again where the socket is bound.
 */
import { ValueError } from './option-types.js';

/** A parsed socket address: TCP host and port, or a unix path. */
export type SocketAddress =
  | { type: 'tcp'; host: string; port: number }
  | { type: 'unix'; path: string };

/**
 * sun_path holds 108 bytes with the closing NUL. The kernel binds a longer path cut short, under
 * a name nginx is never pointed at and --vacuum never removes, so it is refused instead.
 */
export const MAX_UNIX_PATH_BYTES = 107;

/** The address `text` names, or why it names none (`problem: null`: not the grammar at all). */
export function readSocketAddress(text: string): SocketAddress | { problem: string | null } {
  const spec = text.trim();
  const unix = spec.includes('/') || /^[\w.-]+\.sock$/.test(spec);
  if (unix) {
    const bytes = Buffer.byteLength(spec);
    if (bytes <= MAX_UNIX_PATH_BYTES) return { type: 'unix', path: spec };
    return {
      problem: `the path is ${bytes} bytes, over the ${MAX_UNIX_PATH_BYTES} a unix socket address holds (sun_path): choose a shorter path`,
    };
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(spec);
  if (!m) return { problem: null };
  const port = Number(m[3]);
  if (port > 65535) return { problem: 'port over 65535' };
  // `:3031` binds every interface, as in uWSGI.
  const host = m[1] ?? (m[2] === '' ? '0.0.0.0' : m[2]!);
  return { type: 'tcp', host, port };
}

/** Option check: throws a ValueError (the loader names the option) when `raw` is no address. */
export function checkSocketAddress(raw: string): void {
  const read = readSocketAddress(raw);
  if (!('problem' in read)) return;
  throw new ValueError(
    `expected host:port, :port or a unix socket path${read.problem ? ` (${read.problem})` : ''}`,
  );
}
