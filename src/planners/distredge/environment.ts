// What OSDS trains against: one episode = one pass over the layer-volumes, one split decision per volume.
// The simulator adapter (sim-environment.ts) implements it for real scenarios; tests define small analytic ones.

/** The features of a volume's last layer that go into the agent's state. */
export interface VolumeFeatures {
  /** Output height H (the rows being split). */
  height: number
  /** Output channels C. */
  channels: number
  /** Filter (kernel) height F of the last layer with one; 1 when the volume has none. */
  filter: number
  /** Stride S of that layer; 1 when it has none. */
  stride: number
}

export interface SplitEnvironment {
  /** |D|, the number of providers, in their fixed order. */
  readonly deviceCount: number
  readonly volumes: readonly VolumeFeatures[]
  /** The split actually run for volume l when the environment cannot run this one as given (absent: any runs). */
  readonly feasible?: (l: number, boundaries: readonly number[]) => number[]
  /** A fresh episode. */
  episode: () => SplitEpisode
}

export interface SplitEpisode {
  /**
   * Applies the next volume's split (row boundaries 0 = x_0 <= ... <= x_|D| = H) and returns every provider's
   * accumulated finish time (ms) once this volume is done.
   */
  step: (boundaries: readonly number[]) => ArrayLike<number>
  /** The end-to-end latency (ms) once every volume has been stepped. */
  latency: () => number
}

/** Runs one whole episode with fixed splits; returns the end-to-end latency. */
export function evaluateSplits (env: SplitEnvironment, splits: ReadonlyArray<readonly number[]>): number {
  const episode = env.episode()
  for (const b of splits) episode.step(b)
  return episode.latency()
}
