// Named error classes. Callers branch on `err.name`, never on message text.
// `exitCode` is what the CLI exits with when such an error reaches it (2 = bad input).

export class TesseraError extends Error {
  static name = 'TesseraError'
  readonly exitCode: number = 1
  constructor (message: string) {
    super(message)
    this.name = (this.constructor as typeof TesseraError).name
  }
}

/** Bad input from the user: a file, a flag, a value. */
export class InvalidInputError extends TesseraError {
  static name = 'InvalidInputError'
  readonly exitCode: number = 2
}

/** The bytes are not a readable ONNX model (truncated, corrupt, not protobuf). */
export class OnnxDecodeError extends InvalidInputError {
  static name = 'OnnxDecodeError'
}

/** The model uses an op (or an op variant) Tessera cannot split or run exactly. */
export class UnsupportedOpError extends InvalidInputError {
  static name = 'UnsupportedOpError'
  constructor (readonly opType: string, readonly nodeName: string, detail = 'not supported') {
    super(`unsupported op ${opType} at node "${nodeName}": ${detail}`)
  }
}

/** The input shape given does not fit the model. */
export class ShapeError extends InvalidInputError {
  static name = 'ShapeError'
}

/** A plan that does not fit its model or scenario (gaps, overlaps, unknown devices, bad cuts). */
export class InvalidPlanError extends InvalidInputError {
  static name = 'InvalidPlanError'
}

/** A scenario file that fails validation. */
export class InvalidScenarioError extends InvalidInputError {
  static name = 'InvalidScenarioError'
}
