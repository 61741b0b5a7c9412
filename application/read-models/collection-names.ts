/**
 * Physical collections are `<projection>_v<version>_<generation>`: a rebuild writes a new
 * generation while queries keep reading the old one, and the checkpoint names which one is live.
 */
export function newCollectionName(name: string, version: number, at: Date, salt = Math.floor(Math.random() * 36 ** 3)): string {
  return `${name}_v${version}_${at.getTime().toString(36)}${salt.toString(36).padStart(3, '0')}`;
}

/** The version a physical collection was built for, or undefined when the name is not ours. */
export function collectionVersion(name: string, collection: string): number | undefined {
  const match = new RegExp(`^${name.replace(/[-]/g, '\\-')}_v(\\d+)_[a-z0-9]+$`).exec(collection);
  return match ? Number(match[1]) : undefined;
}

/** Every generation of this projection's collections (for clearing leftovers of an interrupted rebuild). */
export const isCollectionOf = (name: string, collection: string): boolean => collectionVersion(name, collection) !== undefined;

/** The checkpoint a rebuild writes under until it switches the projection over. */
export const rebuildCheckpointName = (name: string): string => `${name}.rebuild`;
