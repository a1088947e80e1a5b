// What every built-in model takes, and the one check of its input shape.
import { ShapeError } from '../src/errors.js'

/** Options every built-in model accepts. */
export interface ModelOptions {
  /** Weight seed (default 0): the same seed gives byte-identical models. */
  seed?: number
  /** NCHW input shape, channels 3 (default: the model's published size). */
  inputShape?: number[]
}

/** What input sizes a model can take. */
export interface ImageInputRule {
  model: string
  defaultShape: number[]
  /** Smallest height and width that leave every layer at least one pixel. */
  minSize: number
  /** Height and width must be multiples of this (e.g. 32 for a stride-32 detector with a passthrough). */
  multipleOf?: number
}

/** Fills in the default and checks an NCHW image input shape; throws ShapeError naming the model. */
export function imageInputShape (rule: ImageInputRule, shape: number[] | undefined): [number, number, number, number] {
  const s = shape ?? rule.defaultShape
  const show = `[${s.join(', ')}]`
  if (s.length !== 4 || s.some(d => !Number.isInteger(d) || d < 1)) {
    throw new ShapeError(`${rule.model}: input shape ${show} must be four positive integers N,3,H,W`)
  }
  const [, c, h, w] = s
  if (c !== 3) throw new ShapeError(`${rule.model}: input shape ${show} must have 3 channels`)
  if (h < rule.minSize || w < rule.minSize) {
    throw new ShapeError(`${rule.model}: input shape ${show} is too small, height and width must be at least ${rule.minSize}`)
  }
  const m = rule.multipleOf
  if (m != null && (h % m !== 0 || w % m !== 0)) {
    throw new ShapeError(`${rule.model}: input shape ${show} needs height and width that are multiples of ${m}`)
  }
  return [s[0], c, h, w]
}
