// VGG16 (configuration D, no BatchNorm) as in torchvision: 13 3x3 convs in 5 stages, 3 fully connected layers.
// torchvision's AdaptiveAvgPool2d(7x7) is the identity at 224x224 and is left out, so at size S the
// classifier reads 512 * (S/32)^2 features (25088 at 224). Dropout is left out, as in an eval-mode export.
import { OnnxBuilder } from './onnx-builder.js'
import { imageInputShape } from './model-options.js'
import type { ImageInputRule, ModelOptions } from './model-options.js'

export const VGG16_INPUT: ImageInputRule = { model: 'vgg16', defaultShape: [1, 3, 224, 224], minSize: 32 }

// channels per conv, 'M' = 2x2 max pool; indices follow torchvision's features.N
const CONFIG_D: Array<number | 'M'> = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M']

/** VGG16 as an ONNX graph: input "input" [N,3,H,W], output "output" [N,1000]. */
export function vgg16 (options: ModelOptions = {}): OnnxBuilder {
  const shape = imageInputShape(VGG16_INPUT, options.inputShape)
  const b = new OnnxBuilder({ name: 'vgg16', seed: options.seed, docString: 'VGG16 (torchvision layout), seeded random weights' })
  let x = b.input('input', shape)
  let index = 0
  for (const layer of CONFIG_D) {
    if (layer === 'M') {
      x = b.maxPool(x, { name: `features.${index}`, kernel: 2, stride: 2 })
      index += 1
    } else {
      x = b.conv(x, { name: `features.${index}`, out: layer, kernel: 3, pad: 1 })
      x = b.relu(x, `features.${index + 1}`)
      index += 2
    }
  }
  x = b.flatten(x, 'flatten')
  x = b.relu(b.gemm(x, { name: 'classifier.0', out: 4096 }), 'classifier.1')
  x = b.relu(b.gemm(x, { name: 'classifier.3', out: 4096 }), 'classifier.4')
  x = b.gemm(x, { name: 'classifier.6', out: 1000, output: 'output' })
  b.output(x)
  return b
}
