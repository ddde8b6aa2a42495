/**
 * Reason phrases per class (1xx to 5xx), each list indexed by the code's last two digits, empty
 * where a code has none (451 is added on its own): the table keyed by code in fewer bytes, as a
 * Workers bundle carries it.
 */
const PHRASES = [
  'Continue,Switching Protocols,,Early Hints',
  'OK,Created,Accepted,Non-Authoritative Information,No Content,Reset Content,Partial Content,Multi-Status',
  'Multiple Choices,Moved Permanently,Found,See Other,Not Modified,,,Temporary Redirect,Permanent Redirect',
  "Bad Request,Unauthorized,Payment Required,Forbidden,Not Found,Method Not Allowed,Not Acceptable,,Request Timeout,Conflict,Gone,Length Required,Precondition Failed,Content Too Large,URI Too Long,Unsupported Media Type,Range Not Satisfiable,Expectation Failed,I'm a Teapot,,,Misdirected Request,Unprocessable Content,,,Too Early,Upgrade Required,,Precondition Required,Too Many Requests,,Request Header Fields Too Large",
  'Internal Server Error,Not Implemented,Bad Gateway,Service Unavailable,Gateway Timeout,HTTP Version Not Supported,,Insufficient Storage,,,,Network Authentication Required',
];

/** Reason phrases for the statuses servers produce on their own or when an app gives only a code. */
export const REASONS: Readonly<Record<number, string>> = /* @__PURE__ */ (() => {
  const table: Record<number, string> = {};
  PHRASES.forEach((list, i) => {
    list.split(',').forEach((phrase, j) => {
      if (phrase) table[(i + 1) * 100 + j] = phrase;
    });
  });
  table[451] = 'Unavailable For Legal Reasons';
  return table;
})();

/** `'404 Not Found'` for 404; an unknown code gets `'Unknown'`. */
export function statusLine(status: number, reason?: string): string {
  return `${status} ${reason || REASONS[status] || 'Unknown'}`;
}

/** Statuses whose responses never carry a body. */
export function isNullBodyStatus(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200) || status === 205;
}
