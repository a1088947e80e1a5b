// ResNet-18 and ResNet-50 as in torchvision (v1.5: a Bottleneck strides in its 3x3 conv),
// BatchNormalization kept as its own node after every bias-free conv.
// Random weights: each residual branch adds its own variance to the trunk, which would double the
// trunk's second moment per block (std x256 after ResNet-50's 16 blocks). As in Fixup, the last conv
// of each branch is scaled by 1/sqrt(blocks), so the trunk grows by at most ~e over the whole net.
import { GAIN, OnnxBuilder } from './onnx-builder.js'
import { imageInputShape } from './model-options.js'
import type { ImageInputRule, ModelOptions } from './model-options.js'

export const RESNET18_INPUT: ImageInputRule = { model: 'resnet18', defaultShape: [1, 3, 224, 224], minSize: 32 }
export const RESNET50_INPUT: ImageInputRule = { model: 'resnet50', defaultShape: [1, 3, 224, 224], minSize: 32 }

function convBn (b: OnnxBuilder, x: string, name: string, bn: string, out: number, kernel: number, stride: number, pad: number, gain = GAIN.RELU): string {
  return b.batchNorm(b.conv(x, { name, out, kernel, stride, pad, bias: false, gain }), { name: bn })
}

// the 1x1 conv + BN that matches the shortcut to a block's new width or stride
function shortcut (b: OnnxBuilder, x: string, prefix: string, out: number, stride: number): string {
  if (stride === 1 && b.shape(x)[1] === out) return x
  return convBn(b, x, `${prefix}.downsample.0`, `${prefix}.downsample.1`, out, 1, stride, 0)
}

type Block = (b: OnnxBuilder, x: string, prefix: string, planes: number, stride: number, branchGain: number) => string

const basicBlock: Block = (b, x, prefix, planes, stride, branchGain) => {
  let y = b.relu(convBn(b, x, `${prefix}.conv1`, `${prefix}.bn1`, planes, 3, stride, 1), `${prefix}.relu1`)
  y = convBn(b, y, `${prefix}.conv2`, `${prefix}.bn2`, planes, 3, 1, 1, branchGain)
  return b.relu(b.add(y, shortcut(b, x, prefix, planes, stride), `${prefix}.add`), `${prefix}.relu`)
}

const bottleneck: Block = (b, x, prefix, planes, stride, branchGain) => {
  let y = b.relu(convBn(b, x, `${prefix}.conv1`, `${prefix}.bn1`, planes, 1, 1, 0), `${prefix}.relu1`)
  y = b.relu(convBn(b, y, `${prefix}.conv2`, `${prefix}.bn2`, planes, 3, stride, 1), `${prefix}.relu2`)
  y = convBn(b, y, `${prefix}.conv3`, `${prefix}.bn3`, planes * 4, 1, 1, 0, branchGain)
  return b.relu(b.add(y, shortcut(b, x, prefix, planes * 4, stride), `${prefix}.add`), `${prefix}.relu`)
}

function resnet (name: string, rule: ImageInputRule, kind: 'basic' | 'bottleneck', blocks: number[], options: ModelOptions): OnnxBuilder {
  const shape = imageInputShape(rule, options.inputShape)
  const b = new OnnxBuilder({ name, seed: options.seed, docString: `${name} (torchvision layout), seeded random weights` })
  let x = b.input('input', shape)
  x = b.relu(convBn(b, x, 'conv1', 'bn1', 64, 7, 2, 3), 'relu')
  x = b.maxPool(x, { name: 'maxpool', kernel: 3, stride: 2, pad: 1 })
  const block = kind === 'basic' ? basicBlock : bottleneck
  const branchGain = GAIN.RELU / Math.sqrt(blocks.reduce((a, n) => a + n, 0))
  blocks.forEach((count, stage) => {
    const planes = 64 * 2 ** stage
    for (let i = 0; i < count; i++) {
      x = block(b, x, `layer${stage + 1}.${i}`, planes, i === 0 && stage > 0 ? 2 : 1, branchGain)
    }
  })
  x = b.flatten(b.globalAvgPool(x, 'avgpool'), 'flatten')
  b.output(b.gemm(x, { name: 'fc', out: 1000, output: 'output' }))
  return b
}

/** ResNet-18: input "input" [N,3,H,W], output "output" [N,1000]. */
export function resnet18 (options: ModelOptions = {}): OnnxBuilder {
  return resnet('resnet18', RESNET18_INPUT, 'basic', [2, 2, 2, 2], options)
}

/** ResNet-50: input "input" [N,3,H,W], output "output" [N,1000]. */
export function resnet50 (options: ModelOptions = {}): OnnxBuilder {
  return resnet('resnet50', RESNET50_INPUT, 'bottleneck', [3, 4, 6, 3], options)
}
