/** Bandwidth assumed for model downloads when the platform declares none (`downloadBandwidthMiBps`). */
export const DEFAULT_DOWNLOAD_MIBPS = 100;

/** How the fetch scripts retry: attempts per file, the pause between them, and how long a stalled transfer lasts before it is resumed. */
export const DOWNLOAD_RETRIES = { attempts: 5, pauseSeconds: 10, stallSeconds: 60, stallBytesPerSecond: 1024 } as const;

/** Throughput of `sha256sum` on one core and of `tar -x` onto the model volume, in MiB/s (conservative). */
const HASH_MIBPS = 400;
const EXTRACT_MIBPS = 200;

/** The time budget of one model download and its verification, and how it was computed. */
export interface DownloadBudget {
  /** The transfer alone at the declared bandwidth. */
  readonly transferSeconds: number;
  /** Download budget: the transfer with 25 % margin, the retries' pauses and stalls, and a minute to connect. */
  readonly downloadSeconds: number;
  /** Checksums (and extraction of an archive). */
  readonly verifySeconds: number;
  /** The arithmetic, for error messages. */
  readonly arithmetic: string;
}

/**
 * The budget to fetch `bytes` (for an archive: the archive plus its extracted content, half each) at
 * `bandwidthMiBps`. Resumed attempts keep what was transferred, so retries cost pauses and stalls, not
 * the transfer again.
 */
export function downloadBudget(bytes: number, bandwidthMiBps: number, archive: boolean): DownloadBudget {
  const mib = bytes / 2 ** 20;
  const transferred = archive ? mib / 2 : mib;
  const transferSeconds = Math.ceil(transferred / bandwidthMiBps);
  const r = DOWNLOAD_RETRIES;
  const downloadSeconds = Math.ceil(transferSeconds * 1.25) + r.attempts * (r.pauseSeconds + r.stallSeconds) + 60;
  const verifySeconds = Math.ceil(transferred / HASH_MIBPS) + (archive ? Math.ceil(transferred / EXTRACT_MIBPS) : 0);
  const gib = (transferred / 1024).toFixed(1);
  return {
    transferSeconds,
    downloadSeconds,
    verifySeconds,
    arithmetic:
      `${gib} GiB at ${bandwidthMiBps} MiB/s (platform downloadBandwidthMiBps) is ${transferSeconds} s; with 25 % margin, ` +
      `${r.attempts} resumed attempts and a minute to connect ${downloadSeconds} s; sha256${archive ? ' and extraction' : ''} ${verifySeconds} s`,
  };
}
