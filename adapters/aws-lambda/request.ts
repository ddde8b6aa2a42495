/**
 * What every event source yields for the environ builder: the request as the event carries it,
 * with the path already in PEP 3333 form (latin-1 bytes, percent-decoded).
 */

/** A header map from an event: single values, or arrays in multi-value mode / VPC Lattice. */
export type HeaderMap = Record<string, string | string[] | null | undefined>;

export interface RequestParts {
  method: string;
  /** Decoded path as latin-1 bytes (PATH_INFO before any SCRIPT_NAME split). */
  path: string;
  /** The path in URL form as the client sent it (for REQUEST_URI), without the query. */
  rawPath: string;
  /** Raw query string, percent-encoded as on the wire. */
  query: string;
  headers: HeaderMap | null | undefined;
  /** HTTP API / Function URL cookies[], which replace any Cookie header. */
  cookies: string[] | undefined;
  body: string | null | undefined;
  isBase64Encoded: boolean;
  /** Lambda@Edge: CloudFront cut the body at its limit (the app must not take it as whole). */
  inputTruncated?: boolean;
  remoteAddr: string | undefined;
  domainName: string | undefined;
  protocol: string | undefined;
  /** Stage prefix to move into SCRIPT_NAME when `stage` is on (latin-1, e.g. `/Prod`). */
  stagePrefix: string | undefined;
  /** True when the stage prefix is in `path` (HTTP API); false when the gateway removed it (REST). */
  stageInPath: boolean;
  requestId: string | undefined;
  /** More environ keys a source adds (Lambda@Edge: `aws.edge.request`). */
  extra?: Record<string, unknown>;
}
