// Inputs for `tessera infer`: a PNG or JPEG image (resized to the model's input, scaled to [0, 1] and
// normalised with the ImageNet mean and deviation), a .npy array of the input's shape, or seeded
// random values.
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { uniformFloat32 } from 'pure-rand/distribution/uniformFloat32'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { InvalidInputError } from '../../src/errors.js'

/** ImageNet channel means and deviations (RGB), the usual normalisation of image classifiers. */
export const IMAGE_MEAN = [0.485, 0.456, 0.406]
export const IMAGE_STD = [0.229, 0.224, 0.225]

/** Where the channel axis of an image input is: NCHW [1, C, H, W] or NHWC [1, H, W, C]. */
function imageLayout (shape: number[], what: string): { nhwc: boolean, c: number, h: number, w: number } {
  if (shape.length === 4 && shape[0] === 1 && (shape[1] === 1 || shape[1] === 3)) return { nhwc: false, c: shape[1], h: shape[2], w: shape[3] }
  if (shape.length === 4 && shape[0] === 1 && (shape[3] === 1 || shape[3] === 3)) return { nhwc: true, c: shape[3], h: shape[1], w: shape[2] }
  throw new InvalidInputError(`${what}: the model's input [${shape.join(', ')}] is not an image of 1 or 3 channels`)
}

/** RGBA pixels -> the model's input: bilinear resize, [0, 1], ImageNet normalisation. */
export function imageToTensor (rgba: Uint8Array, width: number, height: number, shape: number[], what = 'image'): Float32Array {
  const { nhwc, c, h, w } = imageLayout(shape, what)
  const out = new Float32Array(c * h * w)
  for (let y = 0; y < h; y++) {
    const sy = Math.min(height - 1, Math.max(0, (y + 0.5) * height / h - 0.5))
    const y0 = Math.floor(sy)
    const y1 = Math.min(height - 1, y0 + 1)
    const fy = sy - y0
    for (let x = 0; x < w; x++) {
      const sx = Math.min(width - 1, Math.max(0, (x + 0.5) * width / w - 0.5))
      const x0 = Math.floor(sx)
      const x1 = Math.min(width - 1, x0 + 1)
      const fx = sx - x0
      const px = (yy: number, xx: number, ch: number): number => rgba[(yy * width + xx) * 4 + ch]
      const rgb = [0, 1, 2].map(ch =>
        ((px(y0, x0, ch) * (1 - fx) + px(y0, x1, ch) * fx) * (1 - fy) + (px(y1, x0, ch) * (1 - fx) + px(y1, x1, ch) * fx) * fy) / 255)
      const values = c === 3 ? rgb.map((v, ch) => (v - IMAGE_MEAN[ch]) / IMAGE_STD[ch]) : [(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] - 0.449) / 0.226]
      for (let ch = 0; ch < c; ch++) {
        out[nhwc ? (y * w + x) * c + ch : ch * h * w + y * w + x] = values[ch]
      }
    }
  }
  return out
}

/** Parses a .npy file (format 1-3, little-endian float32/float64/uint8/int32, C order) of exactly `shape`. */
export function parseNpy (bytes: Uint8Array, shape: number[], what = 'npy'): Float32Array {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]
  if (bytes.length < 10 || !magic.every((b, i) => bytes[i] === b)) throw new InvalidInputError(`${what}: not a .npy file (bad magic)`)
  const major = bytes[6]
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  const start = major === 1 ? 10 : 12
  if (major < 1 || major > 3 || start + headerLen > bytes.length) throw new InvalidInputError(`${what}: unsupported or truncated .npy header`)
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen))
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1]
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1]
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]
  if (descr == null || fortran == null || shapeText == null) throw new InvalidInputError(`${what}: the .npy header lacks descr, fortran_order or shape`)
  if (fortran === 'True') throw new InvalidInputError(`${what}: Fortran-ordered arrays are not supported; save it in C order`)
  const dims = shapeText.split(',').map(s => s.trim()).filter(s => s !== '').map(Number)
  if (dims.join(',') !== shape.join(',')) throw new InvalidInputError(`${what}: array has shape [${dims.join(', ')}], the model takes [${shape.join(', ')}]`)
  const n = shape.reduce((a, b) => a * b, 1)
  const body = start + headerLen
  const sizes: Record<string, number> = { '<f4': 4, '<f8': 8, '|u1': 1, '<i4': 4 }
  const size = sizes[descr]
  if (size == null) throw new InvalidInputError(`${what}: dtype ${descr} is not supported (use float32, float64, uint8 or int32)`)
  if (bytes.length - body < n * size) throw new InvalidInputError(`${what}: ${bytes.length - body} data bytes, ${n * size} needed`)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const o = body + i * size
    out[i] = descr === '<f4' ? view.getFloat32(o, true) : descr === '<f8' ? view.getFloat64(o, true) : descr === '|u1' ? bytes[o] : view.getInt32(o, true)
  }
  return out
}

/** Seeded uniform values in [-1, 1). */
export function randomInput (shape: number[], seed: number): Float32Array {
  const rng = xoroshiro128plus(seed)
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1))
  for (let i = 0; i < out.length; i++) out[i] = uniformFloat32(rng) * 2 - 1
  return out
}

/** Reads `--input`: 'random', a .png, .jpg/.jpeg or .npy file, as the model's input. */
export async function readInput (spec: string, shape: number[], seed = 0): Promise<Float32Array> {
  if (spec === 'random') return randomInput(shape, seed)
  let bytes: Uint8Array
  try {
    bytes = await readFile(spec)
  } catch (err: any) {
    throw new InvalidInputError(`--input ${spec}: cannot read it (${err.message as string})`)
  }
  const ext = extname(spec).toLowerCase()
  try {
    if (ext === '.npy') return parseNpy(bytes, shape, spec)
    if (ext === '.png') {
      const png = PNG.sync.read(Buffer.from(bytes))
      return imageToTensor(png.data, png.width, png.height, shape, spec)
    }
    if (ext === '.jpg' || ext === '.jpeg') {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 })
      return imageToTensor(img.data, img.width, img.height, shape, spec)
    }
  } catch (err: any) {
    if (err instanceof InvalidInputError) throw err
    throw new InvalidInputError(`--input ${spec}: cannot decode it (${err.message as string})`)
  }
  throw new InvalidInputError(`--input ${spec}: expected a .png, .jpg, .jpeg or .npy file, or "random"`)
}
