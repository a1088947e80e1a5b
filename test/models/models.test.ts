import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as ort from 'onnxruntime-node'
import { BUILTIN_MODELS, BUILTIN_MODEL_NAMES } from '../../models/index.js'
import { ATTR_TYPE, decodeModel } from '../../src/graph/onnx/codec.js'
import type { ModelProto, NodeProto } from '../../src/graph/onnx/codec.js'

// small inputs keep the session cheap; each model's expected output at that size
const SMALL: Record<string, { shape: number[], output: number[] }> = {
  vgg16: { shape: [1, 3, 32, 32], output: [1, 1000] },
  resnet18: { shape: [1, 3, 64, 64], output: [1, 1000] },
  resnet50: { shape: [1, 3, 64, 64], output: [1, 1000] },
  mobilenetv2: { shape: [1, 3, 64, 64], output: [1, 1000] },
  inceptionv3: { shape: [1, 3, 75, 75], output: [1, 1000] },
  yolov2: { shape: [1, 3, 64, 96], output: [1, 125, 2, 3] }
}

// published trainable-parameter counts (torchvision; inception_v3 without its aux classifier)
const PUBLISHED_PARAMETERS: Record<string, number> = {
  vgg16: 138_357_544,
  resnet18: 11_689_512,
  resnet50: 25_557_032,
  mobilenetv2: 3_504_872,
  inceptionv3: 23_834_568
}

// convolution layers in each published architecture (for yolov2: the [convolutional] sections of yolov2-voc.cfg)
const CONV_LAYERS: Record<string, number> = { vgg16: 13, resnet18: 20, resnet50: 53, mobilenetv2: 52, inceptionv3: 94, yolov2: 23 }

function nodesOf (model: ModelProto, opType: string): NodeProto[] {
  return (model.graph?.node ?? []).filter(n => n.opType === opType)
}

function intAttr (node: NodeProto, name: string): number | undefined {
  return node.attribute?.find(a => a.name === name)?.i
}

// a deterministic, image-like input in [-1.5, 1.5]
function input (shape: number[]): ort.Tensor {
  const n = shape.reduce((a, b) => a * b, 1)
  return new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => 1.5 * Math.sin(i * 12.9898 + Math.cos(i * 0.01))), shape)
}

test('the registry holds the six built-in models', () => {
  assert.deepEqual([...BUILTIN_MODEL_NAMES].sort(), Object.keys(SMALL).sort())
  assert.deepEqual(BUILTIN_MODELS.vgg16.defaultInputShape, [1, 3, 224, 224])
  assert.deepEqual(BUILTIN_MODELS.inceptionv3.defaultInputShape, [1, 3, 299, 299])
  assert.deepEqual(BUILTIN_MODELS.yolov2.defaultInputShape, [1, 3, 416, 416])
})

test('full-size parameter counts match the published ones', () => {
  for (const [name, count] of Object.entries(PUBLISHED_PARAMETERS)) {
    assert.equal(BUILTIN_MODELS[name].parameterCount(), count, name)
  }
  // vgg16's classifier reads 512 * (S/32)^2 features: 2048 at 64x64 instead of 25088
  const smallVgg = BUILTIN_MODELS.vgg16.parameterCount({ inputShape: [1, 3, 64, 64] })
  assert.equal(PUBLISHED_PARAMETERS.vgg16 - smallVgg, (25088 - 2048) * 4096)
  // classifiers ending in global pooling do not change with the input size
  assert.equal(BUILTIN_MODELS.resnet50.parameterCount({ inputShape: [1, 3, 64, 64] }), PUBLISHED_PARAMETERS.resnet50)
})

for (const name of Object.keys(SMALL)) {
  test(`${name} builds at ${SMALL[name].shape.join('x')}, runs on onnxruntime with finite, varied, O(1) outputs`, async () => {
    const { shape, output } = SMALL[name]
    const model = BUILTIN_MODELS[name]
    const bytes = model.build({ inputShape: shape })
    const proto = decodeModel(bytes)
    assert.equal(proto.opsetImport?.[0].version, 17)
    assert.equal(nodesOf(proto, 'Conv').length, CONV_LAYERS[name], 'conv layers')
    const names = new Set((proto.graph?.node ?? []).map(n => n.name))
    assert.equal(names.size, proto.graph?.node?.length, 'node names are unique')

    // the parameter count reported without weights equals what the file holds
    const buffers = /\.(running_mean|running_var|min|max)$/
    const stored = (proto.graph?.initializer ?? [])
      .filter(t => !buffers.test(t.name as string))
      .reduce((sum, t) => sum + (t.dims ?? []).reduce((a, b) => a * b, 1), 0)
    assert.equal(stored, model.parameterCount({ inputShape: shape }))

    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 })
    assert.deepEqual(session.inputNames, ['input'])
    assert.deepEqual(session.outputNames, ['output'])
    const result = await session.run({ input: input(shape) })
    assert.deepEqual(result.output.dims, output)
    const data = result.output.data as Float32Array
    assert.ok(data.every(Number.isFinite), 'outputs are finite')
    const mean = data.reduce((a, b) => a + b, 0) / data.length
    const std = Math.sqrt(data.reduce((a, b) => a + (b - mean) ** 2, 0) / data.length)
    // neither collapsed to a constant nor blown up through the depth of the net
    assert.ok(std > 0.05 && std < 50, `output std ${std}`)
    assert.ok(Math.abs(mean) < 10, `output mean ${mean}`)
    await session.release()
  })
}

test('architectural details as published', () => {
  const resnet18 = decodeModel(BUILTIN_MODELS.resnet18.build({ inputShape: [1, 3, 32, 32] }))
  const names = new Set(resnet18.graph?.node?.map(n => n.name))
  for (const n of ['conv1', 'bn1', 'maxpool', 'layer1.0.conv1', 'layer2.0.downsample.0', 'layer4.1.bn2', 'avgpool', 'fc']) assert.ok(names.has(n), n)
  assert.equal(nodesOf(resnet18, 'BatchNormalization').length, 20)
  assert.equal(nodesOf(resnet18, 'Add').length, 8)

  const mobilenet = decodeModel(BUILTIN_MODELS.mobilenetv2.build({ inputShape: [1, 3, 32, 32] }))
  const clips = nodesOf(mobilenet, 'Clip')
  assert.equal(clips.length, 35)
  assert.ok(clips.every(c => c.input?.length === 3 && (c.attribute ?? []).length === 0), 'opset-17 Clip takes min and max as inputs')
  assert.equal(nodesOf(mobilenet, 'Add').length, 10)
  const depthwise = nodesOf(mobilenet, 'Conv').filter(c => (intAttr(c, 'group') ?? 1) > 1)
  assert.equal(depthwise.length, 17)
  assert.equal(intAttr(depthwise[16], 'group'), 960)

  const inception = decodeModel(BUILTIN_MODELS.inceptionv3.build({ inputShape: [1, 3, 75, 75] }))
  const avg = nodesOf(inception, 'AveragePool')
  assert.equal(avg.length, 9, 'one pooling branch in each of Mixed_5b..5d, 6b..6e, 7b, 7c')
  for (const p of avg) {
    assert.equal(intAttr(p, 'count_include_pad'), 1)
    assert.deepEqual(p.attribute?.find(a => a.name === 'pads')?.ints, [1, 1, 1, 1])
  }
  const eps = nodesOf(inception, 'BatchNormalization')[0].attribute?.find(a => a.name === 'epsilon')
  assert.equal(eps?.type, ATTR_TYPE.FLOAT)
  assert.ok(Math.abs((eps?.f ?? 0) - 0.001) < 1e-9)

  const yolo = decodeModel(BUILTIN_MODELS.yolov2.build({ inputShape: [1, 3, 416, 416] }))
  const [s2d] = nodesOf(yolo, 'SpaceToDepth')
  assert.equal(intAttr(s2d, 'blocksize'), 2)
  const route = yolo.graph?.node?.find(n => n.name === 'layer28.route')
  assert.deepEqual(route?.input, ['layer27.reorg', 'layer24.leaky'])
  assert.ok(nodesOf(yolo, 'LeakyRelu').every(n => Math.abs((n.attribute?.[0].f ?? 0) - 0.1) < 1e-7))
  const last = yolo.graph?.node?.at(-1)
  assert.equal(last?.opType, 'Conv')
  assert.equal(last?.input?.length, 3, 'the final 1x1 conv has a bias')
  assert.deepEqual(yolo.graph?.output?.[0].type?.tensorType?.shape?.dim?.map(d => d.dimValue), [1, 125, 13, 13])
})

test('bad input shapes are rejected naming the model and the rule', () => {
  assert.throws(() => BUILTIN_MODELS.yolov2.build({ inputShape: [1, 3, 100, 96] }), { name: 'ShapeError', message: /yolov2.*multiples of 32/ })
  assert.throws(() => BUILTIN_MODELS.inceptionv3.build({ inputShape: [1, 3, 64, 64] }), { name: 'ShapeError', message: /inceptionv3.*at least 75/ })
  assert.throws(() => BUILTIN_MODELS.resnet18.build({ inputShape: [1, 1, 64, 64] }), { name: 'ShapeError', message: /resnet18.*3 channels/ })
  assert.throws(() => BUILTIN_MODELS.vgg16.build({ inputShape: [3, 64, 64] }), { name: 'ShapeError', message: /vgg16/ })
})

test('the same seed gives byte-identical models, another seed other weights', () => {
  const options = { inputShape: [1, 3, 32, 32], seed: 42 }
  // Buffer.compare, not deepEqual: a failing deepEqual on megabytes would spend minutes on its diff
  const a = BUILTIN_MODELS.mobilenetv2.build(options)
  assert.equal(Buffer.compare(BUILTIN_MODELS.mobilenetv2.build(options), a), 0)
  const b = BUILTIN_MODELS.mobilenetv2.build({ ...options, seed: 43 })
  assert.equal(b.length, a.length)
  assert.notEqual(Buffer.compare(b, a), 0)
  const byDefault = BUILTIN_MODELS.mobilenetv2.build({ inputShape: [1, 3, 32, 32] })
  assert.equal(Buffer.compare(byDefault, BUILTIN_MODELS.mobilenetv2.build({ inputShape: [1, 3, 32, 32], seed: 0 })), 0)
})
