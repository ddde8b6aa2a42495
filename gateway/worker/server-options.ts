/**
 * What one serving process (a worker, or the single process without a master) takes from the
 * resolved configuration; the master reads the same to know which sockets to bind.
 */
import type { GatewayConfig } from '../config/index.js';
import type { ServerOptions } from '../server/options.js';

/** The part of the resolved configuration one serving process uses. */
export function serverOptionsFromConfig(config: GatewayConfig): ServerOptions {
  return {
    socket: [...config.socket],
    sslSocket: [...config.sslSocket],
    httpSocket: [...config.httpSocket],
    http: [...config.http],
    bufferSize: config.bufferSize,
    limitPost: config.limitPost,
    socketTimeout: config.socketTimeout,
    httpKeepalive: config.httpKeepalive,
    ...(config.chmodSocket === null ? {} : { chmodSocket: config.chmodSocket }),
    listen: config.listen,
    disableLogging: config.disableLogging,
    maxVars: config.maxVars,
    modifier1: [...config.modifier1],
    workerConnections: config.workerConnections,
    disableFastTransport: config.disableFastTransport,
    websocketsMaxSize: config.websocketsMaxSize,
    websocketsPingFreq: config.websocketsPingFreq,
    websocketsPongTolerance: config.websocketsPongTolerance,
    forwardedAllowIps: config.forwardedAllowIps.flatMap((v) => v.split(',')).map((v) => v.trim()),
  };
}
