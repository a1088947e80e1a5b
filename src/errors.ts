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

/** A wire message (frame, gossip record) that fails to decode or breaks the protocol's rules. */
export class MalformedMessageError extends TesseraError {
  static name = 'MalformedMessageError'
  constructor (readonly protocol: string, detail: string) {
    super(`${protocol}: ${detail}`)
  }
}

/** A wire message or payload larger than the protocol allows. */
export class MessageTooLargeError extends MalformedMessageError {
  static name = 'MessageTooLargeError'
}

/** A fetched model whose bytes do not hash to the sha256 asked for. */
export class ModelIntegrityError extends TesseraError {
  static name = 'ModelIntegrityError'
}

/** The mesh has no usable plan for the model asked for (no leader yet, no members holding it). */
export class NoPlanError extends TesseraError {
  static name = 'NoPlanError'
}

/** A provider left (or failed) while a request depended on it. */
export class ProviderLostError extends TesseraError {
  static name = 'ProviderLostError'
}

/** A remote peer reported a failure; `remoteName` is the error class it reported. */
export class RemoteError extends TesseraError {
  static name = 'RemoteError'
  constructor (readonly remoteName: string, message: string) {
    super(message)
  }
}

/** No mesh peer could be reached (none discovered, or none answering). */
export class MeshUnavailableError extends TesseraError {
  static name = 'MeshUnavailableError'
}

/** No reachable peer holds the model asked for (by sha256). */
export class ModelUnavailableError extends TesseraError {
  static name = 'ModelUnavailableError'
}

/** The execution provider asked for is not available in this onnxruntime build (never silently replaced). */
export class ExecutionProviderError extends TesseraError {
  static name = 'ExecutionProviderError'
}

/** onnxruntime failed to load or run a (sub-)model. */
export class RuntimeError extends TesseraError {
  static name = 'RuntimeError'
}

/** A request to the mesh did not finish in time. */
export class InferenceTimeoutError extends TesseraError {
  static name = 'InferenceTimeoutError'
}

/** The testbed cannot run here: not root, or ip/tc/cgroup v1 cpu missing. */
export class TestbedUnavailableError extends TesseraError {
  static name = 'TestbedUnavailableError'
  readonly exitCode: number = 2
}

/** Building, running or tearing down the emulated testbed failed (a command, a process, a timeout). */
export class TestbedError extends TesseraError {
  static name = 'TestbedError'
}
