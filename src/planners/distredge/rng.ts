// A seeded random source for the planners: the same seed gives the same plan.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'

export class Rng {
  private readonly gen: RandomGenerator
  private spare: number | undefined

  constructor (seed: number) {
    this.gen = xoroshiro128plus(seed | 0)
  }

  /** Uniform in [0, 1). */
  uniform (): number {
    return uniformFloat64(this.gen)
  }

  /** Uniform integer in [0, n). */
  int (n: number): number {
    return Math.min(n - 1, Math.floor(this.uniform() * n))
  }

  /** Standard normal (Box-Muller, the second value of each pair kept for the next call). */
  normal (): number {
    if (this.spare !== undefined) {
      const s = this.spare
      this.spare = undefined
      return s
    }
    let u = 0
    while (u === 0) u = this.uniform()
    const v = this.uniform()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  /** A fresh generator whose stream depends only on this one's next draw (for independent sub-streams). */
  fork (): Rng {
    return new Rng(Math.floor(this.uniform() * 0x7fffffff))
  }
}
