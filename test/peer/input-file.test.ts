import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { IMAGE_MEAN, IMAGE_STD, imageToTensor, parseNpy, randomInput, readInput } from '../../peer/requester/input-file.js'

function npy (descr: string, shape: number[], body: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`
  while ((10 + header.length + 1) % 64 !== 0) header += ' '
  header += '\n'
  const out = new Uint8Array(10 + header.length + body.length)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
  new DataView(out.buffer).setUint16(8, header.length, true)
  out.set(new TextEncoder().encode(header), 10)
  out.set(body, 10 + header.length)
  return out
}

describe('tessera infer inputs', () => {
  it('reads .npy arrays of the input shape (float32, uint8) and rejects others by reason', () => {
    const values = Float32Array.from([0.5, -1, 2, 3, 4, 5])
    assert.deepEqual([...parseNpy(npy('<f4', [1, 2, 3], new Uint8Array(values.buffer)), [1, 2, 3])], [...values])
    assert.deepEqual([...parseNpy(npy('|u1', [2, 3], Uint8Array.from([1, 2, 3, 4, 5, 255])), [2, 3])], [1, 2, 3, 4, 5, 255])
    assert.throws(() => parseNpy(npy('<f4', [1, 6], new Uint8Array(24)), [1, 2, 3]), /shape \[1, 6\]/)
    assert.throws(() => parseNpy(npy('<c8', [1, 2, 3], new Uint8Array(48)), [1, 2, 3]), /dtype <c8/)
    assert.throws(() => parseNpy(npy('<f4', [1, 2, 3], new Uint8Array(8)), [1, 2, 3]), /data bytes/)
    assert.throws(() => parseNpy(Uint8Array.from([1, 2, 3]), [1]), { name: 'InvalidInputError' })
  })

  it('turns an image into a normalised NCHW tensor, resizing it', () => {
    // a 2x2 image: red, green / blue, white; resized to 4x4 the corners keep their colours
    const rgba = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255])
    const t = imageToTensor(rgba, 2, 2, [1, 3, 4, 4])
    const at = (c: number, y: number, x: number): number => t[c * 16 + y * 4 + x]
    assert.ok(Math.abs(at(0, 0, 0) - (1 - IMAGE_MEAN[0]) / IMAGE_STD[0]) < 1e-6)
    assert.ok(Math.abs(at(1, 0, 0) - (0 - IMAGE_MEAN[1]) / IMAGE_STD[1]) < 1e-6)
    assert.ok(Math.abs(at(2, 3, 0) - (1 - IMAGE_MEAN[2]) / IMAGE_STD[2]) < 1e-6)
    assert.ok(Math.abs(at(1, 3, 3) - (1 - IMAGE_MEAN[1]) / IMAGE_STD[1]) < 1e-6)
    assert.throws(() => imageToTensor(rgba, 2, 2, [1, 5, 4, 4]), /not an image/)
  })

  it('reads PNG and JPEG files, and seeded random input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-input-'))
    const png = new PNG({ width: 8, height: 8 })
    png.data.fill(200)
    writeFileSync(join(dir, 'a.png'), PNG.sync.write(png))
    const fromPng = await readInput(join(dir, 'a.png'), [1, 3, 4, 4])
    assert.ok(Math.abs(fromPng[0] - (200 / 255 - IMAGE_MEAN[0]) / IMAGE_STD[0]) < 1e-5)
    const jpg = jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(8 * 8 * 4, 128) }, 95)
    writeFileSync(join(dir, 'a.jpg'), jpg.data)
    const fromJpg = await readInput(join(dir, 'a.jpg'), [1, 3, 4, 4])
    assert.ok(Math.abs(fromJpg[20] - (128 / 255 - IMAGE_MEAN[1]) / IMAGE_STD[1]) < 0.05)
    assert.deepEqual(await readInput('random', [2, 3], 7), randomInput([2, 3], 7))
    assert.notDeepEqual(randomInput([2, 3], 7), randomInput([2, 3], 8))
    await assert.rejects(readInput(join(dir, 'missing.png'), [1, 3, 4, 4]), /cannot read/)
    writeFileSync(join(dir, 'x.txt'), 'hello')
    await assert.rejects(readInput(join(dir, 'x.txt'), [1, 3, 4, 4]), /expected a \.png/)
    writeFileSync(join(dir, 'bad.png'), 'not a png')
    await assert.rejects(readInput(join(dir, 'bad.png'), [1, 3, 4, 4]), /cannot decode/)
  })
})
