import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as ort from 'onnxruntime-node'
import { GAIN, OnnxBuilder, attr } from '../../models/onnx-builder.js'
import { decodeModel, ONNX_DTYPE, ATTR_TYPE } from '../../src/graph/onnx/codec.js'
import type { ModelProto } from '../../src/graph/onnx/codec.js'

// Plain-JS references for NCHW tensors with N = 1, written from the ONNX operator definitions.
interface T { c: number, h: number, w: number, d: Float32Array }

function at (t: T, c: number, y: number, x: number): number {
  return t.d[(c * t.h + y) * t.w + x]
}

function conv (t: T, wt: Float32Array, bias: Float32Array | undefined, o: { out: number, k: [number, number], s: number, pads: number[], group: number }): T {
  const [kh, kw] = o.k
  const [pt, pl, pb, pr] = o.pads
  const h = Math.floor((t.h + pt + pb - kh) / o.s) + 1
  const w = Math.floor((t.w + pl + pr - kw) / o.s) + 1
  const cinG = t.c / o.group
  const coutG = o.out / o.group
  const d = new Float32Array(o.out * h * w)
  for (let oc = 0; oc < o.out; oc++) {
    const g = Math.floor(oc / coutG)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = bias?.[oc] ?? 0
        for (let ic = 0; ic < cinG; ic++) {
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const iy = y * o.s + i - pt
              const ix = x * o.s + j - pl
              if (iy < 0 || ix < 0 || iy >= t.h || ix >= t.w) continue
              sum += wt[((oc * cinG + ic) * kh + i) * kw + j] * at(t, g * cinG + ic, iy, ix)
            }
          }
        }
        d[(oc * h + y) * w + x] = sum
      }
    }
  }
  return { c: o.out, h, w, d }
}

function pool (t: T, kind: 'max' | 'avg', k: number, s: number, pad: number, countIncludePad: boolean): T {
  const h = Math.floor((t.h + 2 * pad - k) / s) + 1
  const w = Math.floor((t.w + 2 * pad - k) / s) + 1
  const d = new Float32Array(t.c * h * w)
  for (let c = 0; c < t.c; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let acc = kind === 'max' ? -Infinity : 0
        let n = 0
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            const iy = y * s + i - pad
            const ix = x * s + j - pad
            if (iy < 0 || ix < 0 || iy >= t.h || ix >= t.w) continue
            const v = at(t, c, iy, ix)
            acc = kind === 'max' ? Math.max(acc, v) : acc + v
            n++
          }
        }
        d[(c * h + y) * w + x] = kind === 'max' ? acc : acc / (countIncludePad ? k * k : n)
      }
    }
  }
  return { c: t.c, h, w, d }
}

function map (t: T, f: (v: number, c: number) => number): T {
  const d = new Float32Array(t.d.length)
  const plane = t.h * t.w
  for (let i = 0; i < d.length; i++) d[i] = f(t.d[i], Math.floor(i / plane))
  return { ...t, d }
}

// ONNX SpaceToDepth: output channel (bh * b + bw) * C + c
function spaceToDepth (t: T, b: number): T {
  const h = t.h / b
  const w = t.w / b
  const d = new Float32Array(t.d.length)
  for (let bh = 0; bh < b; bh++) {
    for (let bw = 0; bw < b; bw++) {
      for (let c = 0; c < t.c; c++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) d[((((bh * b + bw) * t.c + c) * h) + y) * w + x] = at(t, c, y * b + bh, x * b + bw)
        }
      }
    }
  }
  return { c: t.c * b * b, h, w, d }
}

function initializers (model: ModelProto): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>()
  for (const t of model.graph?.initializer ?? []) {
    if (t.dataType !== ONNX_DTYPE.FLOAT) continue
    const raw = t.rawData as Uint8Array
    out.set(t.name as string, new Float32Array(Uint8Array.from(raw).buffer))
  }
  return out
}

function assertClose (actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`)
  for (let i = 0; i < actual.length; i++) {
    const tol = 1e-4 * Math.max(1, Math.abs(expected[i]))
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`)
  }
}

function buildSample (seed: number): OnnxBuilder {
  const b = new OnnxBuilder({ name: 'sample', seed })
  const x = b.input('input', [1, 4, 8, 8])
  const c1 = b.conv(x, { name: 'block.conv1', out: 6, kernel: 3, stride: 2, pad: [1, 0, 1, 1] })
  const bn = b.batchNorm(c1, { name: 'block.bn1' })
  const r6 = b.clip(bn, 'block.relu6', 0, 6)
  const dw = b.conv(r6, { name: 'block.dw', out: 6, kernel: 3, pad: 1, group: 6, bias: false })
  const lk = b.leakyRelu(dw, 'block.leaky', 0.1)
  const sum = b.add(lk, r6, 'block.add')
  const mp = b.maxPool(x, { name: 'pool.max', kernel: 2, stride: 2 })
  const ap = b.avgPool(sum, { name: 'pool.avg', kernel: 3, pad: 1, countIncludePad: true })
  const s2d = b.spaceToDepth(mp, 'reorg', 2)
  const cat = b.concat([ap, b.relu(ap, 'pool.relu')], 'cat')
  const gp = b.globalAvgPool(cat, 'gap')
  const fl = b.flatten(gp, 'flatten')
  const fc = b.gemm(fl, { name: 'fc', out: 5, gain: GAIN.LINEAR })
  const rs = b.reshape(fc, 'reshape', [1, 5, 1])
  for (const t of [c1, bn, r6, lk, sum, ap, s2d, cat, fc, rs]) b.output(t)
  return b
}

test('builder output matches a plain-JS reference of every op on onnxruntime', async () => {
  const b = buildSample(7)
  const bytes = b.encode()
  const model = decodeModel(bytes)
  assert.equal(model.opsetImport?.[0].version, 17)
  const w = initializers(model)
  const shapeInit = model.graph?.initializer?.find(i => i.name === 'reshape.shape')
  assert.equal(shapeInit?.dataType, ONNX_DTYPE.INT64)
  assert.deepEqual([...new BigInt64Array(Uint8Array.from(shapeInit?.rawData as Uint8Array).buffer)], [1n, 5n, 1n])
  const leaky = model.graph?.node?.find(n => n.name === 'block.leaky')
  assert.deepEqual(leaky?.attribute, [{ name: 'alpha', type: ATTR_TYPE.FLOAT, f: Math.fround(0.1) }])

  const input: T = { c: 4, h: 8, w: 8, d: Float32Array.from({ length: 4 * 8 * 8 }, (_, i) => Math.sin(i * 0.37) * 2) }
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 })
  const out = await session.run({ input: new ort.Tensor('float32', input.d, [1, 4, 8, 8]) })
  const got = (name: string): Float32Array => out[name].data as Float32Array

  const c1 = conv(input, w.get('block.conv1.weight') as Float32Array, w.get('block.conv1.bias'), { out: 6, k: [3, 3], s: 2, pads: [1, 0, 1, 1], group: 1 })
  assert.deepEqual(out['block.conv1'].dims, [1, 6, 4, 4])
  assertClose(got('block.conv1'), c1.d, 'conv')
  const [g, beta, mean, v] = ['weight', 'bias', 'running_mean', 'running_var'].map(k => w.get(`block.bn1.${k}`) as Float32Array)
  const bn = map(c1, (x, c) => g[c] * (x - mean[c]) / Math.sqrt(v[c] + 1e-5) + beta[c])
  assertClose(got('block.bn1'), bn.d, 'batchNorm')
  const r6 = map(bn, x => Math.min(6, Math.max(0, x)))
  assertClose(got('block.relu6'), r6.d, 'clip')
  const dw = conv(r6, w.get('block.dw.weight') as Float32Array, undefined, { out: 6, k: [3, 3], s: 1, pads: [1, 1, 1, 1], group: 6 })
  const lk = map(dw, x => x >= 0 ? x : 0.1 * x)
  assertClose(got('block.leaky'), lk.d, 'depthwise conv + leakyRelu')
  const sum = { ...lk, d: lk.d.map((x, i) => x + r6.d[i]) }
  assertClose(got('block.add'), sum.d, 'add')
  const ap = pool(sum, 'avg', 3, 1, 1, true)
  assertClose(got('pool.avg'), ap.d, 'avgPool count_include_pad')
  const s2d = spaceToDepth(pool(input, 'max', 2, 2, 0, false), 2)
  assert.deepEqual(out.reorg.dims, [1, 16, 2, 2])
  assertClose(got('reorg'), s2d.d, 'maxPool + spaceToDepth')
  const cat = Float32Array.from([...ap.d, ...ap.d.map(x => Math.max(0, x))])
  assertClose(got('cat'), cat, 'concat')
  const plane = ap.h * ap.w
  const gap = Array.from({ length: 12 }, (_, c) => cat.slice(c * plane, (c + 1) * plane).reduce((a, x) => a + x, 0) / plane)
  const fw = w.get('fc.weight') as Float32Array
  const fb = w.get('fc.bias') as Float32Array
  const fc = Float32Array.from({ length: 5 }, (_, o) => gap.reduce((a, x, i) => a + x * fw[o * 12 + i], fb[o]))
  assertClose(got('fc'), fc, 'globalAvgPool + flatten + gemm')
  assert.deepEqual(out.reshape.dims, [1, 5, 1])
  assertClose(got('reshape'), fc, 'reshape')
})

test('weights follow their init ranges and the parameter count excludes BatchNorm statistics', () => {
  const b = buildSample(3)
  // conv1 6*4*3*3 + 6, bn1 gamma+beta 12, dw 6*1*3*3, fc 12*5 + 5
  assert.equal(b.parameterCount(), 216 + 6 + 12 + 54 + 65)
  const w = initializers(b.toModel())
  const bound = Math.SQRT2 * Math.sqrt(3 / 36)
  const cw = w.get('block.conv1.weight') as Float32Array
  assert.ok(cw.every(x => Math.abs(x) <= bound))
  assert.ok(Math.max(...cw.map(Math.abs)) > 0.8 * bound, 'conv weights span their range')
  for (const [k, lo, hi] of [['weight', 0.5, 1.5], ['running_var', 0.5, 1.5], ['bias', -0.1, 0.1], ['running_mean', -0.1, 0.1]] as const) {
    const v = w.get(`block.bn1.${k}`) as Float32Array
    assert.ok(v.every(x => x >= lo && x <= hi), `bn ${k} in [${lo}, ${hi}]`)
  }
  // each channel's gain gamma / sqrt(var) stays near 1, so deep stacks of BN neither grow nor shrink
  const gamma = w.get('block.bn1.weight') as Float32Array
  const variance = w.get('block.bn1.running_var') as Float32Array
  assert.ok(gamma.every((g, i) => g / Math.sqrt(variance[i]) >= 0.8 - 1e-6 && g / Math.sqrt(variance[i]) <= 1.2 + 1e-6))
  assert.deepEqual([...(w.get('block.relu6.min') as Float32Array)], [0])
  assert.deepEqual([...(w.get('block.relu6.max') as Float32Array)], [6])
  // each initializer has its own stream: same-shape tensors differ
  assert.notDeepEqual([...(w.get('block.bn1.weight') as Float32Array)], [...(w.get('block.bn1.running_var') as Float32Array)])
})

test('the same seed gives identical bytes, another seed other weights', () => {
  const a = buildSample(11).encode()
  assert.equal(Buffer.compare(buildSample(11).encode(), a), 0)
  const c = buildSample(12).encode()
  assert.equal(c.length, a.length)
  assert.notEqual(Buffer.compare(c, a), 0)
})

test('builder rejects bad graphs with errors naming the culprit', () => {
  const b = new OnnxBuilder({ name: 'bad' })
  const x = b.input('input', [1, 3, 4, 4])
  b.conv(x, { name: 'c', out: 4, kernel: 3 })
  assert.throws(() => b.conv(x, { name: 'c', out: 4, kernel: 1 }), { name: 'InvalidInputError', message: /c\.weight/ })
  assert.throws(() => b.relu('nope', 'r'), { name: 'InvalidInputError', message: /"nope"/ })
  assert.throws(() => b.conv('c', { name: 'c2', out: 4, kernel: 3 }), { name: 'ShapeError', message: /"c2"/ })
  assert.throws(() => b.conv(x, { name: 'g', out: 4, kernel: 1, group: 2 }), { name: 'ShapeError', message: /group 2/ })
  assert.throws(() => b.add(x, 'c', 'sum'), { name: 'ShapeError', message: /"sum"/ })
  assert.throws(() => b.spaceToDepth('c', 's2d', 4), { name: 'ShapeError' })
  assert.throws(() => new OnnxBuilder({ name: 'x', seed: -1 }), { name: 'InvalidInputError' })
  const n = b.node('Transpose', [x], { name: 't', attrs: { perm: attr.ints([0, 1, 3, 2]) } })
  assert.throws(() => b.shape(n[0]), { name: 'ShapeError', message: /"t"/ })
  assert.throws(() => new OnnxBuilder({ name: 'empty' }).toModel(), { name: 'InvalidInputError', message: /no input/ })
  const scaled = new OnnxBuilder({ name: 'scaled' })
  scaled.output(scaled.input('input', [1, 2]))
  scaled.weight('s', [2], { kind: 'sqrtScaled', of: 'missing', low: 1, high: 2 })
  assert.throws(() => scaled.toModel(), { name: 'InvalidInputError', message: /"s" is scaled by "missing"/ })
})
