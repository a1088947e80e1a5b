import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { tessera } from './cli-scenario.js'
import { OnnxBuilder, oneNode, smallNet } from '../engine/harness.js'
import { decodeModel, encodeModel } from '../../src/graph/onnx/codec.js'

const dir = mkdtempSync(join(tmpdir(), 'tessera-check-'))
const write = (name: string, bytes: Uint8Array): string => {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}

describe('tessera check', () => {
  it('passes random plans of a small CNN and reports JSON (exit 0)', () => {
    const r = tessera('check', write('small.onnx', smallNet()), '--devices', '3', '--plans', '3', '--seed', '7', '--json')
    assert.equal(r.code, 0, r.stderr)
    const report = JSON.parse(r.stdout)
    assert.equal(report.model, 'small')
    assert.equal(report.pass, true)
    assert.equal(report.plans.length, 3)
    for (const p of report.plans) {
      assert.ok(p.volumes.length >= 1)
      assert.ok(p.maxRelError <= 1e-4)
      for (const v of p.volumes) assert.equal(v.parts.length, 3)
    }
    assert.equal(report.maxRelError, Math.max(...report.plans.map((p: any) => p.maxRelError)))
  })

  it('takes --input-shape for a model with free height and width', () => {
    const model = decodeModel(smallNet())
    const dims = model.graph!.input![0].type!.tensorType!.shape!.dim!
    dims[2] = { dimParam: 'H' }
    dims[3] = { dimParam: 'W' }
    const path = write('free.onnx', encodeModel(model))
    const r = tessera('check', path, '--input-shape', '1,3,24,20', '--plans', '1', '--json')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(tessera('check', path).code, 2, 'no shape to run at')
  })

  it('exits 1 when the outputs cannot be confirmed (NaN)', () => {
    const b = new OnnxBuilder({ name: 'nan', seed: 1 })
    const x = b.input('x', [1, 2, 8, 8])
    const c = b.conv(x, { name: 'c', out: 2, kernel: 3, pad: 1 })
    b.node('Log', [c], { name: 'log', outputs: ['y'], outputShapes: [[1, 2, 8, 8]] })
    b.output('y')
    const r = tessera('check', write('nan.onnx', b.encode()), '--plans', '1')
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.match(r.stdout, /FAIL/)
  })

  it('exits 2 for an unsupported op, naming it and its node', () => {
    const bytes = oneNode('Resize', [1, 2, 6, 5], { inputs: ['', { float: [1, 1, 2, 2], dims: [4] }], attrs: { mode: { type: 'string', value: 'cubic' } } })
    const r = tessera('check', write('cubic.onnx', bytes))
    assert.equal(r.code, 2)
    assert.match(r.stderr, /unsupported op Resize at node "op": mode "cubic" is not supported/)
  })

  it('exits 2 for a corrupt file, a missing file and a bad flag', () => {
    const good = smallNet()
    assert.equal(tessera('check', write('corrupt.onnx', good.subarray(0, good.length - 50))).code, 2)
    assert.equal(tessera('check', join(dir, 'missing.onnx')).code, 2)
    const r = tessera('check', write('small3.onnx', good), '--devices', '0')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--devices/)
  })
})
