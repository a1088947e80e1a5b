// MobileNetV2 (width 1.0) as in torchvision: inverted residual blocks with depthwise 3x3 convs
// (group = channels), ReLU6 as Clip(0, 6), linear bottlenecks and residual Adds where shapes allow.
import { OnnxBuilder } from './onnx-builder.js'
import { imageInputShape } from './model-options.js'
import type { ImageInputRule, ModelOptions } from './model-options.js'

export const MOBILENETV2_INPUT: ImageInputRule = { model: 'mobilenetv2', defaultShape: [1, 3, 224, 224], minSize: 32 }

// expansion t, output channels c, repeats n, first stride s (torchvision's inverted_residual_setting)
const SETTINGS: Array<[t: number, c: number, n: number, s: number]> = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]
]

// torchvision's Conv2dNormActivation: conv (no bias) ".0", BN ".1", ReLU6 ".2"
function convBnRelu6 (b: OnnxBuilder, x: string, prefix: string, out: number, kernel: number, stride: number, group = 1): string {
  const y = b.conv(x, { name: `${prefix}.0`, out, kernel, stride, pad: (kernel - 1) / 2, group, bias: false })
  return b.clip(b.batchNorm(y, { name: `${prefix}.1` }), `${prefix}.2`, 0, 6)
}

function invertedResidual (b: OnnxBuilder, x: string, prefix: string, out: number, stride: number, expand: number): string {
  const inp = b.shape(x)[1]
  const hidden = Math.round(inp * expand)
  let y = x
  let j = 0
  if (expand !== 1) y = convBnRelu6(b, y, `${prefix}.conv.${j++}`, hidden, 1, 1)
  y = convBnRelu6(b, y, `${prefix}.conv.${j++}`, hidden, 3, stride, hidden)
  y = b.conv(y, { name: `${prefix}.conv.${j++}`, out, kernel: 1, bias: false })
  y = b.batchNorm(y, { name: `${prefix}.conv.${j}` })
  return stride === 1 && inp === out ? b.add(x, y, `${prefix}.add`) : y
}

/** MobileNetV2: input "input" [N,3,H,W], output "output" [N,1000]. */
export function mobilenetv2 (options: ModelOptions = {}): OnnxBuilder {
  const shape = imageInputShape(MOBILENETV2_INPUT, options.inputShape)
  const b = new OnnxBuilder({ name: 'mobilenetv2', seed: options.seed, docString: 'MobileNetV2 (torchvision layout), seeded random weights' })
  let x = convBnRelu6(b, b.input('input', shape), 'features.0', 32, 3, 2)
  let index = 1
  for (const [t, c, n, s] of SETTINGS) {
    for (let i = 0; i < n; i++) x = invertedResidual(b, x, `features.${index++}`, c, i === 0 ? s : 1, t)
  }
  x = convBnRelu6(b, x, `features.${index}`, 1280, 1, 1)
  x = b.flatten(b.globalAvgPool(x, 'avgpool'), 'flatten')
  b.output(b.gemm(x, { name: 'classifier.1', out: 1000, output: 'output' }))
  return b
}
