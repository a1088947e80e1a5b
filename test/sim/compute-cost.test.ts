import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { quantizeRows } from '../../src/sim/profile-roofline.js'
import { createSimulator } from '../../src/sim/simulate.js'
import type { RooflineProfile } from '../../src/sim/types.js'
import { device, linearProfile, scenario, tinyGraph } from './fixtures.js'

const graph = tinyGraph()

function roofline (rowQuantum: number): RooflineProfile {
  // 1e-3 GFLOP/s and 1e-3 GB/s: 1 FLOP = 1 us, 1 byte = 1 us.
  return { kind: 'roofline', name: 'custom', gflops: 1e-3, memGBps: 1e-3, overheadMs: 0.1, rowQuantum }
}

function partMs (profile: RooflineProfile, output: string, rows: [number, number], input = 'input'): number {
  const s = scenario(graph, [{ ...device('A', 0, linearProfile(graph, 'unused', 1, 1, 1)), profile }])
  return createSimulator(s).partMs('A', { input, output }, rows)
}

const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`)

describe('roofline compute model', () => {
  it('costs a conv on its rows: overhead + max(flops, bytes) time, halo rows read', () => {
    // conv a, rows [0,4): 2 x 4 x 4 = 32 outputs x 18 FLOPs = 576 FLOPs; reads input rows [0,5) = 20 elements,
    // 18 weights + 2 biases, writes 32: 288 bytes. 0.1 + max(0.576, 0.288)
    close(partMs(roofline(1), 'a', [0, 4]), 0.676)
  })

  it('rounds rows up to rowQuantum, shifting up at the bottom edge, never past the height', () => {
    // quantum 3: [0,4) -> [0,6): 48 outputs, 864 FLOPs; input rows [0,7) = 28; bytes 4 x (28 + 20 + 48) = 384
    close(partMs(roofline(3), 'a', [0, 4]), 0.1 + 0.864)
    // [6,8) -> [5,8): 24 outputs, 432 FLOPs; input [4,8) = 16; bytes 4 x (16 + 20 + 24) = 240
    close(partMs(roofline(3), 'a', [6, 8]), 0.1 + 0.432)
    // quantum 16 > height 8: the whole tensor, 64 outputs, 1152 FLOPs
    close(partMs(roofline(16), 'a', [0, 4]), 0.1 + 1.152)
    assert.deepEqual(quantizeRows([3, 5], 8, 6), [0, 6])
    assert.deepEqual(quantizeRows([3, 5], 1, 6), [3, 5])
  })

  it('sums the nodes of a volume, each on the rows its consumers need', () => {
    // rows [0,4) of b: conv a on [0,5) 0.82, relu on [0,5) 0.42 (memory bound), conv b on [0,4) 0.676
    close(partMs(roofline(1), 'b', [0, 4]), 0.82 + 0.42 + 0.676)
  })

  it('costs an empty part nothing', () => {
    assert.equal(partMs(roofline(1), 'b', [4, 4]), 0)
  })
})
