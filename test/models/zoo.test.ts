import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as ort from 'onnxruntime-node'
import { BUILTIN_MODELS } from '../../models/index.js'
import { CACHE_ENV, builtinModelPath, cacheDir, ensureBuiltinModel, resolveModel } from '../../models/zoo.js'
import { decodeModel } from '../../src/graph/onnx/codec.js'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const SMALL = [1, 3, 32, 32]
let dir: string
const saved = process.env[CACHE_ENV]

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-zoo-'))
  process.env[CACHE_ENV] = join(dir, 'cache')
})

after(() => {
  if (saved == null) delete process.env[CACHE_ENV]
  else process.env[CACHE_ENV] = saved
  rmSync(dir, { recursive: true, force: true })
})

// Buffer.compare, not deepEqual: a failing deepEqual on megabytes would spend minutes on its diff
function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0
}

function tessera (args: string[], cache: string): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, ['bin/tessera.js', ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, [CACHE_ENV]: cache } })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('the cache follows TESSERA_CACHE and names files by model, shape and seed', () => {
  assert.equal(cacheDir(), join(dir, 'cache'))
  assert.equal(builtinModelPath('resnet18', { inputShape: SMALL, seed: 7 }), join(dir, 'cache', 'resnet18-1x3x32x32-seed7.onnx'))
  assert.equal(builtinModelPath('yolov2'), join(dir, 'cache', 'yolov2-1x3x416x416-seed0.onnx'))
  assert.throws(() => builtinModelPath('alexnet'), { name: 'InvalidInputError', message: /"alexnet"/ })
  assert.throws(() => builtinModelPath('resnet18', { seed: 1.5 }), { name: 'InvalidInputError', message: /seed/ })
  assert.throws(() => builtinModelPath('yolov2', { inputShape: [1, 3, 48, 48] }), { name: 'ShapeError' })
})

test('ensureBuiltinModel writes once, atomically, and the same seed gives the same bytes', async () => {
  const path = await ensureBuiltinModel('mobilenetv2', { inputShape: SMALL, seed: 5 })
  const bytes = readFileSync(path)
  assert.ok(sameBytes(bytes, BUILTIN_MODELS.mobilenetv2.build({ inputShape: SMALL, seed: 5 })), 'the cached file is the seed-5 build')
  assert.deepEqual(readdirSync(cacheDir()).filter(f => f.endsWith('.tmp')), [], 'no temp file left behind')
  const mtime = statSync(path).mtimeMs
  assert.equal(await ensureBuiltinModel('mobilenetv2', { inputShape: SMALL, seed: 5 }), path)
  assert.equal(statSync(path).mtimeMs, mtime, 'a cached model is not rewritten')
  const other = await ensureBuiltinModel('mobilenetv2', { inputShape: SMALL, seed: 6 })
  assert.notEqual(other, path)
  assert.ok(!sameBytes(readFileSync(other), bytes), 'seed 6 gives other bytes')
})

test('resolveModel takes a built-in name or an .onnx path, and names the spec it cannot use', async () => {
  const builtin = await resolveModel('resnet18', { inputShape: SMALL })
  assert.deepEqual(builtin, { path: join(dir, 'cache', 'resnet18-1x3x32x32-seed0.onnx'), name: 'resnet18', builtin: true })
  const file = join(dir, 'mine.onnx')
  writeFileSync(file, readFileSync(builtin.path))
  assert.deepEqual(await resolveModel(file), { path: file, name: 'mine', builtin: false })
  await assert.rejects(resolveModel('resnet19'), { name: 'InvalidInputError', message: /"resnet19".*resnet18/ })
  await assert.rejects(resolveModel(join(dir, 'missing.onnx')), { name: 'InvalidInputError', message: /missing\.onnx/ })
  await assert.rejects(resolveModel('constructor'), { name: 'InvalidInputError', message: /"constructor"/ })
  mkdirSync(join(dir, 'folder.onnx'))
  await assert.rejects(resolveModel(join(dir, 'folder.onnx')), { name: 'InvalidInputError', message: /folder\.onnx/ })
})

test('tessera zoo --list prints every model with shape, parameters and description', () => {
  const r = tessera(['zoo', '--list'], join(dir, 'cli-cache'))
  assert.equal(r.status, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  assert.match(lines[0], /name\s+input shape\s+parameters\s+description/)
  const rows = new Map(lines.slice(1).map(l => { const [name, shape, params] = l.split(/\s{2,}/); return [name, { shape, params }] }))
  assert.deepEqual([...rows.keys()], Object.keys(BUILTIN_MODELS))
  assert.deepEqual(rows.get('vgg16'), { shape: '1x3x224x224', params: '138,357,544' })
  assert.deepEqual(rows.get('inceptionv3'), { shape: '1x3x299x299', params: '23,834,568' })
  assert.deepEqual(readdirSync(dir).filter(f => f === 'cli-cache'), [], '--list builds nothing')
})

test('tessera zoo builds the named models into the cache, prints their paths, reuses them', async () => {
  const cache = join(dir, 'cli-cache')
  const r = tessera(['zoo', '--seed', '3', '--input-shape', '1,3,64,64', 'resnet18', 'mobilenetv2'], cache)
  assert.equal(r.status, 0, r.stderr)
  const paths = r.stdout.trim().split('\n')
  assert.deepEqual(paths, [join(cache, 'resnet18-1x3x64x64-seed3.onnx'), join(cache, 'mobilenetv2-1x3x64x64-seed3.onnx')])
  assert.ok(sameBytes(readFileSync(paths[0]), BUILTIN_MODELS.resnet18.build({ inputShape: [1, 3, 64, 64], seed: 3 })), 'the file is the seed-3 build')
  const mobilenet = readFileSync(paths[1])
  assert.equal(decodeModel(mobilenet).graph?.name, 'mobilenetv2')
  const session = await ort.InferenceSession.create(mobilenet, { intraOpNumThreads: 1 })
  const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(3 * 64 * 64).fill(0.5), [1, 3, 64, 64]) })
  assert.deepEqual(out.output.dims, [1, 1000])
  await session.release()

  const again = tessera(['zoo', '--seed', '3', '--input-shape', '1,3,64,64', 'resnet18'], cache)
  assert.equal(again.status, 0, again.stderr)
  assert.equal(again.stdout.trim(), paths[0])
  assert.match(again.stderr, /resnet18: .*cached/)
})

test('tessera zoo exits 2 naming an unknown model or a bad flag, and builds nothing', () => {
  const cache = join(dir, 'bad-cache')
  const unknown = tessera(['zoo', 'resnet18', 'alexnet'], cache)
  assert.equal(unknown.status, 2)
  assert.match(unknown.stderr, /"alexnet"/)
  const seed = tessera(['zoo', '--seed', '-1', 'resnet18'], cache)
  assert.equal(seed.status, 2)
  assert.match(seed.stderr, /--seed/)
  const shape = tessera(['zoo', '--input-shape', '1,3,40,40', 'resnet18', 'yolov2'], cache)
  assert.equal(shape.status, 2)
  assert.match(shape.stderr, /yolov2.*multiples of 32/)
  assert.deepEqual(readdirSync(dir).filter(f => f === 'bad-cache'), [])
})
