/** Bounds that keep a hostile body from costing more than a legitimate one. */
export interface PlistLimits {
  /** Nesting of arrays and dictionaries; the root container is depth 1. */
  maxDepth: number;
  /** Values produced, dictionary keys included. A device's InstalledApplicationList stays far below. */
  maxNodes: number;
}

export const DEFAULT_PLIST_LIMITS: Readonly<PlistLimits> = Object.freeze({ maxDepth: 64, maxNodes: 250_000 });

export interface PlistParseOptions extends Partial<PlistLimits> {
  /** Return every `<real>` as a PlistReal so it is written back as `<real>` (exact round trips). */
  preserveReals?: boolean;
}

export function resolveLimits(options: PlistParseOptions): PlistLimits {
  return {
    maxDepth: options.maxDepth ?? DEFAULT_PLIST_LIMITS.maxDepth,
    maxNodes: options.maxNodes ?? DEFAULT_PLIST_LIMITS.maxNodes,
  };
}
