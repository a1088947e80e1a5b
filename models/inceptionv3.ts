// Inception v3 as in torchvision's inception_v3 (aux_logits=False, transform_input=False), 299x299.
// BasicConv2d = conv (no bias) + BatchNorm (eps 0.001) + ReLU. The pooling branches of Mixed_5b..7c
// use avg_pool2d(3, stride 1, pad 1) with PyTorch's default count_include_pad=True.
import { OnnxBuilder } from './onnx-builder.js'
import type { Pads, Pair } from './onnx-builder.js'
import { imageInputShape } from './model-options.js'
import type { ImageInputRule, ModelOptions } from './model-options.js'

// 75 is the smallest size that leaves Mixed_7a's stride-2 convs a 1x1 output
export const INCEPTIONV3_INPUT: ImageInputRule = { model: 'inceptionv3', defaultShape: [1, 3, 299, 299], minSize: 75 }

function basicConv2d (b: OnnxBuilder, x: string, name: string, out: number, kernel: Pair, options: { stride?: number, pad?: Pads } = {}): string {
  const y = b.conv(x, { name: `${name}.conv`, out, kernel, stride: options.stride, pad: options.pad, bias: false })
  return b.relu(b.batchNorm(y, { name: `${name}.bn`, epsilon: 0.001 }), `${name}.relu`)
}

function avgPoolBranch (b: OnnxBuilder, x: string, m: string, out: number): string {
  const p = b.avgPool(x, { name: `${m}.avg_pool`, kernel: 3, stride: 1, pad: 1, countIncludePad: true })
  return basicConv2d(b, p, `${m}.branch_pool`, out, 1)
}

function inceptionA (b: OnnxBuilder, x: string, m: string, poolFeatures: number): string {
  const b1 = basicConv2d(b, x, `${m}.branch1x1`, 64, 1)
  let b5 = basicConv2d(b, x, `${m}.branch5x5_1`, 48, 1)
  b5 = basicConv2d(b, b5, `${m}.branch5x5_2`, 64, 5, { pad: 2 })
  let b3 = basicConv2d(b, x, `${m}.branch3x3dbl_1`, 64, 1)
  b3 = basicConv2d(b, b3, `${m}.branch3x3dbl_2`, 96, 3, { pad: 1 })
  b3 = basicConv2d(b, b3, `${m}.branch3x3dbl_3`, 96, 3, { pad: 1 })
  return b.concat([b1, b5, b3, avgPoolBranch(b, x, m, poolFeatures)], `${m}.concat`)
}

function inceptionB (b: OnnxBuilder, x: string, m: string): string {
  const b3 = basicConv2d(b, x, `${m}.branch3x3`, 384, 3, { stride: 2 })
  let bd = basicConv2d(b, x, `${m}.branch3x3dbl_1`, 64, 1)
  bd = basicConv2d(b, bd, `${m}.branch3x3dbl_2`, 96, 3, { pad: 1 })
  bd = basicConv2d(b, bd, `${m}.branch3x3dbl_3`, 96, 3, { stride: 2 })
  const bp = b.maxPool(x, { name: `${m}.max_pool`, kernel: 3, stride: 2 })
  return b.concat([b3, bd, bp], `${m}.concat`)
}

function inceptionC (b: OnnxBuilder, x: string, m: string, c7: number): string {
  const b1 = basicConv2d(b, x, `${m}.branch1x1`, 192, 1)
  let b7 = basicConv2d(b, x, `${m}.branch7x7_1`, c7, 1)
  b7 = basicConv2d(b, b7, `${m}.branch7x7_2`, c7, [1, 7], { pad: [0, 3] })
  b7 = basicConv2d(b, b7, `${m}.branch7x7_3`, 192, [7, 1], { pad: [3, 0] })
  let bd = basicConv2d(b, x, `${m}.branch7x7dbl_1`, c7, 1)
  bd = basicConv2d(b, bd, `${m}.branch7x7dbl_2`, c7, [7, 1], { pad: [3, 0] })
  bd = basicConv2d(b, bd, `${m}.branch7x7dbl_3`, c7, [1, 7], { pad: [0, 3] })
  bd = basicConv2d(b, bd, `${m}.branch7x7dbl_4`, c7, [7, 1], { pad: [3, 0] })
  bd = basicConv2d(b, bd, `${m}.branch7x7dbl_5`, 192, [1, 7], { pad: [0, 3] })
  return b.concat([b1, b7, bd, avgPoolBranch(b, x, m, 192)], `${m}.concat`)
}

function inceptionD (b: OnnxBuilder, x: string, m: string): string {
  let b3 = basicConv2d(b, x, `${m}.branch3x3_1`, 192, 1)
  b3 = basicConv2d(b, b3, `${m}.branch3x3_2`, 320, 3, { stride: 2 })
  let b7 = basicConv2d(b, x, `${m}.branch7x7x3_1`, 192, 1)
  b7 = basicConv2d(b, b7, `${m}.branch7x7x3_2`, 192, [1, 7], { pad: [0, 3] })
  b7 = basicConv2d(b, b7, `${m}.branch7x7x3_3`, 192, [7, 1], { pad: [3, 0] })
  b7 = basicConv2d(b, b7, `${m}.branch7x7x3_4`, 192, 3, { stride: 2 })
  const bp = b.maxPool(x, { name: `${m}.max_pool`, kernel: 3, stride: 2 })
  return b.concat([b3, b7, bp], `${m}.concat`)
}

function inceptionE (b: OnnxBuilder, x: string, m: string): string {
  const b1 = basicConv2d(b, x, `${m}.branch1x1`, 320, 1)
  const b3 = basicConv2d(b, x, `${m}.branch3x3_1`, 384, 1)
  const b3cat = b.concat([
    basicConv2d(b, b3, `${m}.branch3x3_2a`, 384, [1, 3], { pad: [0, 1] }),
    basicConv2d(b, b3, `${m}.branch3x3_2b`, 384, [3, 1], { pad: [1, 0] })
  ], `${m}.branch3x3.concat`)
  let bd = basicConv2d(b, x, `${m}.branch3x3dbl_1`, 448, 1)
  bd = basicConv2d(b, bd, `${m}.branch3x3dbl_2`, 384, 3, { pad: 1 })
  const bdcat = b.concat([
    basicConv2d(b, bd, `${m}.branch3x3dbl_3a`, 384, [1, 3], { pad: [0, 1] }),
    basicConv2d(b, bd, `${m}.branch3x3dbl_3b`, 384, [3, 1], { pad: [1, 0] })
  ], `${m}.branch3x3dbl.concat`)
  return b.concat([b1, b3cat, bdcat, avgPoolBranch(b, x, m, 192)], `${m}.concat`)
}

/** Inception v3 without aux logits: input "input" [N,3,H,W], output "output" [N,1000]. */
export function inceptionv3 (options: ModelOptions = {}): OnnxBuilder {
  const shape = imageInputShape(INCEPTIONV3_INPUT, options.inputShape)
  const b = new OnnxBuilder({ name: 'inceptionv3', seed: options.seed, docString: 'Inception v3 (torchvision layout, no aux logits), seeded random weights' })
  let x = b.input('input', shape)
  x = basicConv2d(b, x, 'Conv2d_1a_3x3', 32, 3, { stride: 2 })
  x = basicConv2d(b, x, 'Conv2d_2a_3x3', 32, 3)
  x = basicConv2d(b, x, 'Conv2d_2b_3x3', 64, 3, { pad: 1 })
  x = b.maxPool(x, { name: 'maxpool1', kernel: 3, stride: 2 })
  x = basicConv2d(b, x, 'Conv2d_3b_1x1', 80, 1)
  x = basicConv2d(b, x, 'Conv2d_4a_3x3', 192, 3)
  x = b.maxPool(x, { name: 'maxpool2', kernel: 3, stride: 2 })
  x = inceptionA(b, x, 'Mixed_5b', 32)
  x = inceptionA(b, x, 'Mixed_5c', 64)
  x = inceptionA(b, x, 'Mixed_5d', 64)
  x = inceptionB(b, x, 'Mixed_6a')
  x = inceptionC(b, x, 'Mixed_6b', 128)
  x = inceptionC(b, x, 'Mixed_6c', 160)
  x = inceptionC(b, x, 'Mixed_6d', 160)
  x = inceptionC(b, x, 'Mixed_6e', 192)
  x = inceptionD(b, x, 'Mixed_7a')
  x = inceptionE(b, x, 'Mixed_7b')
  x = inceptionE(b, x, 'Mixed_7c')
  x = b.flatten(b.globalAvgPool(x, 'avgpool'), 'flatten')
  b.output(b.gemm(x, { name: 'fc', out: 1000, output: 'output' }))
  return b
}
