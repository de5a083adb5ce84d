/**
 * Upper bounds for reading a .probescope file. They are checked against the sizes the zip
 * declares before anything is decompressed, and against the bytes actually produced while
 * decompressing, so a small hostile file cannot make the app allocate gigabytes (zip bomb).
 */
export interface ShareLimits {
  /** Size of the .probescope file itself. */
  readonly maxFileBytes: number;
  /** Number of zip entries. */
  readonly maxEntries: number;
  /** One entry, uncompressed. */
  readonly maxEntryBytes: number;
  /** All entries together, uncompressed. */
  readonly maxTotalBytes: number;
  /** manifest.json and project.json, uncompressed. */
  readonly maxJsonBytes: number;
  /**
   * All entries together may declare at most this many uncompressed bytes per byte of the file
   * (beyond `ratioFreeBytes`). Arrays of floats deflate to 1.1–3× and JSON to ~10×; a run of
   * zeros deflates ~1000×, which is how a 2 MiB file could otherwise claim 2 GB.
   */
  readonly maxInflateRatio: number;
  /** Uncompressed bytes any file may declare whatever its ratio (small, very regular projects). */
  readonly ratioFreeBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_SHARE_LIMITS: ShareLimits = {
  maxFileBytes: 1024 * MiB,
  maxEntries: 100_000,
  maxEntryBytes: 1024 * MiB,
  maxTotalBytes: 2048 * MiB,
  maxJsonBytes: 64 * MiB,
  maxInflateRatio: 100,
  ratioFreeBytes: 16 * MiB,
};
