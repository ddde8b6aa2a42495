/** `tsgi --connect-and-read ADDR`: print what a stats socket sends (uWSGI's helper of the same name). */
import { connect } from 'node:net';
import { parseAddress } from '../server/address.js';
import { statsError } from './errors.js';

export async function connectAndRead(addr: string, timeoutMs = 5000): Promise<string> {
  const address = parseAddress(addr);
  return await new Promise<string>((resolve, reject) => {
    const socket =
      address.type === 'unix'
        ? connect(address.path)
        : connect(address.port, address.host === '0.0.0.0' ? '127.0.0.1' : address.host);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(statsError('ERR_STATS_CONNECT', `${addr}: no answer within ${timeoutMs} ms`));
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (cause) => reject(statsError('ERR_STATS_CONNECT', addr, cause)));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
