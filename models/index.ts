// The built-in models: name -> how to build it. Generated files live in the zoo cache (zoo.ts).
import { imageInputShape } from './model-options.js'
import type { ImageInputRule, ModelOptions } from './model-options.js'
import type { OnnxBuilder } from './onnx-builder.js'
import { INCEPTIONV3_INPUT, inceptionv3 } from './inceptionv3.js'
import { MOBILENETV2_INPUT, mobilenetv2 } from './mobilenetv2.js'
import { RESNET18_INPUT, RESNET50_INPUT, resnet18, resnet50 } from './resnet.js'
import { VGG16_INPUT, vgg16 } from './vgg16.js'
import { YOLOV2_INPUT, yolov2 } from './yolov2.js'

export type { ModelOptions } from './model-options.js'

/** A built-in model: ONNX opset 17, input "input" (NCHW float32), output "output". */
export interface BuiltinModel {
  readonly defaultInputShape: number[]
  /** One line. */
  readonly description: string
  /** The input sizes the model accepts. */
  readonly input: ImageInputRule
  /** Checks an input shape (default: the published one) and returns it; throws ShapeError naming the model. */
  inputShape: (shape?: number[]) => number[]
  /** The graph with its weights described but not yet generated: cheap, for counting and inspecting. */
  builder: (options?: ModelOptions) => OnnxBuilder
  /** Trainable parameters (weights and biases, not BatchNorm statistics) at that input shape. */
  parameterCount: (options?: ModelOptions) => number
  /** The ONNX bytes, weights generated from the seed (default 0). */
  build: (options?: ModelOptions) => Uint8Array
}

function entry (rule: ImageInputRule, description: string, builder: (options?: ModelOptions) => OnnxBuilder): BuiltinModel {
  return {
    defaultInputShape: rule.defaultShape,
    description,
    input: rule,
    inputShape: shape => imageInputShape(rule, shape),
    builder,
    parameterCount: options => builder(options).parameterCount(),
    build: options => builder(options).encode()
  }
}

/** Every built-in model by name. */
export const BUILTIN_MODELS: Readonly<Record<string, BuiltinModel>> = Object.freeze({
  vgg16: entry(VGG16_INPUT, 'VGG16 (torchvision, no BN): 13 convs + 3 FC layers, 1000 classes', vgg16),
  resnet18: entry(RESNET18_INPUT, 'ResNet-18 (torchvision): basic residual blocks with BatchNorm, 1000 classes', resnet18),
  resnet50: entry(RESNET50_INPUT, 'ResNet-50 (torchvision v1.5): bottleneck residual blocks with BatchNorm, 1000 classes', resnet50),
  mobilenetv2: entry(MOBILENETV2_INPUT, 'MobileNetV2 (torchvision): depthwise inverted residuals, ReLU6, 1000 classes', mobilenetv2),
  inceptionv3: entry(INCEPTIONV3_INPUT, 'Inception v3 (torchvision, no aux logits): multi-branch Mixed modules, 1000 classes', inceptionv3),
  yolov2: entry(YOLOV2_INPUT, 'YOLOv2-VOC (darknet): conv+BN+leaky backbone, passthrough reorg, 13x13x125 grid', yolov2)
})

/** Built-in model names, in registry order. */
export const BUILTIN_MODEL_NAMES: readonly string[] = Object.keys(BUILTIN_MODELS)

/** True when `name` is a built-in model (own keys only, so "constructor" is not one). */
export function isBuiltinModel (name: string): boolean {
  return Object.hasOwn(BUILTIN_MODELS, name)
}
