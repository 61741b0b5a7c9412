import { PlistParseError } from './plist-errors.js';
import type { PlistLimits } from './plist-limits.js';

/** Counts values and nesting against the limits; both parsers share it. */
export class NodeBudget {
  private nodes = 0;

  constructor(private readonly limits: PlistLimits) {}

  spend(where: string): void {
    if (++this.nodes > this.limits.maxNodes) {
      throw new PlistParseError(`more than ${this.limits.maxNodes} values${where}`);
    }
  }

  enter(depth: number, where: string): void {
    if (depth > this.limits.maxDepth) {
      throw new PlistParseError(`nesting deeper than ${this.limits.maxDepth}${where}`);
    }
  }
}
