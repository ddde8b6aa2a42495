/** Types for node-binary.mjs (plain JavaScript so scripts/test.mjs runs without a loader). */
export declare function nodeBinary(
  major: number,
  cwd?: string,
): { path: string; version: string; error?: undefined } | { error: string; path?: undefined };
