// YOLOv2 as in darknet's yolov2-voc.cfg: 416x416 -> 13x13 x 125 (5 anchors x (20 classes + 5)).
// Node names carry darknet's layer index ("layer26.conv") so they can be read against the cfg.
// The [region] layer is decoding, not a layer of the network, and is left to the caller.
import { GAIN, OnnxBuilder } from './onnx-builder.js'
import { imageInputShape } from './model-options.js'
import type { ImageInputRule, ModelOptions } from './model-options.js'

// the passthrough halves a stride-16 map, so both H and W must be multiples of 32
export const YOLOV2_INPUT: ImageInputRule = { model: 'yolov2', defaultShape: [1, 3, 416, 416], minSize: 32, multipleOf: 32 }

const LEAKY_ALPHA = 0.1
// darknet's batchnorm adds 1e-6 to the standard deviation; ONNX adds epsilon to the variance
const DARKNET_BN_EPSILON = 1e-6

// layers 0..24 of the cfg: [filters, size] for a conv, 'M' for a 2x2 stride-2 maxpool
const BACKBONE: Array<[number, number] | 'M'> = [
  [32, 3], 'M', [64, 3], 'M',
  [128, 3], [64, 1], [128, 3], 'M',
  [256, 3], [128, 1], [256, 3], 'M',
  [512, 3], [256, 1], [512, 3], [256, 1], [512, 3], 'M',
  [1024, 3], [512, 1], [1024, 3], [512, 1], [1024, 3],
  [1024, 3], [1024, 3]
]
// layer 25 is "[route] layers=-9": the output of layer 16, the last stride-16 conv
const PASSTHROUGH_SOURCE = 16

// a darknet [convolutional] with batch_normalize=1: no conv bias (BN's beta is the bias)
function darknetConv (b: OnnxBuilder, x: string, layer: number, filters: number, size: number): string {
  const y = b.conv(x, { name: `layer${layer}.conv`, out: filters, kernel: size, pad: (size - 1) / 2, bias: false, gain: GAIN.leakyRelu(LEAKY_ALPHA) })
  const n = b.batchNorm(y, { name: `layer${layer}.bn`, epsilon: DARKNET_BN_EPSILON })
  return b.leakyRelu(n, `layer${layer}.leaky`, LEAKY_ALPHA)
}

/** YOLOv2-VOC: input "input" [N,3,H,W], output "output" [N,125,H/32,W/32]. */
export function yolov2 (options: ModelOptions = {}): OnnxBuilder {
  const shape = imageInputShape(YOLOV2_INPUT, options.inputShape)
  const b = new OnnxBuilder({ name: 'yolov2', seed: options.seed, docString: 'YOLOv2-VOC (darknet yolov2-voc.cfg), seeded random weights' })
  let x = b.input('input', shape)
  let passthrough = x
  BACKBONE.forEach((layer, i) => {
    x = layer === 'M'
      ? b.maxPool(x, { name: `layer${i}.maxpool`, kernel: 2, stride: 2 })
      : darknetConv(b, x, i, layer[0], layer[1])
    if (i === PASSTHROUGH_SOURCE) passthrough = x
  })
  const deep = x
  let p = darknetConv(b, passthrough, 26, 64, 1)
  // darknet's [reorg] stride=2 as ONNX SpaceToDepth(blocksize 2): the shapes match (26x26x64 -> 13x13x256
  // at 416), but the channel order differs. SpaceToDepth puts channel c of block offset (dy, dx) at
  // (dy*2 + dx)*C + c; darknet's reorg reinterprets the memory with its own index arithmetic and lands
  // elements elsewhere. With random weights the difference is a fixed permutation of layer 29's inputs.
  p = b.spaceToDepth(p, 'layer27.reorg', 2)
  // layer 28, "[route] layers=-1,-4": the reorg output first, then layer 24
  x = b.concat([p, deep], 'layer28.route')
  x = darknetConv(b, x, 29, 1024, 3)
  x = b.conv(x, { name: 'layer30.conv', out: 125, kernel: 1, bias: true, gain: GAIN.leakyRelu(LEAKY_ALPHA), output: 'output' })
  b.output(x)
  return b
}
